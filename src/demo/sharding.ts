/**
 * `npm start -- --shards N`: N shards of one bot on the embedded simulator, started
 * in identify buckets (max_concurrency 2, so a new wave every 5 s), one merged stream,
 * events routed by guild. With DISCORD_TOKEN set, N shards on Discord instead.
 */
import { NodeHttpClient } from "@effect/platform-node"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as GatewayConfig from "../GatewayConfig.js"
import * as GatewaySocket from "../GatewaySocket.js"
import * as IdentifyLimiter from "../IdentifyLimiter.js"
import * as SessionStore from "../SessionStore.js"
import type { ShardingEvent } from "../GatewayEvent.js"
import * as Sharding from "../Sharding.js"
import * as Fixtures from "../testing/fixtures.js"
import { Simulator } from "../testing/Simulator.js"

const say = (line: string) => Console.log(line)

const describe = (event: ShardingEvent): string => {
  if (event.type === "RESHARDED") return `RESHARDED: ${event.previousShardCount} → ${event.shardCount} shards`
  const where = `shard ${event.shard}`
  switch (event.type) {
    case "READY":
      return `${where} READY: session ${event.data.session_id}, ${event.data.guilds.length} guild(s)`
    case "GUILD_CREATE":
      return `${where} GUILD_CREATE: ${"name" in event.data ? `"${event.data.name}"` : event.data.id}`
    case "MESSAGE_CREATE":
      return `${where} MESSAGE_CREATE in guild ${event.data.guild_id}: "${event.data.content}"`
    default:
      return `${where} ${event.type}`
  }
}

/** The simulator demo of `count` shards. */
export const simulatorDemo = (count: number) =>
  Effect.gen(function*() {
    const sim = yield* Simulator
    const guilds = Array.from({ length: count * 2 }, (_, i) => Fixtures.snowflake(100 + i))
    yield* say(
      `Gateway simulator on ${sim.url}: GET /gateway/bot recommends ${count} shards, max_concurrency 2, ${guilds.length} guilds`
    )
    const started = Date.now()
    yield* Effect.scoped(Effect.gen(function*() {
      yield* say(`Starting the shards: bucket = shard_id % 2, one Identify per bucket per 5 s...`)
      const sharding = yield* Sharding.make({ shards: "auto" }).pipe(
        Effect.provide(GatewayConfig.layer({ token: "demo-token", apiBaseUrl: sim.apiBaseUrl, waitForReady: false }))
      )
      const stream = yield* sharding.subscribe
      yield* Effect.forkScoped(Stream.runForEach(stream, (event) => say(`  [event] ${describe(event)}`)))
      // Print each Identify as the simulator receives it, with its time since the start.
      yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
        const identify = yield* sim.takePayload(2)
        const [id, total] = (identify.d as { shard: readonly [number, number] }).shard
        const at = ((Date.now() - started) / 1000).toFixed(1)
        yield* say(`  [identify] t=${at} s: shard ${id}/${total} (bucket ${id % 2})`)
      })))
      yield* sharding.ready
      yield* say(`All ${yield* sharding.shardCount} shards are READY.\n\nMessages in each guild, routed by (guild_id >> 22) % ${count}:`)
      for (const [i, guild] of guilds.entries()) {
        yield* sim.dispatchGuild(
          "MESSAGE_CREATE",
          Fixtures.messageCreate({
            id: Fixtures.snowflake(7000 + i),
            channelId: Fixtures.snowflake(900),
            guildId: guild,
            content: `hello from guild ${i + 1}`
          }),
          guild
        )
      }
      yield* Effect.sleep("2 seconds")
      yield* say("\nShard status:")
      for (const status of yield* sharding.statuses) {
        const latency = Option.match(status.latency, { onNone: () => "-", onSome: (d) => `${Duration.toMillis(d)} ms` })
        yield* say(`  shard ${status.shard}: ${status.status}, heartbeat latency ${latency}`)
      }
      yield* say("Shutting down: every shard closes with 1000.")
    }))
    const codes: Array<number> = []
    for (let i = 0; i < count; i++) codes.push((yield* sim.takeClose).code)
    yield* say(`The simulator saw ${count} closes, with codes ${[...new Set(codes)].join(", ")}. Bye.`)
  }).pipe(
    Effect.provide(Layer.mergeAll(
      Simulator.layerServe({ token: "demo-token", heartbeatInterval: 1500, shards: count, maxConcurrency: 2, guilds: count * 2 }),
      GatewaySocket.layerWebSocketConstructor,
      NodeHttpClient.layerUndici,
      SessionStore.layerMemory,
      IdentifyLimiter.layerMemory()
    ))
  )

/** `count` shards on Discord. */
export const discordDemo = (count: number | "auto") =>
  Effect.gen(function*() {
    yield* say(`DISCORD_TOKEN is set: connecting ${count} shard(s) to Discord (Ctrl-C to stop).`)
    const sharding = yield* Sharding.Sharding
    yield* sharding.events.pipe(Stream.runForEach((event) => say(`  [event] ${describe(event)}`)))
  }).pipe(
    Effect.provide(Sharding.layer({ shards: count }).pipe(
      Layer.provide([
        GatewayConfig.layerFromEnv({ waitForReady: false }),
        GatewaySocket.layerWebSocketConstructor,
        NodeHttpClient.layerUndici,
        SessionStore.layerMemory,
        IdentifyLimiter.layerMemory()
      ])
    ))
  )
