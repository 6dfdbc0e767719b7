import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as TestClock from "effect/TestClock"
import * as Gateway from "../src/Gateway.js"
import { Simulator } from "../src/testing/Simulator.js"
import { gatewayOn, token } from "./helpers.js"

const heartbeats = (sim: Simulator) =>
  Effect.map(sim.payloads, (payloads) => payloads.filter((payload) => payload.op === 1))

describe("heartbeat", () => {
  it.scoped("sends the first heartbeat after interval × jitter, with jitter from Effect's Random", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      yield* TestClock.adjust(249)
      assert.strictEqual((yield* heartbeats(sim)).length, 0)
      yield* TestClock.adjust(1)
      const beat = yield* sim.takePayload(1)
      assert.strictEqual(beat.at, 250)
    }).pipe(
      Effect.provide(gatewayOn({ heartbeatInterval: 1000, guilds: 1 })),
      Effect.withRandom(Random.fixed([0.25]))
    ))

  it.scoped("then beats every interval with the last sequence received", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      yield* TestClock.adjust(500)
      // READY is sequence 1, the one GUILD_CREATE sequence 2.
      assert.strictEqual((yield* sim.takePayload(1)).d, 2)
      yield* sim.dispatch("TYPING_START", { channel_id: "1", user_id: "2", timestamp: 0 })
      yield* TestClock.adjust(999)
      assert.strictEqual((yield* heartbeats(sim)).length, 1)
      yield* TestClock.adjust(1)
      const second = yield* sim.takePayload(1)
      assert.strictEqual(second.d, 3)
      assert.strictEqual(second.at, 1500)
    }).pipe(
      Effect.provide(gatewayOn({ heartbeatInterval: 1000, guilds: 1 })),
      Effect.withRandom(Random.fixed([0.5]))
    ))

  it.scoped("answers a server heartbeat request (op 1) at once", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      yield* sim.requestHeartbeat
      const beat = yield* sim.takePayload(1)
      assert.strictEqual(beat.at, 0)
    }).pipe(
      Effect.provide(gatewayOn({ heartbeatInterval: 41_250, guilds: 1 })),
      Effect.withRandom(Random.fixed([0.9]))
    ))

  it.scoped("measures latency as the time from a heartbeat to its ACK", () =>
    Effect.gen(function*() {
      const gateway = yield* Gateway.Gateway
      const sim = yield* Simulator
      assert.isTrue(Option.isNone(yield* gateway.latency))
      yield* TestClock.adjust(500)
      yield* sim.takePayload(1)
      const latency = yield* gateway.latency
      assert.isTrue(Option.isSome(latency))
    }).pipe(
      Effect.provide(gatewayOn({ heartbeatInterval: 1000 })),
      Effect.withRandom(Random.fixed([0.5]))
    ))

  it.scoped("closes a zombie connection (no ACK between two beats) with a non-1000 code and resumes", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const sessionId = Option.getOrThrow(yield* gateway.sessionId)
      yield* sim.takeConnection
      yield* sim.setAckHeartbeats(false)
      yield* TestClock.adjust(500)
      yield* sim.takePayload(1)
      yield* TestClock.adjust(999)
      assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 6).length, 0)
      yield* TestClock.adjust(1)
      const close = yield* sim.takeClose
      assert.notStrictEqual(close.code, 1000)
      assert.notStrictEqual(close.code, 1001)
      yield* sim.setAckHeartbeats(true)
      const reconnect = yield* sim.takeConnection
      assert.include(reconnect.url, "resume")
      const resume = yield* sim.takePayload(6)
      assert.deepStrictEqual(resume.d, { token, session_id: sessionId, seq: 2 })
    }).pipe(
      Effect.provide(gatewayOn({ heartbeatInterval: 1000, guilds: 1, resumeUrl: "ws://simulator.memory/resume" })),
      Effect.withRandom(Random.fixed([0.5]))
    ))

  it.scoped("keeps beating while nobody reads the event stream", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      for (let i = 0; i < 200; i++) {
        yield* sim.dispatch("TYPING_START", { channel_id: "1", user_id: "2", timestamp: i })
      }
      yield* TestClock.adjust(10_500)
      assert.strictEqual((yield* heartbeats(sim)).length, 11)
      assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 6 || p.op === 2).length, 1)
    }).pipe(
      Effect.provide(gatewayOn({ heartbeatInterval: 1000 }, { eventBufferCapacity: 16 })),
      Effect.withRandom(Random.fixed([0.5]))
    ))
})
