/**
 * The frame reader parses short frames in the socket callback and queues long uncompressed JSON
 * frames as text for the shard's fiber (`ParseInCallbackBelow`): a long frame must get the same
 * treatment as a short one, whoever parses it.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Gateway from "../src/Gateway.js"
import type { GatewayEvent } from "../src/GatewayEvent.js"
import * as GatewayMetrics from "../src/GatewayMetrics.js"
import { ParseInCallbackBelow } from "../src/internal/frameReader.js"
import * as Fixtures from "../src/testing/fixtures.js"
import { Simulator } from "../src/testing/Simulator.js"
import { gatewayOn, nextPayload, withinRealTime } from "./helpers.js"

const badFrames = Effect.map(Metric.value(GatewayMetrics.badFrames.pipe(Metric.tagged("shard", "0"))), (s) => s.count)

/** The first MESSAGE_CREATE of `stream`, or a failure after 5 s of real time. */
const firstMessage = (stream: Stream.Stream<GatewayEvent, unknown>) =>
  stream.pipe(
    Stream.filter((event) => event.type === "MESSAGE_CREATE"),
    Stream.runHead,
    Effect.map((event) => Option.getOrThrow(event)),
    Effect.map((event) => (event.type === "MESSAGE_CREATE" ? event.data : undefined)!),
    withinRealTime("no MESSAGE_CREATE arrived")
  )

/** JSON with trailing spaces up to `length`: still the same JSON. */
const padded = (payload: unknown, length = ParseInCallbackBelow * 2) => {
  const text = JSON.stringify(payload)
  return text + " ".repeat(Math.max(0, length - text.length))
}

describe("frame reader: long frames parsed by the shard's fiber", () => {
  it.scoped("a long frame that is not JSON is a bad frame; the next dispatch is delivered", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const stream = yield* gateway.subscribeWith({ replay: false }) // subscribed now
      const before = yield* badFrames
      yield* sim.sendRaw("x".repeat(ParseInCallbackBelow * 2))
      yield* sim.sendRaw(padded("not a payload"))
      const message = Fixtures.messageCreate({ id: Fixtures.snowflake(77), channelId: "10", content: "after" })
      yield* sim.dispatch("MESSAGE_CREATE", message)
      const first = yield* firstMessage(stream)
      assert.strictEqual(first.content, "after")
      assert.strictEqual((yield* badFrames) - before, 2)
    }).pipe(Effect.provide(gatewayOn())))

  it.scoped("a long dispatch is delivered, and its sequence goes into the next heartbeat", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const stream = yield* gateway.subscribeWith({ replay: false }) // subscribed now
      const content = "y".repeat(ParseInCallbackBelow * 3)
      const message = Fixtures.messageCreate({ id: Fixtures.snowflake(78), channelId: "10", content })
      yield* sim.dispatch("MESSAGE_CREATE", message)
      const event = yield* firstMessage(stream)
      assert.strictEqual(event.content, content)
      const sequence = Option.getOrThrow(yield* gateway.sequence)
      yield* TestClock.adjust(1000)
      const beat = yield* nextPayload(sim, 1)
      assert.strictEqual(beat.d, sequence)
    }).pipe(
      Effect.provide(gatewayOn({ heartbeatInterval: 1000 })),
      Effect.withRandom(Random.fixed([0.5]))
    ))

  it.scoped("a long heartbeat ACK still counts as the ACK", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      yield* sim.setAckHeartbeats(false)
      yield* TestClock.adjust(500)
      yield* nextPayload(sim, 1)
      assert.isTrue(Option.isNone(yield* gateway.latency))
      yield* TestClock.adjust(20)
      yield* sim.sendRaw(padded({ op: 11, d: null }))
      // The ACK is read by the shard's fiber: wait for it to take the frame.
      let latency = yield* gateway.latency
      for (let i = 0; i < 100 && Option.isNone(latency); i++) {
        yield* Effect.yieldNow()
        latency = yield* gateway.latency
      }
      assert.strictEqual(Option.getOrThrow(latency).pipe((d) => d.value._tag === "Millis" ? d.value.millis : -1), 20)
    }).pipe(
      Effect.provide(gatewayOn({ heartbeatInterval: 1000 })),
      Effect.withRandom(Random.fixed([0.5]))
    ))
})
