import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as GatewayConfig from "../src/GatewayConfig.js"
import type { ShardingEvent } from "../src/GatewayEvent.js"
import * as IdentifyLimiter from "../src/IdentifyLimiter.js"
import * as Sharding from "../src/Sharding.js"
import * as Chaos from "../src/testing/Chaos.js"
import * as Fixtures from "../src/testing/fixtures.js"
import { Simulator, type SimulatorOptions } from "../src/testing/Simulator.js"
import { defaults, simulatorWith, token } from "./helpers.js"

/** Sharding (shard count and URL from the simulator's GET /gateway/bot) on an in-memory simulator. */
const shardingOn = (
  simulator: SimulatorOptions,
  options: Sharding.ShardingOptions = {},
  config: Partial<GatewayConfig.GatewayConfigOptions> = {}
) =>
  Sharding.layer(options).pipe(
    Layer.provide(Layer.unwrapEffect(Effect.map(Simulator, (sim) =>
      GatewayConfig.layer({ token, apiBaseUrl: sim.apiBaseUrl, waitForReady: false, ...config })))),
    Layer.provide(defaults),
    Layer.provideMerge(Simulator.layerMemory({ token, ...simulator }))
  )

interface Identify {
  readonly connection: number
  readonly shard: readonly [number, number]
  readonly at: number
}

const identifies = Effect.map(Simulator, (sim) => sim.payloads).pipe(
  Effect.flatten,
  Effect.map((payloads) =>
    payloads.filter((p) => p.op === 2).map((p): Identify => ({
      connection: p.connection,
      shard: (p.d as { shard: readonly [number, number] }).shard,
      at: p.at
    }))
  )
)

/** One Identify per bucket per 5 s, plus the limiter's margin for network jitter. */
const spacing = IdentifyLimiter.IdentifyIntervalMillis + IdentifyLimiter.defaultMarginMillis

const guildIds = (n: number) => Array.from({ length: n }, (_, i) => Fixtures.snowflake(100 + i))

const typing = (guildId: string, i: number) => ({ guild_id: guildId, channel_id: "10", user_id: "20", timestamp: i })

/** Collects events of `type` from the merged stream until `n` arrived. */
const collect = (stream: Stream.Stream<ShardingEvent, unknown>, n: number, type = "TYPING_START") =>
  stream.pipe(Stream.filter((event) => event.type === type), Stream.take(n), Stream.runCollect, Effect.fork)

describe("Sharding: identify concurrency", () => {
  it.scoped("16 shards with max_concurrency 4 identify in 4 waves 5 s (+ margin) apart, buckets in shard order", () =>
    Effect.gen(function*() {
      const sharding = yield* Sharding.Sharding
      assert.strictEqual(yield* sharding.shardCount, 16)
      for (let i = 0; i < 4; i++) yield* TestClock.adjust(spacing)
      yield* sharding.ready
      const sent = yield* identifies
      assert.strictEqual(sent.length, 16)
      for (const identify of sent) {
        // wave = shard_id / max_concurrency: one Identify per bucket per 5 s, the buckets in parallel
        assert.strictEqual(identify.at, Math.floor(identify.shard[0] / 4) * spacing, `shard ${identify.shard[0]}`)
        assert.strictEqual(identify.shard[1], 16)
      }
      for (let bucket = 0; bucket < 4; bucket++) {
        const order = sent.filter((i) => i.shard[0] % 4 === bucket).map((i) => i.shard[0])
        assert.deepStrictEqual(order, [bucket, bucket + 4, bucket + 8, bucket + 12])
      }
      const statuses = yield* sharding.statuses
      assert.deepStrictEqual(statuses.map((s) => s.shard), Array.from({ length: 16 }, (_, i) => i))
      assert.isTrue(statuses.every((s) => s.status === "Ready"))
      // The simulator answers an Identify that breaks the bucket rule with op 9: none was sent.
      const sim = yield* Simulator
      assert.strictEqual((yield* sim.sessions).length, 16)
    }).pipe(Effect.provide(shardingOn({ shards: 16, maxConcurrency: 4, guilds: 32 }))))

  it.scoped("with max_concurrency 1 every shard waits 5 s for the one before it", () =>
    Effect.gen(function*() {
      const sharding = yield* Sharding.Sharding
      for (let i = 0; i < 3; i++) yield* TestClock.adjust(spacing)
      yield* sharding.ready
      assert.deepStrictEqual((yield* identifies).map((i) => [i.shard[0], i.at]), [[0, 0], [1, spacing], [2, 2 * spacing]])
    }).pipe(Effect.provide(shardingOn({ shards: 3, maxConcurrency: 1, guilds: 3 }))))

  it.scoped("a process running shards 2 and 3 of 4 identifies only those, with their bucket's spacing", () =>
    Effect.gen(function*() {
      const sharding = yield* Sharding.Sharding
      yield* TestClock.adjust(spacing)
      yield* sharding.ready
      assert.deepStrictEqual((yield* identifies).map((i) => [i.shard, i.at]), [[[2, 4], 0], [[3, 4], spacing]])
      const error = yield* Effect.flip(sharding.shard(0))
      assert.strictEqual(error._tag, "ShardUnavailable")
      // A fixed split does not reshard: that is misuse, not a close code.
      const reshard = yield* Effect.flip(sharding.reshard(8))
      assert.strictEqual(reshard._tag, "InvalidShardingOptions")
      assert.deepStrictEqual((yield* identifies).length, 2)
    }).pipe(Effect.provide(shardingOn({ shards: 4, maxConcurrency: 1, guilds: 4 }, { shardIds: [3, 2] }))))

  it.scoped("bad options and arguments fail with InvalidShardingOptions, and start or change nothing", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const outOfRange = yield* Effect.flip(Sharding.make({ shards: 4, shardIds: [1, 4] }))
      assert.strictEqual(outOfRange._tag, "InvalidShardingOptions")
      assert.include(outOfRange.message, "shard id 4 is not in 0..3")
      const zero = yield* Effect.flip(Sharding.make({ shards: 0 }))
      assert.strictEqual(zero._tag, "InvalidShardingOptions")
      assert.deepStrictEqual(yield* sim.connections, [])
      const sharding = yield* Sharding.make({ shards: 2 })
      const badCount = yield* Effect.flip(sharding.reshard(1.5))
      assert.strictEqual(badCount._tag, "InvalidShardingOptions")
      assert.strictEqual(yield* sharding.shardCount, 2)
    }).pipe(Effect.provide(simulatorWith({ shards: 2, guilds: 2 }, { waitForReady: false }))))

  it.scoped("fewer session starts left than shards: waits for session_start_limit to reset instead of burning it", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const started = yield* Effect.fork(
        Sharding.make({ shards: "auto" }).pipe(Effect.provide(
          GatewayConfig.layer({ token, apiBaseUrl: sim.apiBaseUrl, waitForReady: false })
        ))
      )
      yield* TestClock.adjust("59 seconds")
      assert.strictEqual((yield* identifies).length, 0)
      yield* TestClock.adjust("1 second")
      const sharding = yield* Fiber.join(started)
      yield* sharding.ready
      const sent = yield* identifies
      assert.strictEqual(sent.length, 4)
      assert.isTrue(sent.every((i) => i.at === 60_000))
    }).pipe(Effect.provide(defaults), Effect.provide(Simulator.layerMemory({
      token,
      shards: 4,
      maxConcurrency: 4,
      sessionStartLimit: { total: 1000, remaining: 3, resetAfter: 60_000 }
    }))))

  it.effect("the in-memory IdentifyLimiter spends session starts and waits for the reset when none remain", () =>
    Effect.gen(function*() {
      const limiter = yield* IdentifyLimiter.makeMemory({
        maxConcurrency: 2,
        sessionStartLimit: { total: 3, remaining: 1, resetAfter: 30_000 }
      })
      yield* limiter.acquire(0, { maxConcurrency: 2 })
      const second = yield* Effect.fork(limiter.acquire(1, { maxConcurrency: 2 }))
      yield* TestClock.adjust("29 seconds")
      assert.isNull(second.unsafePoll())
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(second)
    }))

  it.effect("without options, the in-memory IdentifyLimiter follows the limits the gateway passes", () =>
    Effect.gen(function*() {
      const limiter = yield* IdentifyLimiter.makeMemory()
      const limits = { maxConcurrency: 2, sessionStartLimit: { total: 3, remaining: 2, resetAfter: 30_000 } }
      // Shards 0 and 1 are in different buckets: both identify at once.
      yield* limiter.acquire(0, limits)
      yield* limiter.acquire(1, limits)
      // Shard 2 shares shard 0's bucket, and the budget (2) is spent: it waits for the reset at 30 s.
      const third = yield* Effect.fork(limiter.acquire(2, limits))
      yield* TestClock.adjust(spacing)
      assert.isNull(third.unsafePoll())
      yield* TestClock.adjust(30_000 - spacing)
      yield* Fiber.join(third)
    }))
})

describe("Sharding: events and routing", () => {
  it.scoped("merges every shard's events, each with its shard id, and routes guilds by (id >> 22) % shards", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const sharding = yield* Sharding.Sharding
      yield* sharding.ready
      const guilds = guildIds(8)
      const stream = yield* sharding.subscribe
      const fiber = yield* collect(stream, 8)
      for (const [i, guild] of guilds.entries()) {
        assert.strictEqual(yield* sim.dispatchGuild("TYPING_START", typing(guild, i), guild), 1)
      }
      const events = [...(yield* Fiber.join(fiber))]
      for (const event of events) {
        if (event.type !== "TYPING_START") continue
        assert.strictEqual(event.shard, Sharding.shardOf(event.data.guild_id!, 4))
      }
      assert.deepStrictEqual(new Set(events.map((e) => (e.type === "TYPING_START" ? e.shard : -1))), new Set([0, 1, 2, 3]))
      for (const guild of guilds) {
        const gateway = yield* sharding.shardForGuild(guild)
        assert.strictEqual(gateway.shard, Sharding.shardOf(guild, 4))
      }
      const bad = yield* Effect.flip(sharding.shardForGuild("not-a-snowflake"))
      assert.strictEqual(bad._tag, "InvalidGuildId")
    }).pipe(Effect.provide(shardingOn({ shards: 4, maxConcurrency: 4, guilds: 8 }))))

  it.scoped("a command sent through shardForGuild goes out on that shard's connection", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const sharding = yield* Sharding.Sharding
      yield* sharding.ready
      const guild = guildIds(8)[5]!
      const gateway = yield* sharding.shardForGuild(guild)
      yield* gateway.updateVoiceState({ guild_id: guild, channel_id: null, self_mute: false, self_deaf: false })
      const voice = yield* sim.takePayload(4)
      const identify = (yield* identifies).find((i) => i.connection === voice.connection)!
      assert.strictEqual(identify.shard[0], Sharding.shardOf(guild, 4))
    }).pipe(Effect.provide(shardingOn({ shards: 4, maxConcurrency: 4, guilds: 8 }))))

  it.scoped("a shard that drops resumes alone while the others keep delivering", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const sharding = yield* Sharding.Sharding
      yield* sharding.ready
      const guilds = guildIds(4)
      const byShard = new Map(guilds.map((g) => [Sharding.shardOf(g, 4)!, g]))
      const stream = yield* sharding.subscribe
      const typed: Array<number> = []
      yield* Effect.fork(Stream.runForEach(stream, (event) =>
        Effect.sync(() => {
          if (event.type === "TYPING_START") typed.push(event.shard)
        })))
      const shard2 = (yield* identifies).find((i) => i.shard[0] === 2)!
      // An outage for new connections: shard 2 cannot come back until it ends.
      yield* sim.refuseConnections(1001)
      yield* sim.dropConnection({ connection: shard2.connection })
      // While shard 2 is away, every shard gets two events; the others deliver them at once.
      for (let i = 0; i < 2; i++) {
        for (const [, guild] of byShard) yield* sim.dispatchGuild("TYPING_START", typing(guild, i), guild)
      }
      for (let i = 0; i < 50; i++) yield* Effect.yieldNow()
      assert.deepStrictEqual([...typed].sort(), [0, 0, 1, 1, 3, 3])
      // The outage ends: shard 2 reconnects after its backoff, resumes and gets its two.
      yield* sim.refuseConnections(undefined)
      yield* TestClock.adjust(spacing)
      for (let i = 0; i < 50; i++) yield* Effect.yieldNow()
      assert.deepStrictEqual([...typed].sort(), [0, 0, 1, 1, 2, 2, 3, 3])
      // Shard 2 resumed its session; nobody identified again.
      const payloads = yield* sim.payloads
      const resumes = payloads.filter((p) => p.op === 6)
      assert.strictEqual(resumes.length, 1)
      assert.strictEqual((yield* identifies).length, 4)
      const statuses = yield* sharding.statuses
      assert.isTrue(statuses.every((s) => s.status === "Ready"))
    }).pipe(Effect.provide(shardingOn({ shards: 4, maxConcurrency: 4, guilds: 4 }))))
})

describe("Chaos against several shards", () => {
  it.scoped("a disruption can hit any live connection, not only the newest; randomTarget picks among the live ones", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const sharding = yield* Sharding.Sharding
      yield* sharding.ready
      const live = yield* sim.liveConnections
      assert.strictEqual(live.length, 3)
      const oldest = live[0]!
      yield* Chaos.step({ _tag: "Close", code: 4000 }, { target: Effect.succeed({ connection: oldest }) })
      for (let i = 0; i < 50; i++) yield* Effect.yieldNow()
      yield* TestClock.adjust(spacing)
      for (let i = 0; i < 50; i++) yield* Effect.yieldNow()
      const after = yield* sim.liveConnections
      // The oldest is gone and replaced by a new one; the other two were not touched.
      assert.notInclude(after, oldest)
      assert.include(after, live[1]!)
      assert.include(after, live[2]!)
      assert.strictEqual(after.length, 3)
      // The shard that was hit resumed (4000 keeps the session).
      assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 6).length, 1)
      const picks = new Set<number>()
      const target = Chaos.randomTarget(5)
      for (let i = 0; i < 30; i++) picks.add((yield* target).connection!)
      assert.deepStrictEqual([...picks].sort(), [...after].sort())
    }).pipe(Effect.provide(shardingOn({ shards: 3, maxConcurrency: 3, guilds: 3 }))))
})

describe("Sharding: resharding", () => {
  it.scoped("4011 on any shard: starts the recommended count, switches when all are READY, closes the old shards", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const sharding = yield* Sharding.Sharding
      yield* sharding.ready
      const stream = yield* sharding.subscribe
      const events: Array<ShardingEvent> = []
      yield* Effect.fork(Stream.runForEach(stream, (event) => Effect.sync(() => events.push(event))))
      const old = yield* identifies
      // The bot grew: Discord now requires 4 shards, and shard 0 must identify again.
      yield* sim.setRequiredShards(4)
      yield* sim.invalidSession(false, { connection: old.find((i) => i.shard[0] === 0)!.connection })
      const guild1 = guildIds(8).find((g) => Sharding.shardOf(g, 2) === 1)!
      yield* sim.dispatchGuild("TYPING_START", typing(guild1, 1), guild1)
      for (let i = 0; i < 4; i++) yield* TestClock.adjust(spacing)
      yield* sharding.ready
      assert.strictEqual(yield* sharding.shardCount, 4)
      const statuses = yield* sharding.statuses
      assert.deepStrictEqual(statuses.map((s) => [s.shard, s.status]), [[0, "Ready"], [1, "Ready"], [2, "Ready"], [
        3,
        "Ready"
      ]])
      // The new set identified with [id, 4]; the old shard 1 (still live) was closed with 1000.
      const sent = yield* identifies
      assert.deepStrictEqual(sent.filter((i) => i.shard[1] === 4).map((i) => i.shard[0]).sort(), [0, 1, 2, 3])
      const closes = yield* sim.closes
      const old1 = old.find((i) => i.shard[0] === 1)!
      assert.isTrue(closes.some((c) => c.connection === old1.connection && c.code === 1000))
      // The stream: the old shard's event, then the marker, then the new set's READYs.
      const typed = events.findIndex((e) => e.type === "TYPING_START")
      const marker = events.findIndex((e) => e.type === "RESHARDED")
      assert.isTrue(typed >= 0 && marker > typed)
      assert.deepStrictEqual(events[marker], { type: "RESHARDED", previousShardCount: 2, shardCount: 4 })
      const after = events.slice(marker + 1)
      assert.strictEqual(after.filter((e) => e.type === "READY").length, 4)
      assert.strictEqual(after.filter((e) => e.type === "GUILD_CREATE").length, 8)
      // Now each guild routes to its shard of 4.
      for (const guild of guildIds(8)) {
        assert.strictEqual((yield* sharding.shardForGuild(guild)).shard, Sharding.shardOf(guild, 4))
      }
    }).pipe(Effect.provide(shardingOn({ shards: 2, maxConcurrency: 16, guilds: 8 }))))

  it.scoped("reshard(n) by hand switches to n shards and closes the old ones with 1000", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const sharding = yield* Sharding.make({ shards: 2 }).pipe(
        Effect.provide(GatewayConfig.layer({ token, apiBaseUrl: sim.apiBaseUrl, waitForReady: false }))
      )
      yield* sharding.ready
      const resharding = yield* Effect.fork(sharding.reshard(3))
      for (let i = 0; i < 3; i++) yield* TestClock.adjust(spacing)
      yield* Fiber.join(resharding)
      assert.strictEqual(yield* sharding.shardCount, 3)
      assert.strictEqual((yield* sim.closes).filter((c) => c.code === 1000).length, 2)
      assert.deepStrictEqual((yield* sharding.shards).map((g) => g.shard), [0, 1, 2])
    }).pipe(Effect.provide(defaults), Effect.provide(Simulator.layerMemory({ token, maxConcurrency: 4, guilds: 3 }))))

  it.effect("closing the scope closes every shard with 1000", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const exit = yield* Effect.exit(Effect.scoped(Effect.gen(function*() {
        const sharding = yield* Sharding.make({ shards: 3 }).pipe(
          Effect.provide(GatewayConfig.layer({ token, apiBaseUrl: sim.apiBaseUrl, waitForReady: false }))
        )
        yield* sharding.ready
      })))
      assert.isTrue(Exit.isSuccess(exit))
      const closes = yield* sim.closes
      assert.deepStrictEqual(closes.map((c) => c.code), [1000, 1000, 1000])
    }).pipe(Effect.provide(defaults), Effect.provide(Simulator.layerMemory({ token, maxConcurrency: 4, guilds: 3 })), Effect.scoped))
})
