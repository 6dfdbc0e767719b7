/**
 * Our Gateway over a real localhost socket, every event decoded with the full Schema.
 * Counts MESSAGE_CREATE events; any DECODE_FAILURE fails the run.
 */
import { NodeSocket } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Gateway from "../src/Gateway.js"
import * as GatewayConfig from "../src/GatewayConfig.js"
import { env, fail, Meter } from "./common.js"

const { compression, n, token, url } = env()
const meter = new Meter("ours", n)

const program = Effect.gen(function*() {
  const gateway = yield* Gateway.make // waits for READY (waitForReady defaults to true)
  const events = yield* gateway.subscribe // subscribed now: nothing published after this can be missed
  meter.ready()
  yield* events.pipe(
    Stream.runForEach((event) =>
      Effect.sync(() => {
        if (event.type === "MESSAGE_CREATE") {
          meter.tick()
        } else if (event.type === "DECODE_FAILURE") {
          fail(`a dispatch failed its Schema: ${JSON.stringify(event).slice(0, 2000)}`)
        }
      })
    )
  )
})

Effect.runPromise(
  program.pipe(
    Effect.scoped,
    Effect.provide(GatewayConfig.layer({ token, gatewayUrl: url, compression })),
    Effect.provide(NodeSocket.layerWebSocketConstructor)
  )
).then(
  () => {
    if (meter.count < n) fail(`the event stream ended after ${meter.count} messages`)
  },
  (error: unknown) => fail(String(error))
)
