/**
 * Idle shards, ours: `Sharding` with N shards over NodeSocket, the shard count given and the
 * gateway URL and `max_concurrency` from the simulator's `GET /gateway/bot` (NodeHttpClient).
 * Every event is consumed from the merged stream, as a bot would; a DECODE_FAILURE fails the run.
 *
 * The program runs under `Supervisor.track`, which adds each forked fiber to a Set and removes it
 * when it ends, so the live fibers can be counted at READY and at the end of the window. Fibers
 * started outside this program's fiber tree (none are expected) would not be counted.
 */
import { NodeHttpClient, NodeSocket } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Supervisor from "effect/Supervisor"
import * as GatewayConfig from "../src/GatewayConfig.js"
import * as Sharding from "../src/Sharding.js"
import { failIdle, IdleMeter, idleEnv } from "./idle-common.js"
import * as SessionStore from "../src/SessionStore.js"
import * as IdentifyLimiter from "../src/IdentifyLimiter.js"

const { apiBaseUrl, shards, token } = idleEnv()
const tracker = Effect.runSync(Supervisor.track)
// +1: the supervised root fiber itself is not reported by the tracker, only what it forks
const meter = new IdleMeter("ours", shards, () => Effect.runSync(tracker.value).length + 1)

const program = Effect.gen(function*() {
  const sharding = yield* Sharding.make({ shards })
  const events = yield* sharding.subscribe // before any READY can be published
  yield* Effect.forkScoped(Stream.runForEach(events, (event) =>
    Effect.sync(() => {
      meter.events++
      if (event.type === "DECODE_FAILURE") failIdle(`a dispatch failed its Schema: ${JSON.stringify(event).slice(0, 2000)}`)
    })))
  yield* sharding.ready
  meter.allReady()
  return yield* Effect.never
})

Effect.runPromise(
  program.pipe(
    Effect.scoped,
    Effect.provide(Layer.mergeAll(
      GatewayConfig.layer({
        token,
        apiBaseUrl,
        waitForReady: false,
        // BENCH_STARTUP_REPLAY=first-subscriber: keep no READY / GUILD_CREATE for late subscribers
        // (this client subscribes before any READY), to tell what the default replay costs.
        startupReplay: process.env["BENCH_STARTUP_REPLAY"] === "first-subscriber" ? "first-subscriber" : "session"
      }),
      NodeSocket.layerWebSocketConstructor,
      NodeHttpClient.layerUndici,
      SessionStore.layerMemory,
      IdentifyLimiter.layerMemory()
    )),
    Effect.supervised(tracker)
  )
).then(
  () => failIdle("the program ended"),
  (error: unknown) => failIdle(String(error))
)
