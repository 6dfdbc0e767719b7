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
 *   4011 fails it with `ScalingRequired`, for the orchestrator to restart it with a new split.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Layer, Stream } from "effect"
 * import { GatewayConfig, GatewaySocket, Sharding } from "effect-discord-gateway"
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
 *     Layer.provide(GatewayConfig.layerConfig()),
 *     Layer.provide(GatewaySocket.layerWebSocketConstructor),
 *     Layer.provide(NodeHttpClient.layerUndici)
 *   ))
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as Socket from "@effect/platform/Socket"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { GatewayConfig } from "./GatewayConfig.js"
import type { GatewayFatalError } from "./GatewayError.js"
import * as internal from "./internal/sharding.js"

/**
 * - `shards`: the total shard count, or `"auto"` (default) for Discord's recommendation.
 * - `shardIds`: the shards this process runs (default: all). Set it to spread shards over processes.
 *
 * @since 0.1.0
 * @category models
 */
export interface ShardingOptions extends internal.ShardingOptions {}

/**
 * One shard's state: connection status, heartbeat latency, session id.
 *
 * @since 0.1.0
 * @category models
 */
export interface ShardStatus extends internal.ShardStatus {}

/**
 * What `Sharding` offers:
 * - `events` / `subscribe`: every shard's events merged, starting with a replay (the first
 *   subscriber gets everything since the start, every later one each shard's READY and the
 *   GUILD_CREATEs of its session); `subscribeWith({ replay: false })` for live events only;
 *   `on(...types)` as on a `Gateway`; fails with the first fatal error;
 * - `shard(id)`, `shardForGuild(guildId)`: a shard's `Gateway` (commands, status);
 * - `shards`, `shardCount`, `statuses`;
 * - `ready`: waits until every shard of the current set is READY (across a reshard);
 * - `reshard(count?)`: switches to `count` shards (default: Discord's recommendation).
 *
 * @since 0.1.0
 * @category models
 */
export interface ShardingShape extends internal.ShardingShape {}

/**
 * The sharding service.
 *
 * @since 0.1.0
 * @category tags
 */
export class Sharding extends Context.Tag("effect-discord-gateway/Sharding")<Sharding, ShardingShape>() {}

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
) => Effect.Effect<ShardingShape, GatewayFatalError, Scope.Scope | GatewayConfig | Socket.WebSocketConstructor> =
  internal.make

/**
 * Sharding as a scoped layer. Provide `GatewayConfig`, a `Socket.WebSocketConstructor`
 * and, for `GET /gateway/bot`, an `HttpClient`; optionally an `IdentifyLimiter` and a `SessionStore`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: ShardingOptions
): Layer.Layer<Sharding, GatewayFatalError, GatewayConfig | Socket.WebSocketConstructor> =>
  Layer.scoped(Sharding, make(options))
