/**
 * One runner of `npm run soak:cluster` (and of test/clusterSharding.test.ts), started by the parent
 * with `node --import tsx` and an IPC channel: a cluster runner on PostgreSQL (`PG_URL`) with
 * `ClusterSharding` for `SHARDS` gateway shards on the simulator whose API is at `SIM_API`, its cluster socket
 * on `RUNNER_PORT`. Its handler reports every event it finishes to the parent (the report is on
 * the IPC pipe before the handler returns, so an event the handler finished was reported, however
 * the process dies), and the shards it holds whenever that changes. Asked by the parent, it sends a
 * presence update to any shard with `ClusterSharding.send`, and reports how that went.
 */
import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import * as Schedule from "effect/Schedule"
import * as ClusterSharding from "../src/ClusterSharding.js"
import * as GatewayConfig from "../src/GatewayConfig.js"
import type { GatewayEvent } from "../src/GatewayEvent.js"
import * as GatewaySocket from "../src/GatewaySocket.js"
import * as SqlIdentifyLimiter from "../src/SqlIdentifyLimiter.js"
import * as SqlSessionStore from "../src/SqlSessionStore.js"

/** What a runner tells the parent. */
export type RunnerMessage =
  | { readonly type: "up"; readonly at: number }
  | { readonly type: "held"; readonly shards: ReadonlyArray<number>; readonly at: number }
  | {
    readonly type: "event"
    readonly shard: number
    readonly s: number
    readonly t: string
    /** MESSAGE_CREATE's `id`, READY's `session_id`. */
    readonly id: string | undefined
    readonly at: number
  }
  | { readonly type: "fatal"; readonly message: string }
  | { readonly type: "sent"; readonly id: number; readonly error: string | undefined }

/** What the parent asks a runner: send a presence update to a shard (through the cluster). */
export type ParentMessage = { readonly type: "send"; readonly id: number; readonly shard: number; readonly name: string }

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === "") throw new Error(`${name} is not set`)
  return value
}

const shards = Number(env("SHARDS"))
const handlerMillis = Number(process.env["HANDLER_MILLIS"] ?? "0")
const identifyIntervalMillis = Number(process.env["IDENTIFY_INTERVAL_MILLIS"] ?? "5000")

/** How often the held shards are looked at: the resolution of the parent's ownership check. */
const heldPollMillis = Number(env("HELD_POLL_MILLIS"))

const report = (message: RunnerMessage): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (process.send === undefined || !process.connected) return resume(Effect.void)
    process.send(message, undefined, {}, () => resume(Effect.void))
  })

const idOf = (event: GatewayEvent): string | undefined => {
  if (event.type === "MESSAGE_CREATE") return event.data.id
  if (event.type === "READY") return event.data.session_id
  return undefined
}

const handle = (event: GatewayEvent) =>
  Effect.gen(function*() {
    if (handlerMillis > 0) yield* Effect.sleep(handlerMillis)
    if (!("sequence" in event)) return
    yield* report({ type: "event", shard: event.shard, s: event.sequence, t: event.type, id: idOf(event), at: Date.now() })
  })

const Runner = ClusterSharding.layer({ shards, handle, shardsPerGroup: shards }).pipe(
  Layer.provide([
    GatewayConfig.layer({
      token: env("TOKEN"),
      // No gateway URL: it comes from GET /gateway/bot, with max_concurrency and the session start budget.
      apiBaseUrl: env("SIM_API"),
      intents: 1 | 512 | 32768
    }),
    GatewaySocket.layerWebSocketConstructor,
    NodeHttpClient.layerUndici,
    SqlSessionStore.layer(),
    SqlIdentifyLimiter.layer({ intervalMillis: identifyIntervalMillis })
  ]),
  Layer.provide(NodeClusterSocket.layer({
    storage: "sql",
    shardingConfig: {
      // CLUSTER_DEFAULTS=1: the cluster's own settings, to compare failover with ours.
      ...(process.env["CLUSTER_DEFAULTS"] === "1" ? {} : ClusterSharding.shardingConfig),
      runnerAddress: Option.some(RunnerAddress.make("127.0.0.1", Number(env("RUNNER_PORT")))),
      shardsPerGroup: shards
    }
  })),
  Layer.provide(PgClient.layer({ url: Redacted.make(env("PG_URL")), maxConnections: 8 }))
)

const main = Effect.gen(function*() {
  const sharding = yield* ClusterSharding.ClusterSharding
  yield* report({ type: "up", at: Date.now() })
  // Commands for any shard, from this runner: through the cluster to the runner that holds it.
  const runFork = Runtime.runFork(yield* Effect.runtime<never>())
  process.on("message", (message: ParentMessage) => {
    if (message.type !== "send") return
    runFork(
      sharding.send(message.shard, {
        op: 3,
        d: { since: null, activities: [{ name: message.name, type: 0 }], status: "online", afk: false }
      }).pipe(
        Effect.timeout("15 seconds"),
        Effect.match({ onFailure: (error) => String(error), onSuccess: () => undefined }),
        Effect.flatMap((error) => report({ type: "sent", id: message.id, error }))
      )
    )
  })
  let last = ""
  // A daemon: on SIGTERM the main fiber is interrupted before the layers close, and the shards'
  // handovers, which end their holdings, come after; the reports go on until the process exits.
  yield* Effect.forkDaemon(Effect.repeat(
    Effect.flatMap(sharding.held, (held) => {
      const key = held.join(",")
      if (key === last) return Effect.void
      last = key
      return report({ type: "held", shards: held, at: Date.now() })
    }),
    Schedule.spaced(`${heldPollMillis} millis`)
  ))
  return yield* Effect.never
}).pipe(
  Effect.tapErrorCause((cause) => report({ type: "fatal", message: String(cause) })),
  // Runners that start at the same moment on a new database race to create @effect/cluster's
  // tables, and PostgreSQL fails the loser's CREATE TABLE IF NOT EXISTS (a unique violation in
  // its catalog), as a defect for the runner storage (`Layer.orDie` in NodeClusterSocket): a
  // runner tries again instead of exiting. Interruption (SIGTERM while starting) is not retried.
  Effect.provide(Runner.pipe(
    Layer.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause) ? Layer.failCause(Cause.map(cause, Cause.fail)) : Layer.fail(cause)
    ),
    Layer.tapError((cause) => Effect.logWarning("the runner could not start; trying again in 1 s", cause)),
    Layer.retry(Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(5))))
  )),
  Effect.provide(Logger.minimumLogLevel(
    process.env["LOG_LEVEL"] === "debug" ? LogLevel.Debug : process.env["LOG_LEVEL"] === "info" ? LogLevel.Info : LogLevel.Warning
  ))
)

NodeRuntime.runMain(main)
