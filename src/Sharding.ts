/**
 * Many shards in one process under one scoped service: one merged event stream
 * (each event carries its `shard`), commands per shard or routed by guild id, a
 * status view of every shard, identify concurrency as Discord states it, and
 * resharding when Discord requires more shards (close 4011).
 *
 * - Shard count and gateway URL come from `GET /gateway/bot` (an `HttpClient` must be
 *   provided) unless both are configured.
 * - Identify: bucket = `shard_id % max_concurrency`, one Identify per bucket per 5 s,
 *   buckets in parallel, shards of a bucket in id order (the `IdentifyLimiter` service;
 *   by default in memory, from `max_concurrency` and `session_start_limit`). When fewer
 *   session starts remain than shards to start, the start waits for the reset.
 * - Resharding (4011 from any shard, or `reshard`): a new set of shards starts next to
 *   the old one; its events are held until every new shard is READY; then the stream
 *   gets a `RESHARDED` marker, the new shards' READY and GUILD_CREATE events (a full
 *   snapshot) and their later events, and the old shards are closed. Events up to the
 *   switch come from the old shards, so nothing a live old shard delivered is lost;
 *   an event Discord sent to both sets while the new one started may arrive twice.
 *   A process that runs a fixed list of shard ids (`shardIds`) does not reshard:
 *   4011 fails it with `ScalingRequired`, for the orchestrator to restart it with a new split,
 *   and `reshard` fails with `InvalidShardingOptions`.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Layer, Stream } from "effect"
 * import { GatewayConfig, GatewaySocket, IdentifyLimiter, SessionStore, Sharding } from "effect-discord-gateway"
 *
 * const program = Effect.gen(function*() {
 *   const sharding = yield* Sharding.Sharding
 *   yield* sharding.events.pipe(
 *     Stream.runForEach((event) => Effect.log(`shard ${"shard" in event ? event.shard : "-"}: ${event.type}`))
 *   )
 * })
 *
 * program.pipe(
 *   Effect.provide(Sharding.layer({ shards: "auto" }).pipe(
 *     Layer.provide([
 *       GatewayConfig.layerFromEnv(),
 *       GatewaySocket.layerWebSocketConstructor,
 *       NodeHttpClient.layerUndici,
 *       SessionStore.layerMemory,
 *       IdentifyLimiter.layerMemory()
 *     ])
 *   ))
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { KnownEventName } from "./Events.js"
import type { Gateway, GatewayStatus, Requirements, SubscribeOptions } from "./Gateway.js"
import type * as GatewayError from "./GatewayError.js"
import type { Dispatch, ShardingEvent } from "./GatewayEvent.js"
import * as internal from "./internal/sharding.js"

/**
 * Which shards this process runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface ShardingOptions {
  /** The total shard count, or `"auto"` (default) for Discord's recommendation from `GET /gateway/bot`. */
  readonly shards?: "auto" | number | undefined
  /** The shards this process runs (default: all). Set it to spread shards over processes; such a process does not reshard. */
  readonly shardIds?: ReadonlyArray<number> | undefined
}

/**
 * One shard's state: connection status, heartbeat latency, session id.
 *
 * @since 0.1.0
 * @category models
 */
export interface ShardStatus {
  /** The shard id. */
  readonly shard: number
  /** Its connection state. */
  readonly status: GatewayStatus
  /** The last heartbeat's time from send to ACK. */
  readonly latency: Option.Option<Duration.Duration>
  /** Its session id; `None` before READY. */
  readonly sessionId: Option.Option<string>
}

/**
 * The shards of one process. Every stream fails with the first fatal error.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sharding {
  /**
   * Every shard's events merged (each carries its `shard`), starting with a replay: the first
   * subscriber gets everything since the start, every later one each shard's READY and the
   * GUILD_CREATEs of its session. A `RESHARDED` marker precedes a new shard set's events.
   */
  readonly events: Stream.Stream<ShardingEvent, GatewayError.GatewayFatalError>
  /** The same stream as `events`, subscribed at once in the current scope. */
  readonly subscribe: Effect.Effect<Stream.Stream<ShardingEvent, GatewayError.GatewayFatalError>, never, Scope.Scope>
  /** `subscribe` with options: `{ replay: false }` for live events only. */
  readonly subscribeWith: (
    options: SubscribeOptions
  ) => Effect.Effect<Stream.Stream<ShardingEvent, GatewayError.GatewayFatalError>, never, Scope.Scope>
  /** Only the dispatch events of `types`, typed, as `Gateway`'s `on`. */
  readonly on: <K extends KnownEventName>(
    ...types: readonly [K, ...Array<K>]
  ) => Stream.Stream<Dispatch<K>, GatewayError.GatewayFatalError>
  /** The current total shard count. */
  readonly shardCount: Effect.Effect<number>
  /** The gateways of the shards this process runs now. */
  readonly shards: Effect.Effect<ReadonlyArray<Gateway>>
  /** A shard's gateway (commands, status); `ShardUnavailable` when this process does not run it. */
  readonly shard: (id: number) => Effect.Effect<Gateway, GatewayError.ShardUnavailable>
  /** The gateway of the shard that receives `guildId`'s events: `(guild_id >> 22) % shardCount`. */
  readonly shardForGuild: (
    guildId: string
  ) => Effect.Effect<Gateway, GatewayError.ShardUnavailable | GatewayError.InvalidGuildId>
  /** Every shard's status now. */
  readonly statuses: Effect.Effect<ReadonlyArray<ShardStatus>>
  /** Waits until every shard of the current set is READY (across a reshard). */
  readonly ready: Effect.Effect<void, GatewayError.GatewayFatalError>
  /** Switches to `shardCount` shards (default: Discord's recommendation); see the module's doc. */
  readonly reshard: (
    shardCount?: number
  ) => Effect.Effect<void, GatewayError.GatewayFatalError | GatewayError.InvalidShardingOptions>
  /** Fails with the fatal error once the shards stop for good; never succeeds. */
  readonly awaitFatal: Effect.Effect<never, GatewayError.GatewayFatalError>
}

/**
 * The sharding service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export const Sharding: Context.Tag<Sharding, Sharding> = Context.GenericTag<Sharding>("effect-discord-gateway/Sharding")

/**
 * The shard that receives a guild's events: `(guild_id >> 22) % num_shards`
 * (`undefined` when `guildId` is not a snowflake).
 *
 * @since 0.1.0
 * @category utils
 */
export const shardOf: (guildId: string, shardCount: number) => number | undefined = internal.shardOf

/**
 * Starts the shards in the current scope. Closing the scope closes every shard (close 1000).
 * Waits for every shard to be READY unless the config says `waitForReady: false`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options?: ShardingOptions
) => Effect.Effect<
  Sharding,
  GatewayError.GatewayFatalError | GatewayError.InvalidShardingOptions,
  Scope.Scope | Requirements
> = internal.make

/**
 * Sharding as a scoped layer. It needs what a `Gateway` needs (`Gateway.Requirements`): the
 * `HttpClient` asks `GET /gateway/bot` for the shard count, the URL and the identify limits
 * unless both `shards` and `gatewayUrl` are configured.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: ShardingOptions
): Layer.Layer<Sharding, GatewayError.GatewayFatalError | GatewayError.InvalidShardingOptions, Requirements> =>
  Layer.scoped(Sharding, make(options))
