import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Gateway from "../src/Gateway.js"
import * as GatewayConfig from "../src/GatewayConfig.js"
import type { GatewayEvent, ShardingEvent } from "../src/GatewayEvent.js"
import * as Sharding from "../src/Sharding.js"
import * as Fixtures from "../src/testing/fixtures.js"
import { Simulator } from "../src/testing/Simulator.js"
import { defaults, gatewayOn, token } from "./helpers.js"

const label = (event: GatewayEvent | ShardingEvent): string =>
  event.type === "GUILD_CREATE" ? `GUILD_CREATE ${event.data.id}` : event.type

const message = (n: number) => Fixtures.messageCreate({ id: Fixtures.snowflake(9000 + n), channelId: Fixtures.snowflake(101) })

/** The first `n` events of a stream subscribed now. */
const takeNow = <A, E>(subscribe: Effect.Effect<Stream.Stream<A, E>, never, Scope.Scope>, n: number) =>
  Effect.flatMap(subscribe, (stream) => Effect.fork(Stream.runCollect(Stream.take(stream, n))))

const collected = <A>(fiber: Fiber.RuntimeFiber<Chunk.Chunk<A>, unknown>) =>
  Effect.map(Fiber.join(fiber), (chunk) => Chunk.toReadonlyArray(chunk))

describe("startup replay: subscribers in any order", () => {
  it.scoped("an on(...) stream started first does not take the replay: a later subscriber still gets READY, the GUILD_CREATEs and what came before it", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const guildIds = (yield* sim.sessions)[0]!
      assert.isDefined(guildIds)
      const messages = yield* Effect.fork(Stream.runCollect(Stream.take(gateway.on("MESSAGE_CREATE"), 2)))
      yield* Effect.yieldNow()
      yield* sim.dispatch("MESSAGE_CREATE", message(1))
      yield* sim.dispatch("MESSAGE_CREATE", message(2))
      assert.strictEqual((yield* collected(messages)).length, 2)
      const later = yield* takeNow(gateway.subscribe, 5)
      const events = yield* collected(later)
      assert.deepStrictEqual(events.map((event) => event.type), [
        "READY",
        "GUILD_CREATE",
        "GUILD_CREATE",
        "MESSAGE_CREATE",
        "MESSAGE_CREATE"
      ])
    }).pipe(Effect.provide(gatewayOn({ guilds: 2 }))))

  it.scoped("every later events subscriber gets READY and the GUILD_CREATEs it missed, then live events", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const first = yield* takeNow(gateway.subscribe, 4)
      yield* sim.dispatch("MESSAGE_CREATE", message(1))
      assert.deepStrictEqual((yield* collected(first)).map((event) => event.type), [
        "READY",
        "GUILD_CREATE",
        "GUILD_CREATE",
        "MESSAGE_CREATE"
      ])
      const second = yield* takeNow(gateway.subscribe, 4)
      const third = yield* takeNow(gateway.subscribe, 4)
      yield* sim.dispatch("MESSAGE_CREATE", message(2))
      for (const late of [second, third]) {
        const events = yield* collected(late)
        assert.deepStrictEqual(events.map((event) => event.type), ["READY", "GUILD_CREATE", "GUILD_CREATE", "MESSAGE_CREATE"])
        const last = events[3]!
        assert.strictEqual(last.type === "MESSAGE_CREATE" ? last.data.id : undefined, Fixtures.snowflake(9002))
      }
    }).pipe(Effect.provide(gatewayOn({ guilds: 2 }))))

  it.scoped("on(\"GUILD_CREATE\") started late replays the GUILD_CREATEs; subscribeWith({ replay: false }) gets live events only", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const guilds = yield* Effect.fork(Stream.runCollect(Stream.take(gateway.on("GUILD_CREATE"), 3)))
      // Both startup GUILD_CREATEs delivered: the live subscriber comes after them.
      yield* Stream.runDrain(Stream.take(gateway.on("GUILD_CREATE"), 2))
      const live = yield* takeNow(gateway.subscribeWith({ replay: false }), 1)
      yield* sim.dispatch("MESSAGE_CREATE", message(1))
      const extra = Fixtures.guildCreate(Fixtures.snowflake(4242))
      yield* sim.dispatch("GUILD_CREATE", extra)
      assert.deepStrictEqual((yield* collected(guilds)).map(label).at(-1), `GUILD_CREATE ${Fixtures.snowflake(4242)}`)
      assert.deepStrictEqual((yield* collected(live)).map((event) => event.type), ["MESSAGE_CREATE"])
    }).pipe(Effect.provide(gatewayOn({ guilds: 2 }))))

  it.scoped("a GUILD_DELETE takes its guild out of the replay; a new session replaces the old READY", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const first = yield* takeNow(gateway.subscribe, 3)
      const [firstCreate, secondCreate] = (yield* collected(first)).slice(1).map(label)
      const removed = firstCreate!.split(" ")[1]!
      const deleted = yield* takeNow(gateway.subscribeWith({ replay: false }), 1)
      yield* sim.dispatch("GUILD_DELETE", { id: removed })
      yield* Fiber.join(deleted)
      const afterDelete = yield* takeNow(gateway.subscribe, 2)
      assert.deepStrictEqual((yield* collected(afterDelete)).map(label), ["READY", secondCreate])

      // op 9 (not resumable): SESSION_LOST, then a new READY and GUILD_CREATEs.
      const watcher = yield* takeNow(gateway.subscribeWith({ replay: false }), 4)
      yield* sim.invalidSession(false)
      // 1-5 s before identifying again, and the identify bucket's 5 s.
      yield* TestClock.adjust("10 seconds")
      assert.deepStrictEqual((yield* collected(watcher)).map((event) => event.type), [
        "SESSION_LOST",
        "READY",
        "GUILD_CREATE",
        "GUILD_CREATE"
      ])
      const sessions = yield* sim.sessions
      const afterNewSession = yield* collected(yield* takeNow(gateway.subscribe, 3))
      assert.deepStrictEqual(afterNewSession.map((event) => event.type), ["READY", "GUILD_CREATE", "GUILD_CREATE"])
      const ready = afterNewSession[0]!
      assert.strictEqual(ready.type === "READY" ? ready.data.session_id : undefined, sessions.at(-1)!.id)
    }).pipe(Effect.provide(gatewayOn({ guilds: 2 }))))

  it.scoped("startupReplay: \"first-subscriber\" keeps nothing after the first events subscriber", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      assert.deepStrictEqual((yield* collected(yield* takeNow(gateway.subscribe, 3))).map((e) => e.type), [
        "READY",
        "GUILD_CREATE",
        "GUILD_CREATE"
      ])
      const second = yield* takeNow(gateway.subscribe, 1)
      yield* sim.dispatch("MESSAGE_CREATE", message(1))
      assert.deepStrictEqual((yield* collected(second)).map((e) => e.type), ["MESSAGE_CREATE"])
    }).pipe(Effect.provide(gatewayOn({ guilds: 2 }, { startupReplay: "first-subscriber" }))))

  it.scoped("status is read-only: a Subscribable with get and changes, no set", () =>
    Effect.gen(function*() {
      const gateway = yield* Gateway.Gateway
      assert.strictEqual(yield* gateway.status.get, "Ready")
      assert.isFalse("set" in gateway.status)
      assert.isFalse("modify" in gateway.status)
    }).pipe(Effect.provide(gatewayOn())))
})

const twoShards = Sharding.layer({}).pipe(
  Layer.provide(Layer.unwrapEffect(Effect.map(Simulator, (sim) =>
    GatewayConfig.layer({ token, apiBaseUrl: sim.apiBaseUrl, waitForReady: false })))),
  Layer.provide(defaults),
    Layer.provideMerge(Simulator.layerMemory({ token, shards: 2, guilds: 4 }))
)

describe("startup replay with Sharding", () => {
  it.scoped("a shard's own stream subscribed first does not take the merged stream's replay", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const sharding = yield* Sharding.Sharding
      for (let i = 0; i < 2; i++) yield* TestClock.adjust("5 seconds")
      yield* sharding.ready
      const shard0 = yield* sharding.shard(0)
      assert.deepStrictEqual((yield* collected(yield* takeNow(shard0.subscribe, 1))).map((e) => e.type), ["READY"])
      yield* sim.dispatch("TYPING_START_X", { n: 1 })
      const merged = yield* collected(yield* takeNow(sharding.subscribe, 7))
      assert.deepStrictEqual(merged.filter((e) => e.type === "READY").length, 2)
      assert.deepStrictEqual(merged.at(-1)!.type, "UNKNOWN_EVENT")
    }).pipe(Effect.provide(twoShards)))

  it.scoped("a late subscriber gets every shard's READY and GUILD_CREATEs; shard(id).events only that shard's", () =>
    Effect.gen(function*() {
      const sharding = yield* Sharding.Sharding
      // One identify per 5 s and a margin (max_concurrency 1): the second shard starts after the first.
      for (let i = 0; i < 2; i++) yield* TestClock.adjust("5 seconds")
      yield* sharding.ready
      const onFirst = yield* Effect.fork(Stream.runCollect(Stream.take(sharding.on("READY"), 2)))
      assert.strictEqual((yield* collected(onFirst)).length, 2)
      const all = yield* collected(yield* takeNow(sharding.subscribe, 6))
      const byShard = (shard: number) =>
        all.filter((event) => "shard" in event && event.shard === shard).map((event) => event.type)
      assert.deepStrictEqual(byShard(0), ["READY", "GUILD_CREATE", "GUILD_CREATE"])
      assert.deepStrictEqual(byShard(1), ["READY", "GUILD_CREATE", "GUILD_CREATE"])
      const shard1 = yield* sharding.shard(1)
      const own = yield* collected(yield* takeNow(shard1.subscribe, 3))
      assert.deepStrictEqual(own.map((event) => [event.type, event.shard]), [
        ["READY", 1],
        ["GUILD_CREATE", 1],
        ["GUILD_CREATE", 1]
      ])
    }).pipe(Effect.provide(twoShards)))
})
