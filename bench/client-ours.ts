/**
 * Our Gateway over a real localhost socket. `BENCH_DECODE=full` (default, the "ours" row): every
 * event decoded with the full Schema, MESSAGE_CREATE counted, any DECODE_FAILURE fails the run.
 * `BENCH_DECODE=none` (the "ours (envelope only)" row): `decode: "none"`, every dispatch arrives as
 * UNKNOWN_EVENT with its raw data, and those named MESSAGE_CREATE are counted.
 *
 * The events are consumed with `Stream.runForEach` (an Effect per event), as most bots would.
 * `BENCH_CONSUMER=chunk` consumes them with `Stream.runForEachChunk` (one Effect per chunk) instead,
 * to measure how much of the CPU per event is the consumer's own Effect work rather than the gateway's.
 * `BENCH_SETTLE_SITES=1` opts in to `GatewayTuning.layerSettleAllocationSites` (built before the gateway).
 */
import { NodeHttpClient, NodeSocket } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Gateway from "../src/Gateway.js"
import * as GatewayConfig from "../src/GatewayConfig.js"
import * as GatewayTuning from "../src/GatewayTuning.js"
import type { GatewayEvent } from "../src/GatewayEvent.js"
import { decodeEnv, env, fail, Meter, oursLabel } from "./common.js"
import * as SessionStore from "../src/SessionStore.js"
import * as IdentifyLimiter from "../src/IdentifyLimiter.js"

const { compression, encoding, n, token, url } = env()
const decode = decodeEnv()
const meter = new Meter(oursLabel(decode), n)

const program = Effect.gen(function*() {
  const gateway = yield* Gateway.make // waits for READY (waitForReady defaults to true)
  const events = yield* gateway.subscribe // subscribed now: nothing published after this can be missed
  meter.ready()
  const onEvent = (event: GatewayEvent): void => {
    if (event.type === "MESSAGE_CREATE" || (event.type === "UNKNOWN_EVENT" && event.name === "MESSAGE_CREATE")) {
      meter.tick()
    } else if (event.type === "DECODE_FAILURE") {
      fail(`a dispatch failed its Schema: ${JSON.stringify(event).slice(0, 2000)}`)
    }
  }
  yield* process.env["BENCH_CONSUMER"] === "chunk"
    ? Stream.runForEachChunk(events, (chunk) =>
      Effect.sync(() => {
        for (const event of chunk) onEvent(event)
      }))
    : Stream.runForEach(events, (event) => Effect.sync(() => onEvent(event)))
})

Effect.runPromise(
  program.pipe(
    Effect.scoped,
    Effect.provide(GatewayConfig.layer({ token, gatewayUrl: url, compression, encoding, decode })),
    Effect.provide(NodeSocket.layerWebSocketConstructor),
    Effect.provide(Layer.mergeAll(NodeHttpClient.layerUndici, SessionStore.layerMemory, IdentifyLimiter.layerMemory())),
    Effect.provide(process.env["BENCH_SETTLE_SITES"] === "1" ? GatewayTuning.layerSettleAllocationSites : Layer.empty)
  )
).then(
  () => {
    if (meter.count < n) fail(`the event stream ended after ${meter.count} messages`)
  },
  (error: unknown) => fail(String(error))
)
