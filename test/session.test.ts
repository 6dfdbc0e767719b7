import * as PlatformError from "@effect/platform/Error"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
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
import { configFor, defaults, gatewayOn, simulatorWith, token } from "./helpers.js"

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

/** A store in memory that records every write (the sequence written) and every clear. */
const recordingStore = () => {
  const inner = SessionStore.makeMemory()
  const writes: Array<number> = []
  let clears = 0
  const store: SessionStore.SessionStore = {
    get: inner.get,
    set: (shard, state) => Effect.zipRight(Effect.sync(() => writes.push(state.sequence)), inner.set(shard, state)),
    clear: (shard) =>
      Effect.zipRight(
        Effect.sync(() => {
          clears++
        }),
        inner.clear(shard)
      )
  }
  return { store, writes, clears: () => clears }
}

/** Lets the gateway's fibers run (the in-memory simulator delivers on microtasks) until `done`. */
const settle = (done: Effect.Effect<boolean>, what: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 10_000; i++) {
      if (yield* done) return
      yield* Effect.yieldNow()
    }
    assert.fail(what)
  })

const acceptedUpTo = (gateway: Gateway.Gateway, sequence: number) =>
  settle(
    Effect.map(gateway.sequence, (s) => Option.isSome(s) && s.value >= sequence),
    `the gateway never accepted sequence ${sequence}`
  )

const storedSequence = (store: SessionStore.SessionStore) =>
  Effect.map(store.get([0, 1]), Option.map((state) => state.sequence))

/** A gateway on the in-memory simulator with `store` as its session store. */
const gatewayWithStore = (store: Layer.Layer<SessionStore.SessionStore>, heartbeatInterval = 1000) =>
  Gateway.layer.pipe(
    Layer.provide(Layer.mergeAll(configFor(), store, IdentifyLimiter.layerMemory())),
    Layer.provideMerge(Simulator.layerMemory({ token, guilds: 1, heartbeatInterval }))
  )

describe("checkpoints", () => {
  it.scoped("each regular heartbeat stores the position of the one before; nothing per event, nothing on op 1, never the position of the moment", () => {
    const { clears, store, writes } = recordingStore()
    return Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      // READY (1) was stored as the session started, before any heartbeat.
      assert.deepStrictEqual(writes, [1])
      for (let i = 0; i < 3; i++) yield* sim.dispatch("TYPING_START_X", typing(i))
      yield* acceptedUpTo(gateway, 5)
      // The first beat (t = 500) records 5; there is nothing an interval old to store yet.
      yield* TestClock.adjust(500)
      yield* sim.takePayload(1)
      assert.deepStrictEqual(writes, [1])
      for (let i = 3; i < 5; i++) yield* sim.dispatch("TYPING_START_X", typing(i))
      yield* acceptedUpTo(gateway, 7)
      // The second beat (t = 1500) stores what the first recorded (5), not the current 7.
      yield* TestClock.adjust(1000)
      yield* settle(Effect.sync(() => writes.length === 2), "no checkpoint at the second beat")
      assert.deepStrictEqual(writes, [1, 5])
      assert.deepStrictEqual(yield* storedSequence(store), Option.some(5))
      // A heartbeat request (op 1) is answered, but is not a regular beat: no checkpoint.
      yield* sim.requestHeartbeat
      yield* sim.takePayload(1)
      yield* sim.takePayload(1)
      // The third beat (t = 2500) stores 7.
      yield* TestClock.adjust(1000)
      yield* settle(Effect.sync(() => writes.length === 3), "no checkpoint at the third beat")
      assert.deepStrictEqual(writes, [1, 5, 7])
      // Idle: the position does not move, nothing more is written.
      yield* TestClock.adjust(3000)
      assert.deepStrictEqual(writes, [1, 5, 7])
      // A dropped connection stores the checkpoint, not the position of the moment (8).
      yield* sim.dispatch("TYPING_START_X", typing(5))
      yield* acceptedUpTo(gateway, 8)
      const first = yield* sim.takeConnection
      yield* sim.drop
      yield* sim.takeConnection
      const resume = yield* sim.takePayload(6)
      assert.notStrictEqual(resume.connection, first.connection)
      assert.strictEqual((resume.d as { seq: number }).seq, 8)
      assert.deepStrictEqual(yield* storedSequence(store), Option.some(7))
      assert.strictEqual(clears(), 0)
    }).pipe(
      Effect.provide(gatewayWithStore(Layer.succeed(SessionStore.SessionStore, store))),
      Effect.withRandom(Random.fixed([0.5]))
    )
  })

  it.scoped("a pause after heartbeats hands over the checkpoint: the restarted gateway gets the events since again", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const store = yield* SessionStore.SessionStore
      const delivered = yield* Effect.scoped(Effect.gen(function*() {
        const gateway = yield* Gateway.make
        const events = yield* gateway.subscribe
        yield* TestClock.adjust(500)
        yield* sim.dispatch("TYPING_START_X", typing(0))
        yield* acceptedUpTo(gateway, 3)
        yield* TestClock.adjust(1000)
        yield* sim.dispatch("TYPING_START_X", typing(1))
        yield* acceptedUpTo(gateway, 4)
        yield* gateway.pause
        return yield* events.pipe(Stream.take(4), Stream.runCollect)
      }))
      assert.deepStrictEqual(sequences(Chunk.toReadonlyArray(delivered)), [1, 2, 3, 4])
      // Recorded at the first beat (t = 500), an interval old at the pause (t = 1500).
      assert.deepStrictEqual(yield* storedSequence(store), Option.some(2))
      yield* Effect.scoped(Effect.gen(function*() {
        const gateway = yield* Gateway.make
        const resume = yield* sim.takePayload(6)
        assert.strictEqual((resume.d as { seq: number }).seq, 2)
        const replayed = yield* gateway.events.pipe(
          Stream.filter((event) => event.type === "UNKNOWN_EVENT"),
          Stream.take(2),
          Stream.runCollect
        )
        assert.deepStrictEqual(sequences(Chunk.toReadonlyArray(replayed)), [3, 4])
      }))
    }).pipe(
      Effect.provide(Layer.merge(simulatorWith({ guilds: 1, heartbeatInterval: 1000 }), SessionStore.layerMemory)),
      Effect.withRandom(Random.fixed([0.5]))
    ))
})

const captureLogs = (lines: Array<string>) =>
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message }) => lines.push(`${logLevel.label} ${Array.isArray(message) ? message[0] : message}`))
  )

describe("checkpoints of a resumed session", () => {
  it.scoped("a gateway started on a stored session keeps it as stored until its first checkpoint", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const store = yield* SessionStore.SessionStore
      yield* Effect.scoped(Effect.gen(function*() {
        const gateway = yield* Gateway.make
        yield* untilGuildCreate(gateway)
        yield* gateway.pause
      }))
      assert.deepStrictEqual(yield* storedSequence(store), Option.some(2))
      yield* Effect.scoped(Effect.gen(function*() {
        const gateway = yield* Gateway.make
        assert.strictEqual(((yield* sim.takePayload(6)).d as { seq: number }).seq, 2)
        // RESUMED is 3; then 4 to 6, and the connection drops before the first heartbeat.
        for (let i = 0; i < 3; i++) yield* sim.dispatch("TYPING_START_X", typing(i))
        yield* acceptedUpTo(gateway, 6)
        yield* sim.drop
        assert.strictEqual(((yield* sim.takePayload(6)).d as { seq: number }).seq, 6)
        assert.deepStrictEqual(yield* storedSequence(store), Option.some(2))
        yield* gateway.pause
      }))
      assert.deepStrictEqual(yield* storedSequence(store), Option.some(2))
    }).pipe(Effect.provide(Layer.merge(simulatorWith({ guilds: 1 }), SessionStore.layerMemory))))
})

describe("SessionStore on a KeyValueStore", () => {
  it.effect("round trip: one JSON value per shard and shard count, under the prefix; clear removes it", () =>
    Effect.gen(function*() {
      const kv = yield* KeyValueStore.KeyValueStore
      const store = yield* SessionStore.makeKeyValueStore()
      const state = { sessionId: "abc", sequence: 42, resumeUrl: "wss://resume.example" }
      yield* store.set([0, 1], state)
      yield* store.set([0, 2], { ...state, sequence: 7 })
      assert.deepStrictEqual(yield* store.get([0, 1]), Option.some(state))
      assert.deepStrictEqual(yield* store.get([0, 2]), Option.some({ ...state, sequence: 7 }))
      assert.deepStrictEqual(yield* store.get([1, 2]), Option.none())
      const raw = Option.getOrThrow(yield* kv.get(`${SessionStore.defaultPrefix}shard-0-of-1`))
      assert.deepStrictEqual(JSON.parse(raw), state)
      yield* store.clear([0, 1])
      assert.deepStrictEqual(yield* store.get([0, 1]), Option.none())
      assert.isTrue(Option.isSome(yield* store.get([0, 2])))
      // Clearing what is not there is no failure.
      yield* store.clear([0, 1])
      // Another prefix is another store.
      const other = yield* SessionStore.makeKeyValueStore({ prefix: "bot-2/" })
      assert.deepStrictEqual(yield* other.get([0, 2]), Option.none())
      yield* other.set([0, 2], state)
      assert.isTrue(Option.isSome(yield* kv.get("bot-2/shard-0-of-2")))
    }).pipe(Effect.provide(KeyValueStore.layerMemory)))

  it.effect("a corrupt or foreign value is no session, with a warning, never a failure", () => {
    const lines: Array<string> = []
    return Effect.gen(function*() {
      const kv = yield* KeyValueStore.KeyValueStore
      const store = yield* SessionStore.makeKeyValueStore()
      const key = `${SessionStore.defaultPrefix}shard-0-of-1`
      for (
        const value of [
          "{\"sessionId\":\"abc\",\"seq", // cut short
          "{\"foo\":1}",
          "{\"sessionId\":\"abc\",\"sequence\":-1,\"resumeUrl\":\"wss://x\"}",
          "{\"sessionId\":\"\",\"sequence\":3,\"resumeUrl\":\"wss://x\"}",
          ""
        ]
      ) {
        yield* kv.set(key, value)
        assert.deepStrictEqual(yield* store.get([0, 1]), Option.none(), value)
      }
      assert.strictEqual(lines.length, 5)
      for (const line of lines) {
        assert.match(line, /^WARN session store, shard 0 of 1: ignored a stored value that is not a session/)
      }
    }).pipe(Effect.provide(KeyValueStore.layerMemory), Effect.provide(captureLogs(lines)))
  })

  it.scoped("a store that fails every call costs the resume only: the gateway identifies, delivers and shuts down, with warnings", () => {
    const lines: Array<string> = []
    const failure = (method: string) =>
      Effect.fail(new PlatformError.SystemError({ reason: "Unknown", module: "KeyValueStore", method, description: "disk on fire" }))
    const failing = Layer.succeed(
      KeyValueStore.KeyValueStore,
      KeyValueStore.make({
        get: () => failure("get"),
        getUint8Array: () => failure("getUint8Array"),
        set: () => failure("set"),
        remove: () => failure("remove"),
        clear: failure("clear"),
        size: failure("size")
      })
    )
    return Effect.gen(function*() {
      const sim = yield* Simulator
      const ended = yield* Effect.scoped(Effect.gen(function*() {
        const gateway = yield* Gateway.make
        yield* TestClock.adjust(500)
        yield* sim.dispatch("TYPING_START_X", typing(0))
        yield* acceptedUpTo(gateway, 3)
        // A checkpoint write fails at the second beat; the gateway goes on.
        yield* TestClock.adjust(1000)
        yield* sim.dispatch("TYPING_START_X", typing(1))
        const event = yield* gateway.events.pipe(
          Stream.filter((event) => event.type === "UNKNOWN_EVENT" && event.sequence === 4),
          Stream.runHead
        )
        assert.isTrue(Option.isSome(event))
        assert.strictEqual(yield* gateway.status.get, "Ready")
        return "shut down"
      }))
      assert.strictEqual(ended, "shut down")
      assert.strictEqual((yield* sim.closes).at(-1)?.code, 1000)
      const warnings = lines.filter((line) => line.startsWith("WARN session store"))
      assert.isTrue(warnings.some((line) => line.includes("could not read the stored session; identifying anew")), lines.join("\n"))
      assert.isTrue(warnings.some((line) => line.includes("could not store the session")), lines.join("\n"))
      assert.isTrue(warnings.some((line) => line.includes("could not clear the stored session")), lines.join("\n"))
      assert.isTrue(warnings.every((line) => line.includes("disk on fire")))
    }).pipe(
      Effect.provide(Layer.provideMerge(
        Layer.mergeAll(configFor(), SessionStore.layerKeyValueStore().pipe(Layer.provide(failing)), IdentifyLimiter.layerMemory()),
        Simulator.layerMemory({ token, guilds: 1, heartbeatInterval: 1000 })
      )),
      Effect.provide(captureLogs(lines)),
      Effect.withRandom(Random.fixed([0.5]))
    )
  })
})
