import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Gateway from "../src/Gateway.js"
import type { GatewayEvent } from "../src/GatewayEvent.js"
import * as Fixtures from "../src/testing/fixtures.js"
import { canCompressZstd } from "../src/testing/internal/engine.js"
import { Simulator } from "../src/testing/Simulator.js"
import { expectResume, gatewayOn, nextConnection, nextPayload, token } from "./helpers.js"

// Subscribes now (so nothing dispatched afterwards is missed) and collects in the background.
const afterStartup = (count: number) =>
  Effect.gen(function*() {
    const gateway = yield* Gateway.Gateway
    const stream = yield* gateway.subscribe
    return yield* stream.pipe(
      Stream.filter((event) => event.type !== "READY" && event.type !== "GUILD_CREATE"),
      Stream.take(count),
      Stream.runCollect,
      Effect.map(Chunk.toReadonlyArray),
      Effect.fork
    )
  })

describe("dispatch events", () => {
  it.scoped("decodes a known event with its Schema; narrowing on type narrows data", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const events = yield* afterStartup(1)
      const message = Fixtures.messageCreate({ id: "1300000000000000001", channelId: "1300000000000000002", content: "hi" })
      yield* sim.dispatch("MESSAGE_CREATE", message)
      const [event] = yield* Fiber.join(events)
      if (event?.type !== "MESSAGE_CREATE") return assert.fail(`expected MESSAGE_CREATE, got ${event?.type}`)
      assert.strictEqual(event.data.content, "hi")
      assert.strictEqual(event.data.id, "1300000000000000001")
      assert.strictEqual(event.shard, 0)
      assert.strictEqual(event.sequence, 3)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 }))))

  it.scoped("publishes an event it has no Schema for as UNKNOWN_EVENT with its raw data", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const events = yield* afterStartup(1)
      yield* sim.dispatch("SOMETHING_NEW", { answer: 42 })
      const [event] = yield* Fiber.join(events)
      assert.deepStrictEqual(event, { type: "UNKNOWN_EVENT", name: "SOMETHING_NEW", shard: 0, sequence: 3, data: { answer: 42 } })
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 }))))

  it.scoped("publishes a known event that fails its Schema as DECODE_FAILURE, keeps the connection and the sequence", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const events = yield* afterStartup(2)
      yield* sim.dispatch("MESSAGE_DELETE", { id: 5 })
      yield* sim.dispatch("MESSAGE_DELETE", { id: "6", channel_id: "7" })
      const [failure, next] = yield* Fiber.join(events)
      if (failure?.type !== "DECODE_FAILURE") return assert.fail("expected DECODE_FAILURE")
      assert.strictEqual(failure.name, "MESSAGE_DELETE")
      assert.strictEqual(failure.sequence, 3)
      assert.deepStrictEqual(failure.raw, { id: 5 })
      assert.strictEqual(failure.error._tag, "ParseError")
      assert.strictEqual(next?.type, "MESSAGE_DELETE")
      // The failed event's sequence counts: the next heartbeat and a resume carry 4.
      yield* TestClock.adjust(500)
      const beat = yield* nextPayload(sim, 1)
      assert.strictEqual(beat.op, 1)
      assert.strictEqual(beat.d, 4)
      assert.strictEqual(beat.connection, 1)
      assert.strictEqual((yield* sim.connections).length, 1)
    }).pipe(
      Effect.provide(gatewayOn({ guilds: 1, heartbeatInterval: 1000 })),
      Effect.withRandom(Random.fixed([0.5]))
    ))

  it.scoped("ignores garbage frames and frames that are not gateway payloads without dropping the connection", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const events = yield* afterStartup(1)
      yield* sim.sendRaw("{{{ not json")
      yield* sim.sendRaw(JSON.stringify({ op: "zero", d: null }))
      yield* sim.sendRaw(JSON.stringify([1, 2, 3]))
      yield* sim.sendRaw(JSON.stringify({ op: 0, t: "NO_SEQUENCE", d: {} }))
      yield* sim.dispatch("AFTER_GARBAGE", {})
      const [event] = yield* Fiber.join(events)
      assert.strictEqual(event?.type === "UNKNOWN_EVENT" ? event.name : undefined, "AFTER_GARBAGE")
      assert.strictEqual((yield* sim.connections).length, 1)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 }))))

  it.scoped("drops an event whose sequence was already delivered (duplicate or going backwards)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const events = yield* afterStartup(2)
      yield* sim.dispatch("FIRST", {})
      yield* sim.sendRaw(JSON.stringify({ op: 0, s: 3, t: "FIRST", d: {} }))
      yield* sim.sendRaw(JSON.stringify({ op: 0, s: 1, t: "READY", d: {} }))
      yield* sim.dispatch("SECOND", {})
      const received: ReadonlyArray<GatewayEvent> = yield* Fiber.join(events)
      assert.deepStrictEqual(received.map((event) => (event.type === "UNKNOWN_EVENT" ? event.name : event.type)), [
        "FIRST",
        "SECOND"
      ])
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 }))))

  it.scoped("fans out to every subscriber", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const first = yield* afterStartup(3)
      const second = yield* afterStartup(3)
      for (const name of ["A", "B", "C"]) yield* sim.dispatch(name, {})
      const a = yield* Fiber.join(first)
      const b = yield* Fiber.join(second)
      assert.deepStrictEqual(a, b)
      assert.strictEqual(a.length, 3)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 }))))
})

// zstd-stream: the simulator compresses it with node:zlib, which has zstd from Node 22.15 (CI runs
// these on Node 24; on Node 20 they are skipped).
for (const compression of ["zlib-stream", "zstd-stream"] as const) {
  describe.runIf(compression === "zlib-stream" || canCompressZstd)(`${compression} transport compression`, () => {
    // Discord may split a zlib-stream message across frames; a zstd-stream frame is one message.
    for (const split of compression === "zlib-stream" ? [false, true] : [false]) {
      it.scoped(`decompresses one shared context per connection${split ? ", with messages split across frames" : ""}`, () =>
        Effect.gen(function*() {
          const sim = yield* Simulator
          const events = yield* afterStartup(20)
          const connection = yield* sim.takeConnection
          assert.strictEqual(new URL(connection.url).searchParams.get("compress"), compression)
          for (let i = 0; i < 20; i++) {
            yield* sim.dispatch(
              "MESSAGE_CREATE",
              Fixtures.messageCreate({ id: String(1300000000000000000n + BigInt(i)), channelId: "1300000000000000500" })
            )
          }
          const received = yield* Fiber.join(events)
          assert.deepStrictEqual(received.map((event) => event.type), Array(20).fill("MESSAGE_CREATE"))
          assert.deepStrictEqual(
            received.map((event) => ("sequence" in event ? event.sequence : 0)),
            Array.from({ length: 20 }, (_, i) => i + 4)
          )
        }).pipe(Effect.provide(gatewayOn({ guilds: 2, splitCompressedFrames: split }, { compression }))))
    }

    it.scoped("a corrupt compressed stream leads to a reconnect and resume, not a crash", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator
        const first = yield* nextConnection(sim)
        yield* sim.sendRaw(Uint8Array.of(1, 2, 3, 4, 5, 0, 0, 0xff, 0xff))
        yield* expectResume(sim, first)
      }).pipe(Effect.provide(gatewayOn({ guilds: 1 }, { compression }))))
  })
}

describe("ETF encoding", () => {
  // zstd-stream needs node:zlib's zstd in the simulator (Node 22.15 and later).
  for (const compression of ["none", "zlib-stream", ...(canCompressZstd ? ["zstd-stream" as const] : [])] as const) {
    it.scoped(`binary frames both ways, snowflakes sent as 64-bit integers arrive as the same strings (compression: ${compression})`, () =>
      Effect.gen(function*() {
        const sim = yield* Simulator
        const gateway = yield* Gateway.Gateway
        const events = yield* afterStartup(3)
        const connection = yield* nextConnection(sim)
        assert.strictEqual(new URL(connection.url).searchParams.get("encoding"), "etf")
        const messages = Array.from({ length: 3 }, (_, i) =>
          Fixtures.messageCreate({ id: String(1300000000000000000n + BigInt(i)), channelId: "1300000000000000500", content: `é ${i}` }))
        for (const message of messages) yield* sim.dispatch("MESSAGE_CREATE", message)
        const received = yield* Fiber.join(events)
        // Decoded and checked by the same Schemas as JSON: ids are strings again, the rest as sent.
        assert.deepStrictEqual(received.map((event) => event.type), ["MESSAGE_CREATE", "MESSAGE_CREATE", "MESSAGE_CREATE"])
        assert.deepStrictEqual(received.map((event) => (event.type === "MESSAGE_CREATE" ? event.data : undefined)) as Array<unknown>, messages)
        // The identify and a command went out as ETF and the simulator read them.
        const identify = yield* nextPayload(sim, 2)
        assert.strictEqual(identify.op, 2)
        assert.strictEqual(identify.connection, connection.connection)
        assert.strictEqual((identify.d as { token: string }).token, token)
        assert.deepStrictEqual((identify.d as { shard: unknown }).shard, [0, 1])
        const presence = { since: null, activities: [], status: "idle", afk: false } as const
        yield* gateway.updatePresence(presence)
        const update = yield* nextPayload(sim, 3)
        assert.strictEqual(update.op, 3)
        assert.strictEqual(update.connection, connection.connection)
        assert.deepStrictEqual(update.d, presence)
      }).pipe(Effect.provide(gatewayOn({ guilds: 2 }, { encoding: "etf", compression }))))
  }

  it.scoped("an ETF frame that does not decode is ignored; the connection goes on", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const events = yield* afterStartup(1)
      yield* sim.takeConnection
      yield* sim.sendRaw(Uint8Array.of(131, 108, 255, 255, 255, 255))
      yield* sim.sendRaw("a text frame")
      yield* sim.dispatch("MESSAGE_CREATE", Fixtures.messageCreate({ id: "1300000000000000001", channelId: "1300000000000000500" }))
      assert.deepStrictEqual((yield* Fiber.join(events)).map((event) => event.type), ["MESSAGE_CREATE"])
      assert.strictEqual((yield* sim.connections).length, 1)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 }, { encoding: "etf" }))))

  it.scoped("a compressed stream that inflates to garbage leads to a reconnect and resume", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const first = yield* nextConnection(sim)
      yield* sim.sendRaw(Uint8Array.of(1, 2, 3, 4, 5, 0, 0, 0xff, 0xff))
      yield* expectResume(sim, first)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 }, { encoding: "etf", compression: "zlib-stream" }))))
})

describe("decode: none", () => {
  it.scoped("publishes every dispatch as UNKNOWN_EVENT with its raw data, checked against nothing", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const stream = yield* gateway.subscribe
      // READY too arrives as UNKNOWN_EVENT (the session still starts from it)
      const fiber = yield* stream.pipe(
        Stream.filter((e) => !(e.type === "UNKNOWN_EVENT" && e.name === "READY")),
        Stream.take(2),
        Stream.runCollect,
        Effect.fork
      )
      const broken = { id: 5, content: 42 } // would fail MESSAGE_CREATE's Schema
      yield* sim.dispatch("MESSAGE_CREATE", broken)
      yield* sim.dispatch("TYPING_START", { channel_id: "10", user_id: "20", timestamp: 1 })
      const events = [...(yield* Fiber.join(fiber))]
      assert.deepStrictEqual(events.map((e) => (e.type === "UNKNOWN_EVENT" ? [e.name, e.data] : [e.type])), [
        ["MESSAGE_CREATE", broken],
        ["TYPING_START", { channel_id: "10", user_id: "20", timestamp: 1 }]
      ])
    }).pipe(Effect.provide(gatewayOn({ guilds: 0 }, { decode: "none" }))))
})
