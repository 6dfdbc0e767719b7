/**
 * The soak test's client, in a process of its own so that the memory the soak bounds is
 * the client's alone (scripts/soak.ts spawns it with `node --expose-gc --import tsx`; the
 * simulator, its ground truth and the checker stay in the parent).
 *
 * It runs the Gateway (or `Sharding` when SOAK_SHARDS > 1) over NodeSocket against
 * SOAK_URL, subscribes before anything can be published, and ships what it delivers to
 * the parent over IPC in batches.
 *
 * Protocol, JSON over the IPC channel:
 * - child → parent `{ type: "ready" }` once subscribed (READY comes in the first batches);
 * - child → parent `{ type: "events", events, rss, ready, loopP99, loopMax }` every 50 ms, and
 *   as soon as 500 events are waiting: the events delivered since the last batch (`WireEvent`),
 *   `process.memoryUsage.rss()` (not settled), whether every shard is READY, and the event-loop
 *   delay in ms (p99 and max since the start);
 * - parent → child `{ type: "measure" }`, answered by `{ type: "rss", rss }` taken after `global.gc()`;
 * - child → parent `{ type: "fatal", message }` when the event stream fails or ends;
 * - parent → child `{ type: "finish" }`, answered by the last batch of events and then
 *   `{ type: "done", rss, loopP99, loopMax, warnings }`; the parent then ends the child (which
 *   also exits when the IPC channel closes).
 *
 * Environment: SOAK_URL, SOAK_TOKEN, SOAK_COMPRESSION (`zlib-stream` or `none`), SOAK_SHARDS.
 */
import { NodeHttpClient, NodeSocket } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Stream from "effect/Stream"
import { monitorEventLoopDelay } from "node:perf_hooks"
import * as Gateway from "../src/Gateway.js"
import * as GatewayConfig from "../src/GatewayConfig.js"
import type { GatewayFatalError } from "../src/GatewayError.js"
import type { ShardingEvent } from "../src/GatewayEvent.js"
import * as IdentifyLimiter from "../src/IdentifyLimiter.js"
import * as Sharding from "../src/Sharding.js"
import * as SessionStore from "../src/SessionStore.js"

/**
 * One delivered event, as small as it can be: a dispatch is `[shard, sequence, name]`,
 * plus READY's session id; a SESSION_LOST is an object (rare, and it has more fields).
 */
export type WireEvent =
  | readonly [shard: number, sequence: number, name: string]
  | readonly [shard: number, sequence: number, name: string, readySessionId: string]
  | {
    readonly shard: number
    readonly lost: string
    readonly lastSequence: number
    readonly reason: string
  }

/** What the client sends to the parent. */
export type ClientMessage =
  | { readonly type: "ready" }
  | {
    readonly type: "events"
    readonly events: ReadonlyArray<WireEvent>
    readonly rss: number
    readonly ready: boolean
    readonly loopP99: number
    readonly loopMax: number
  }
  | { readonly type: "rss"; readonly rss: number }
  | { readonly type: "fatal"; readonly message: string }
  | {
    readonly type: "done"
    readonly rss: number
    readonly loopP99: number
    readonly loopMax: number
    readonly warnings: ReadonlyArray<readonly [string, number]>
  }

/** What the parent sends to the client. */
export type ParentMessage = { readonly type: "measure" } | { readonly type: "finish" }

const url = process.env["SOAK_URL"]
const token = process.env["SOAK_TOKEN"]
const compressionEnv = process.env["SOAK_COMPRESSION"]
const compression = compressionEnv === "none" || compressionEnv === "zstd-stream" ? compressionEnv : "zlib-stream"
const encoding = process.env["SOAK_ENCODING"] === "etf" ? "etf" : "json"
const shards = Number(process.env["SOAK_SHARDS"] ?? "1")
if (url === undefined || token === undefined || !Number.isInteger(shards) || shards < 1) {
  throw new Error("SOAK_URL, SOAK_TOKEN and SOAK_SHARDS (>= 1) must be set (run scripts/soak.ts, not the client)")
}

const send = (message: ClientMessage, callback?: () => void): void => {
  if (process.send === undefined) throw new Error("the soak client must be spawned with an IPC channel")
  process.send(message, undefined, undefined, callback)
}

const gc = (globalThis as { gc?: () => void }).gc
const loopDelay = monitorEventLoopDelay({ resolution: 10 })
loopDelay.enable()
const millis = (nanos: number) => Math.round(nanos / 1e6)

const batchSize = 500
const batchMillis = 50
let batch: Array<WireEvent> = []
// Whether every shard is READY, refreshed by a fiber: the parent only calls the run
// settled when the client is READY and has delivered everything.
let ready = false

const flush = (): void => {
  const events = batch
  batch = []
  send({
    type: "events",
    events,
    rss: process.memoryUsage.rss(),
    ready,
    loopP99: millis(loopDelay.percentile(99)),
    loopMax: millis(loopDelay.max)
  })
}

const wire = (event: Exclude<ShardingEvent, { readonly type: "RESHARDED" }>): WireEvent => {
  switch (event.type) {
    case "SESSION_LOST":
      return { shard: event.shard, lost: event.sessionId, lastSequence: event.lastSequence, reason: event.reason }
    case "READY":
      return [event.shard, event.sequence, "READY", event.data.session_id]
    case "UNKNOWN_EVENT":
      return [event.shard, event.sequence, event.name]
    case "DECODE_FAILURE": {
      const raw = event.raw as { session_id?: unknown } | null
      return event.name === "READY" && typeof raw?.session_id === "string"
        ? [event.shard, event.sequence, event.name, raw.session_id]
        : [event.shard, event.sequence, event.name]
    }
    default:
      return [event.shard, event.sequence, event.type]
  }
}

// Warnings and worse are counted, not printed: the chaos makes the gateway log every reconnect.
const warnings = new Map<string, number>()
const countingLogger = Logger.make(({ logLevel, message }) => {
  if (LogLevel.lessThan(logLevel, LogLevel.Warning)) return
  const text = String(Array.isArray(message) ? message[0] : message).replace(/\d+/g, "N").slice(0, 80)
  const key = `${logLevel.label} ${text}`
  warnings.set(key, (warnings.get(key) ?? 0) + 1)
})

process.on("message", (message: ParentMessage) => {
  switch (message.type) {
    case "measure": {
      gc?.()
      send({ type: "rss", rss: process.memoryUsage.rss() })
      return
    }
    case "finish": {
      flush()
      gc?.()
      send({
        type: "done",
        rss: process.memoryUsage.rss(),
        loopP99: millis(loopDelay.percentile(99)),
        loopMax: millis(loopDelay.max),
        warnings: [...warnings]
      })
      // The parent ends this process once it has the answer: exiting here could let
      // the exit overtake the message.
      return
    }
  }
})
// The parent is gone (it ended or crashed): nobody is left to ship events to.
process.on("disconnect", () => process.exit(0))

/** The events of the client under test and whether all of its shards are READY. */
interface Source {
  readonly events: Stream.Stream<ShardingEvent, GatewayFatalError>
  readonly allReady: Effect.Effect<boolean>
}

const single = Effect.gen(function*() {
  const gateway = yield* Gateway.make
  // The first subscriber gets everything since the start, READY included.
  const events = yield* gateway.subscribe
  return { events, allReady: Effect.map(gateway.status.get, (status) => status === "Ready") } satisfies Source
})

const sharded = Effect.gen(function*() {
  const sharding = yield* Sharding.make({ shards })
  const events = yield* sharding.subscribe
  return {
    events,
    allReady: Effect.map(sharding.statuses, (statuses) => statuses.every((shard) => shard.status === "Ready"))
  } satisfies Source
}).pipe(Effect.provide(IdentifyLimiter.layerMemory({ maxConcurrency: shards })))

const program = Effect.gen(function*() {
  const source: Source = shards === 1 ? yield* single : yield* sharded
  yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
    ready = yield* source.allReady
    yield* Effect.sleep(100)
  })))
  const timer = setInterval(flush, batchMillis)
  yield* Effect.addFinalizer(() => Effect.sync(() => clearInterval(timer)))
  send({ type: "ready" })
  const exit = yield* Effect.exit(Stream.runForEach(source.events, (event) => {
    if (event.type === "RESHARDED") {
      return Effect.fail(`unexpected RESHARDED (${event.previousShardCount} → ${event.shardCount} shards)`)
    }
    batch.push(wire(event))
    if (batch.length >= batchSize) flush()
    return Effect.void
  }))
  return exit._tag === "Success" ? "the event stream ended" : `the event stream failed: ${String(exit.cause)}`
})

Effect.runPromise(program.pipe(
  Effect.scoped,
  Effect.provide(Layer.mergeAll(
    GatewayConfig.layer({ token, gatewayUrl: url, compression, encoding }),
    NodeSocket.layerWebSocketConstructor,
    NodeHttpClient.layerUndici,
    SessionStore.layerMemory,
    IdentifyLimiter.layerMemory()
  )),
  Effect.provide(Logger.replace(Logger.defaultLogger, countingLogger))
)).then(
  (message) => message,
  (error: unknown) => `the client failed: ${String(error)}`
).then((message) => {
  flush()
  send({ type: "fatal", message }, () => process.exit(1))
})
