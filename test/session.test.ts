import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Gateway from "../src/Gateway.js"
import * as IdentifyLimiter from "../src/IdentifyLimiter.js"
import type { GatewayEvent } from "../src/GatewayEvent.js"
import * as Intents from "../src/Intents.js"
import * as SessionStore from "../src/SessionStore.js"
import { Simulator } from "../src/testing/Simulator.js"
import { defaults, gatewayOn, simulatorWith, token } from "./helpers.js"

const sequences = (events: ReadonlyArray<GatewayEvent>) =>
  events.flatMap((event) => ("sequence" in event ? [event.sequence] : []))

const untilGuildCreate = (gateway: Gateway.Gateway) =>
  gateway.events.pipe(Stream.filter((event) => event.type === "GUILD_CREATE"), Stream.take(1), Stream.runDrain)

const typing = (i: number) => ({ channel_id: "10", user_id: "20", timestamp: i })

describe("identify", () => {
  it.scoped("identifies with token, intents, properties, shard, compress, large_threshold and presence", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const identify = yield* sim.takePayload(2)
      assert.deepStrictEqual(identify.d, {
        token,
        properties: { os: "linux", browser: "my-bot", device: "my-bot" },
        compress: false,
        large_threshold: 100,
        shard: [0, 1],
        presence: { since: null, activities: [{ name: "tests", type: 0 }], status: "online", afk: false },
        intents: Intents.fromNames("Guilds", "GuildMessages", "MessageContent")
      })
    }).pipe(Effect.provide(gatewayOn({}, {
      intents: Intents.fromNames("Guilds", "GuildMessages", "MessageContent"),
      largeThreshold: 100,
      properties: { os: "linux", browser: "my-bot", device: "my-bot" },
      presence: { since: null, activities: [{ name: "tests", type: 0 }], status: "online", afk: false }
    }))))

  it.scoped("connects with v=10 and encoding=json, and keeps READY's session id", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const connection = yield* sim.takeConnection
      const url = new URL(connection.url)
      assert.strictEqual(url.searchParams.get("v"), "10")
      assert.strictEqual(url.searchParams.get("encoding"), "json")
      const [session] = yield* sim.sessions
      assert.deepStrictEqual(yield* gateway.sessionId, Option.some(session!.id))
      assert.strictEqual(yield* gateway.status.get, "Ready")
    }).pipe(Effect.provide(gatewayOn())))

  it.scoped("delivers READY and the GUILD_CREATEs to the first subscriber even though it subscribed after READY", () =>
    Effect.gen(function*() {
      const gateway = yield* Gateway.Gateway
      const events = yield* gateway.events.pipe(Stream.take(4), Stream.runCollect)
      assert.deepStrictEqual(Chunk.toReadonlyArray(events).map((event) => event.type), [
        "READY",
        "GUILD_CREATE",
        "GUILD_CREATE",
        "GUILD_CREATE"
      ])
      const ready = Chunk.unsafeHead(events)
      if (ready.type !== "READY") return assert.fail("expected READY")
      assert.strictEqual(ready.data.guilds.length, 3)
      assert.deepStrictEqual(sequences(Chunk.toReadonlyArray(events)), [1, 2, 3, 4])
    }).pipe(Effect.provide(gatewayOn({ guilds: 3 }))))
})

describe("resume", () => {
  it.scoped("after a dropped connection, resumes on resume_gateway_url; replayed events arrive once, in order", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const collector = yield* gateway.events.pipe(
        Stream.filter((event) => event.type === "UNKNOWN_EVENT" || event.type === "RESUMED"),
        Stream.take(7),
        Stream.runCollect,
        Effect.fork
      )
      yield* sim.takeConnection
      for (let i = 0; i < 3; i++) yield* sim.dispatch("TYPING_START_X", typing(i))
      yield* sim.drop
      // Sent while the client is away: Discord replays them on resume.
      for (let i = 3; i < 6; i++) yield* sim.dispatch("TYPING_START_X", typing(i))
      const reconnect = yield* sim.takeConnection
      assert.strictEqual(new URL(reconnect.url).pathname, "/resume")
      const resume = yield* sim.takePayload(6)
      const [session] = yield* sim.sessions
      assert.deepStrictEqual(resume.d, { token, session_id: session!.id, seq: 5 })
      const events = Chunk.toReadonlyArray(yield* Fiber.join(collector))
      assert.deepStrictEqual(events.map((event) => event.type), [
        "UNKNOWN_EVENT",
        "UNKNOWN_EVENT",
        "UNKNOWN_EVENT",
        "UNKNOWN_EVENT",
        "UNKNOWN_EVENT",
        "UNKNOWN_EVENT",
        "RESUMED"
      ])
      assert.deepStrictEqual(sequences(events), [3, 4, 5, 6, 7, 8, 9])
      assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 2).length, 1)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1, resumeUrl: "/resume" }))))

  it.scoped("op 7 Reconnect closes with a non-1000 code and resumes", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      yield* sim.takeConnection
      yield* sim.reconnect
      const close = yield* sim.takeClose
      assert.notStrictEqual(close.code, 1000)
      assert.notStrictEqual(close.code, 1001)
      yield* sim.takeConnection
      const resume = yield* sim.takePayload(6)
      assert.strictEqual((resume.d as { seq: number }).seq, 2)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 }))))

  it.scoped("op 9 with d: true resumes", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      yield* sim.takeConnection
      yield* sim.invalidSession(true)
      yield* sim.takeConnection
      yield* sim.takePayload(6)
      assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 2).length, 1)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 }))))

  it.scoped("op 9 with d: false waits 1-5 s, identifies anew and reports the lost session", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const [first] = yield* sim.sessions
      const lost = yield* gateway.events.pipe(
        Stream.filter((event) => event.type === "SESSION_LOST"),
        Stream.take(1),
        Stream.runHead,
        Effect.fork
      )
      yield* sim.takeConnection
      yield* sim.takePayload(2)
      // Long after the first Identify, so only the 1-5 s of op 9 decide when the next one goes.
      yield* TestClock.adjust("1 minute")
      yield* sim.invalidSession(false)
      yield* TestClock.adjust(999)
      assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 2).length, 1)
      yield* TestClock.adjust(4001)
      const identify = yield* sim.takePayload(2)
      assert.isAtLeast(identify.at, 60_000 + 1000)
      assert.isAtMost(identify.at, 60_000 + 5000)
      assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 6).length, 0)
      const marker = Option.getOrThrow(yield* Fiber.join(lost))
      assert.deepStrictEqual(marker, {
        type: "SESSION_LOST",
        shard: 0,
        sessionId: first!.id,
        lastSequence: 2,
        reason: "invalid session (op 9)"
      })
    }).pipe(
      Effect.provide(gatewayOn({ guilds: 1 })),
      Effect.withRandom(Random.fixed([0.5]))
    ))

  it.scoped("a refused resume (op 9 false) identifies anew", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      yield* sim.takeConnection
      yield* sim.takePayload(2)
      yield* sim.invalidateSessions
      yield* sim.drop
      yield* sim.takePayload(6)
      yield* TestClock.adjust(IdentifyLimiter.IdentifyIntervalMillis + IdentifyLimiter.defaultMarginMillis)
      yield* sim.takePayload(2)
      assert.strictEqual((yield* sim.sessions).length, 2)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 }))))

  it.scoped("pause closes resumably and keeps the session; resume continues it", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const sessionId = yield* gateway.sessionId
      yield* sim.takeConnection
      yield* untilGuildCreate(gateway)
      yield* gateway.pause
      const close = yield* sim.takeClose
      assert.notStrictEqual(close.code, 1000)
      assert.strictEqual(yield* gateway.status.get, "Disconnected")
      const later = yield* gateway.subscribe
      yield* sim.dispatch("WHILE_PAUSED", {})
      yield* gateway.resume
      const resume = yield* sim.takePayload(6)
      assert.deepStrictEqual(resume.d, { token, session_id: Option.getOrThrow(sessionId), seq: 2 })
      const replayed = yield* later.pipe(Stream.filter((event) => event.type === "UNKNOWN_EVENT"), Stream.runHead)
      assert.strictEqual(Option.getOrThrow(replayed).sequence, 3)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 }))))

  it.scoped("a restarted gateway resumes the stored session; shutdown closes with 1000 and forgets it", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const store = yield* SessionStore.SessionStore
      // The first "process": paused, so its session stays resumable in the store.
      yield* Effect.scoped(Effect.gen(function*() {
        const gateway = yield* Gateway.make
        yield* untilGuildCreate(gateway)
        yield* gateway.pause
      }))
      yield* sim.takeClose
      const stored = Option.getOrThrow(yield* store.get([0, 1]))
      assert.strictEqual(stored.sequence, 2)
      // The second "process" resumes it, then shuts down for good.
      yield* Effect.scoped(Effect.gen(function*() {
        yield* Gateway.make
        const resume = yield* sim.takePayload(6)
        assert.strictEqual((resume.d as { session_id: string }).session_id, stored.sessionId)
      }))
      const connections = yield* sim.connections
      const closes = yield* sim.closes
      assert.strictEqual(closes[closes.length - 1]!.code, 1000)
      assert.strictEqual(closes[closes.length - 1]!.connection, connections[connections.length - 1]!.connection)
      assert.isTrue(Option.isNone(yield* store.get([0, 1])))
    }).pipe(Effect.provide(Layer.merge(simulatorWith({ guilds: 1 }), SessionStore.layerMemory))))
})
