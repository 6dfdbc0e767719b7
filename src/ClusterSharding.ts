/**
 * Gateway shards spread over the runners of an `@effect/cluster` cluster, with failover that
 * resumes. Each gateway shard is a cluster singleton: the cluster runs it on exactly one runner and,
 * when that runner dies or the shards are rebalanced, starts it on another, which RESUMES the
 * session from the shared `SessionStore` (session id, sequence and resume URL in SQL) instead of
 * identifying anew.
 *
 * - Every runner builds the same `layer({ shards })`. Events are delivered where the shard runs:
 *   `events` / `on` / `shard(id)` / `shardForGuild` cover the shards this runner holds now.
 *   `send` / `sendForGuild` reach any shard, from any runner, through the cluster.
 * - With a `handle` function, each held shard runs it for every event, in order, and the stored
 *   resume position is the last event it finished (written as soon as it moves). A shard that
 *   moves, gracefully or because its runner died, resumes after the last handled event: nothing is
 *   lost, and after a crash only events finished while the last write was in flight (about one
 *   database round trip) come again. Without `handle`, the gateway's heartbeat checkpoints are
 *   stored (see `SessionStore`): a graceful move loses nothing, a crash replays up to two
 *   heartbeat intervals of events.
 * - A graceful move (rebalance, a runner shutting down) closes the shard's connection with 4000,
 *   which keeps the session resumable (1000 would end it), lets the handler finish the event it is
 *   handling (`handoverTimeout`), and stores the position before the next owner starts. The events
 *   still queued are not handled here: the next owner gets them from Discord. The cluster may start
 *   the next owner before this one has finished stopping, so on PostgreSQL (a `SqlClient` of that
 *   dialect in the context) each gateway shard is also fenced by an advisory lock of its own, held
 *   until the old owner's last finalizer: the next owner waits for it (at most `handoverTimeout` +
 *   5 s). A dead runner's locks go with its connection.
 * - Identify buckets and the session start budget must be shared by every runner: provide
 *   `SqlIdentifyLimiter.layer()` on the cluster's database (the in-memory limiter only knows its own
 *   process).
 *
 * @example
 * ```ts
 * import { NodeClusterSocket, NodeHttpClient, NodeRuntime } from "@effect/platform-node"
 * import { PgClient } from "@effect/sql-pg"
 * import { Effect, Layer, Redacted } from "effect"
 * import {
 *   ClusterSharding,
 *   GatewayConfig,
 *   GatewaySocket,
 *   SqlIdentifyLimiter,
 *   SqlSessionStore
 * } from "effect-discord-gateway"
 *
 * const Bot = ClusterSharding.layer({
 *   shards: 16,
 *   handle: (event) => event.type === "MESSAGE_CREATE" ? Effect.log(event.data.content) : Effect.void
 * })
 *
 * const Database = PgClient.layer({ url: Redacted.make("postgres://postgres@localhost:5432/postgres") })
 *
 * Bot.pipe(
 *   Layer.provide([
 *     GatewayConfig.layerFromEnv(),
 *     GatewaySocket.layerWebSocketConstructor,
 *     NodeHttpClient.layerUndici,
 *     SqlSessionStore.layer(),
 *     SqlIdentifyLimiter.layer()
 *   ]),
 *   Layer.provide(NodeClusterSocket.layer({ storage: "sql", shardingConfig: ClusterSharding.shardingConfig })),
 *   Layer.provide(Database),
 *   Layer.launch,
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as ClusterShardingService from "@effect/cluster/Sharding"
import type * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as Commands from "./Commands.js"
import type { KnownEventName } from "./Events.js"
import type { CommandError, Gateway, Requirements, SubscribeOptions } from "./Gateway.js"
import type * as GatewayError from "./GatewayError.js"
import type { Dispatch, GatewayEvent } from "./GatewayEvent.js"
import * as internal from "./internal/clusterSharding.js"
import type { ShardStatus } from "./Sharding.js"

/**
 * What every runner of the cluster runs. Every runner must be given the same options.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterShardingOptions<R = never> {
  /** The total shard count, or `"auto"` for Discord's recommendation (every runner must get the same). */
  readonly shards: "auto" | number
  /**
   * Runs for each event of a shard this runner holds, one at a time per shard, where the shard runs.
   * The stored resume position is the last event it finished (see the module doc). A failure is
   * logged and the handler goes on with the next event.
   */
  readonly handle?: ((event: GatewayEvent) => Effect.Effect<unknown, unknown, R>) | undefined
  /**
   * The prefix of the singleton names and of the command entity's type. Default
   * `"discord-gateway"`; two bots in one cluster need one each.
   */
  readonly name?: string | undefined
  /** The cluster shard group the shards run in. Default `"default"`. */
  readonly shardGroup?: string | undefined
  /**
   * The cluster's `shardsPerGroup` (the same on every runner): the singleton names are chosen so
   * that gateway shard `id` lands on cluster shard `id % shardsPerGroup + 1`, which spreads the
   * gateway shards evenly when it is their count or a multiple of it. Default: the `ShardingConfig`
   * in the context, else the cluster's default (300).
   */
  readonly shardsPerGroup?: number | undefined
  /** How long a handed-over shard's handler may take to finish the event it is handling. Default 10 s. */
  readonly handoverTimeout?: Duration.DurationInput | undefined
}

/**
 * The gateway shards of a cluster, seen from one runner.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterSharding {
  /**
   * The events of every shard this runner holds, merged (each carries its `shard`), starting with
   * a replay as `Sharding`'s. A shard that moves here starts with a RESUMED (or READY) and the
   * events after its stored position.
   */
  readonly events: Stream.Stream<GatewayEvent, GatewayError.GatewayFatalError>
  /** The same stream as `events`, subscribed at once in the current scope. */
  readonly subscribe: Effect.Effect<Stream.Stream<GatewayEvent, GatewayError.GatewayFatalError>, never, Scope.Scope>
  /** `subscribe` with options: `{ replay: false }` for live events only. */
  readonly subscribeWith: (
    options: SubscribeOptions
  ) => Effect.Effect<Stream.Stream<GatewayEvent, GatewayError.GatewayFatalError>, never, Scope.Scope>
  /** Only the dispatch events of `types`, typed, of the shards held here. */
  readonly on: <K extends KnownEventName>(
    ...types: readonly [K, ...Array<K>]
  ) => Stream.Stream<Dispatch<K>, GatewayError.GatewayFatalError>
  /** The total shard count of the cluster. */
  readonly shardCount: number
  /** The ids of the shards this runner holds now. */
  readonly held: Effect.Effect<ReadonlyArray<number>>
  /** The gateways of the shards this runner holds now. */
  readonly shards: Effect.Effect<ReadonlyArray<Gateway>>
  /** A shard's gateway, when this runner holds it; `ShardUnavailable` otherwise. */
  readonly shard: (id: number) => Effect.Effect<Gateway, GatewayError.ShardUnavailable>
  /** The gateway of the shard of `guildId`, when this runner holds it. */
  readonly shardForGuild: (
    guildId: string
  ) => Effect.Effect<Gateway, GatewayError.ShardUnavailable | GatewayError.InvalidGuildId>
  /** The status of every shard held here. */
  readonly statuses: Effect.Effect<ReadonlyArray<ShardStatus>>
  /**
   * Sends a command to shard `shard`, wherever it runs: through the cluster to its runner. Fails
   * with `ShardUnavailable` when the shard does not start on its owner within 10 s (a failover in
   * progress takes a few seconds) or the cluster cannot deliver the message.
   */
  readonly send: (
    shard: number,
    command: Commands.GatewayCommand
  ) => Effect.Effect<void, CommandError | GatewayError.ShardUnavailable>
  /** `send` to the shard of `guildId`. */
  readonly sendForGuild: (
    guildId: string,
    command: Commands.GatewayCommand
  ) => Effect.Effect<void, CommandError | GatewayError.ShardUnavailable | GatewayError.InvalidGuildId>
  /** Fails with the first fatal error of a shard held here (4004, 4010-4014, ...); never succeeds. */
  readonly awaitFatal: Effect.Effect<never, GatewayError.GatewayFatalError>
}

/**
 * The cluster sharding service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export const ClusterSharding: Context.Tag<ClusterSharding, ClusterSharding> = Context.GenericTag<ClusterSharding>(
  "effect-discord-gateway/ClusterSharding"
)

/**
 * Cluster settings tuned for gateway shards, for `NodeClusterSocket.layer({ shardingConfig })` (or
 * `ShardingConfig.layer`). In the cluster soak (`npm run soak:cluster`, see the README), a dead
 * runner's shards ran again after 3.1-4.7 s with these (median 3.7-4.0 s), and after 9-26 s with
 * the cluster's defaults (a spike measured 31-37 s):
 *
 * - `shardLockRefreshInterval` 1 s and `shardLockExpiration` 4 s: a dead runner's locks lapse
 *   after 4 s at most. A live runner that cannot reach the database for 4 s loses its shards.
 * - `refreshAssignmentsInterval` 1 s: runners notice new assignments within a second.
 * - `runnerHealthCheckInterval` 2 s: a dead runner is noticed within about 2 s.
 *
 * Add the runner's own `runnerAddress`, and set `shardsPerGroup` to the gateway shard count (or a
 * multiple of it) for an even spread.
 *
 * @since 0.1.0
 * @category constants
 */
export const shardingConfig: Partial<ShardingConfig.ShardingConfig["Type"]> = {
  shardLockRefreshInterval: "1 second",
  shardLockExpiration: "4 seconds",
  refreshAssignmentsInterval: "1 second",
  runnerHealthCheckInterval: "2 seconds"
}

/**
 * Registers the shards with the cluster and returns this runner's view of them. The shards start
 * as the cluster assigns them; the effect does not wait for them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <R = never>(
  options: ClusterShardingOptions<R>
) => Effect.Effect<
  ClusterSharding,
  GatewayError.GatewayFatalError | GatewayError.InvalidShardingOptions,
  Scope.Scope | Requirements | ClusterShardingService.Sharding | R
> = internal.make

/**
 * The cluster sharding as a scoped layer. It needs what a `Gateway` needs (`Gateway.Requirements`,
 * with a `SessionStore` and an `IdentifyLimiter` every runner shares: `SqlSessionStore`,
 * `SqlIdentifyLimiter`) and a cluster runner (`NodeClusterSocket.layer`, or `SingleRunner.layer`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <R = never>(
  options: ClusterShardingOptions<R>
): Layer.Layer<
  ClusterSharding,
  GatewayError.GatewayFatalError | GatewayError.InvalidShardingOptions,
  Requirements | ClusterShardingService.Sharding | R
> => Layer.scoped(ClusterSharding, make(options))
