/**
 * `npm start`: a bot on the embedded gateway simulator, told in plain words.
 * With DISCORD_TOKEN set, the same bot connects to Discord instead.
 */
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Gateway from "../Gateway.js"
import * as GatewayConfig from "../GatewayConfig.js"
import * as GatewaySocket from "../GatewaySocket.js"
import * as IdentifyLimiter from "../IdentifyLimiter.js"
import * as SessionStore from "../SessionStore.js"
import type { GatewayEvent } from "../GatewayEvent.js"
import * as Fixtures from "../testing/fixtures.js"
import { Simulator } from "../testing/Simulator.js"
import * as ClusterDemo from "./cluster.js"
import * as ShardingDemo from "./sharding.js"

const say = (line: string) => Console.log(line)

const describe = (event: GatewayEvent): string => {
  switch (event.type) {
    case "READY":
      return `READY: logged in as ${event.data.user.username}, session ${event.data.session_id}, ${event.data.guilds.length} guild(s) to come`
    case "GUILD_CREATE":
      return "unavailable" in event.data && event.data.unavailable === true
        ? `GUILD_CREATE: guild ${event.data.id} is unavailable`
        : `GUILD_CREATE: "${"name" in event.data ? event.data.name : "?"}"`
    case "MESSAGE_CREATE":
      return `MESSAGE_CREATE #${event.sequence}: ${event.data.author.username} says "${event.data.content}"`
    case "RESUMED":
      return `RESUMED (sequence ${event.sequence}): the missed events were replayed above`
    case "UNKNOWN_EVENT":
      return `${event.name} (no Schema yet, raw data kept)`
    case "DECODE_FAILURE":
      return `${event.name} failed its Schema (raw payload kept)`
    case "SESSION_LOST":
      return `session ${event.sessionId} lost after sequence ${event.lastSequence}: ${event.reason}`
    default:
      return `${event.type} #${event.sequence}`
  }
}

const printEvents = (gateway: Gateway.Gateway, delivered: Array<number>) =>
  Effect.gen(function*() {
    const stream = yield* gateway.subscribe
    yield* Effect.forkScoped(stream.pipe(Stream.runForEach((event) => {
      if ("sequence" in event) delivered.push(event.sequence)
      return say(`  [event] ${describe(event)}`)
    })))
  })

const simulatorDemo = Effect.gen(function*() {
  const sim = yield* Simulator
  yield* say(`Gateway simulator listening on ${sim.url} (heartbeat interval 1.5 s, 3 guilds)`)
  const config = GatewayConfig.layer({ token: "demo-token", gatewayUrl: sim.url, compression: "zlib-stream" })
  yield* Effect.scoped(Effect.gen(function*() {
    yield* say("Connecting the bot (zlib-stream compression)...")
    const gateway = yield* Gateway.make.pipe(Effect.provide(config))
    const delivered: Array<number> = []
    yield* printEvents(gateway, delivered)
    yield* sim.takeConnection
    yield* say(`Ready. Session ${Option.getOrElse(yield* gateway.sessionId, () => "?")}`)
    yield* Effect.sleep("200 millis")

    const message = (i: number, content: string) =>
      sim.dispatch("MESSAGE_CREATE", Fixtures.messageCreate({ id: Fixtures.snowflake(5000 + i), channelId: Fixtures.snowflake(900), content }))

    yield* say("\nA stream of messages:")
    for (let i = 1; i <= 4; i++) {
      yield* message(i, `hello number ${i}`)
      yield* Effect.sleep("250 millis")
    }
    yield* Effect.sleep("1500 millis")
    const latency = yield* gateway.latency
    yield* say(
      `Heartbeat latency (send → ACK): ${
        Option.match(latency, { onNone: () => "no ACK yet", onSome: (d) => `${Duration.toMillis(d)} ms` })
      }`
    )

    yield* say("\nThe simulator stops acknowledging heartbeats: the connection becomes a zombie.")
    yield* sim.setAckHeartbeats(false)
    const close = yield* sim.takeClose
    yield* say(`The bot noticed the missing ACK and closed with code ${close.code} (not 1000, so the session stays resumable).`)
    yield* sim.setAckHeartbeats(true)
    yield* say("While the bot is away, Discord keeps producing events:")
    for (let i = 5; i <= 7; i++) yield* message(i, `sent while disconnected ${i}`)
    const reconnect = yield* sim.takeConnection
    yield* say(`The bot reconnected to ${reconnect.url} and resumed:`)
    yield* gateway.status.changes.pipe(Stream.filter((status) => status === "Ready"), Stream.take(1), Stream.runDrain)
    yield* Effect.sleep("300 millis")
    for (let i = 8; i <= 9; i++) {
      yield* message(i, `after the resume ${i}`)
      yield* Effect.sleep("200 millis")
    }
    yield* Effect.sleep("300 millis")

    const [session] = yield* sim.sessions
    const sent = (session?.log ?? []).map((entry) => entry.s)
    const missing = sent.filter((s) => !delivered.includes(s))
    const duplicates = delivered.length - new Set(delivered).size
    const inOrder = delivered.every((s, i) => i === 0 || s > delivered[i - 1]!)
    yield* say(
      `\nThe simulator sent ${sent.length} events on this session; the bot delivered ${delivered.length}: ` +
        `${missing.length} missing, ${duplicates} duplicated, ${inOrder ? "in order" : "OUT OF ORDER"}.`
    )
    yield* say("Shutting down: the bot closes with code 1000, which ends the session.")
  }))
  const last = yield* sim.takeClose
  yield* say(`The simulator saw the final close code ${last.code}. Bye.`)
}).pipe(
  Effect.provide(Layer.mergeAll(
    Simulator.layerServe({ token: "demo-token", heartbeatInterval: 1500, guilds: 3, resumeUrl: "/resume" }),
    GatewaySocket.layerWebSocketConstructor,
    NodeHttpClient.layerUndici,
    SessionStore.layerMemory,
    IdentifyLimiter.layerMemory()
  ))
)

const discordDemo = Effect.gen(function*() {
  yield* say("DISCORD_TOKEN is set: connecting to Discord (Ctrl-C to stop).")
  const gateway = yield* Gateway.Gateway
  yield* gateway.events.pipe(Stream.runForEach((event) => say(`  [event] ${describe(event)}`)))
}).pipe(
  Effect.provide(Gateway.layer.pipe(
    Layer.provide([
      GatewayConfig.layerFromEnv(),
      GatewaySocket.layerWebSocketConstructor,
      NodeHttpClient.layerUndici,
      SessionStore.layerMemory,
      IdentifyLimiter.layerMemory()
    ])
  ))
)

// `npm start -- --shards N` (or `--shards auto` with DISCORD_TOKEN): the sharding demo.
const shardsFlag = process.argv.indexOf("--shards")
const shards = shardsFlag >= 0 ? process.argv[shardsFlag + 1] ?? "" : undefined
if (shards !== undefined && shards !== "auto" && !(Number.isInteger(Number(shards)) && Number(shards) >= 1)) {
  console.error(`--shards must be a positive integer or "auto", got ${JSON.stringify(shards)}`)
  process.exit(2)
}
const shardCount = shards === undefined || shards === "auto" ? shards : Number(shards)

const token = process.env["DISCORD_TOKEN"]
// `npm start -- --cluster [--db <dir>]`: the one-runner cluster demo (src/demo/cluster.ts).
const demo = process.argv.includes("--cluster")
  ? ClusterDemo.run(process.argv, process.env)
  : shardCount === undefined
  ? (token ? discordDemo : simulatorDemo)
  : token
  ? ShardingDemo.discordDemo(shardCount)
  : ShardingDemo.simulatorDemo(shardCount === "auto" ? 4 : shardCount)

const main = demo.pipe(Logger.withMinimumLogLevel(LogLevel.Info))

NodeRuntime.runMain(main)
