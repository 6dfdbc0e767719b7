/**
 * The shards of one process: a set of single-shard gateways publishing into one
 * hub, started bucket by bucket, and replaced by a new set when Discord asks for
 * more shards (4011) or the user reshards.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as Socket from "@effect/platform/Socket"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import type { Requirements } from "../Gateway.js"
import { GatewayConfig } from "../GatewayConfig.js"
import type { Sharding, ShardingOptions, ShardStatus } from "../Sharding.js"
import * as GatewayError from "../GatewayError.js"
import type { KnownEventName } from "../Events.js"
import type { Dispatch, GatewayEvent, ShardingEvent } from "../GatewayEvent.js"
import * as IdentifyLimiter from "../IdentifyLimiter.js"
import * as SessionStore from "../SessionStore.js"
import type * as Connection from "./connection.js"
import * as EventHub from "./eventHub.js"
import * as Gateway from "./gateway.js"
import type { GatewayShape } from "./gateway.js"
import * as GatewayBot from "./gatewayBot.js"
import * as IntentCheck from "./intentCheck.js"
import * as Scheduler from "./scheduler.js"
import * as Tracing from "./tracing.js"

/** @internal */
export type ShardingShape = Sharding

interface ShardSet {
  readonly count: number
  readonly gateways: Map<number, GatewayShape>
  readonly scope: Scope.CloseableScope
  /** Events held back until this set takes over (a set started by a reshard). */
  held: Array<GatewayEvent> | undefined
  /** Replaced by a newer set: its events are no longer delivered. */
  retired: boolean
  readonly replaced: Deferred.Deferred<void>
}

/**
 * The shard that receives a guild's events: `(guild_id >> 22) % num_shards`.
 * `undefined` when `guildId` is not a snowflake.
 *
 * @internal
 */
export const shardOf = (guildId: string, shardCount: number): number | undefined =>
  /^\d{1,20}$/.test(guildId) ? Number((BigInt(guildId) >> 22n) % BigInt(shardCount)) : undefined

/**
 * Fails with `InvalidShardingOptions` unless `shards` is `"auto"`, absent or a positive integer.
 *
 * @internal
 */
export const checkShards = (shards: "auto" | number | undefined): Effect.Effect<void, GatewayError.InvalidShardingOptions> =>
  typeof shards === "number" && (!Number.isInteger(shards) || shards < 1)
    ? new GatewayError.InvalidShardingOptions({ reason: `shards must be a positive integer or "auto", got ${shards}` })
    : Effect.void

/**
 * A shard's status, latency and session id now.
 *
 * @internal
 */
export const statusOf = (gateway: GatewayShape): Effect.Effect<ShardStatus> =>
  Effect.all({
    shard: Effect.succeed(gateway.shard),
    status: gateway.status.get,
    latency: gateway.latency,
    sessionId: gateway.sessionId
  })

const range = (n: number): ReadonlyArray<number> => Array.from({ length: n }, (_, i) => i)

/** @internal */
export const make = (options: ShardingOptions = {}): Effect.Effect<
  ShardingShape,
  GatewayError.GatewayFatalError | GatewayError.InvalidShardingOptions,
  Scope.Scope | Requirements
> =>
  Effect.gen(function*() {
    const base = yield* GatewayConfig
    const httpClient = yield* HttpClient.HttpClient
    const limiter = yield* IdentifyLimiter.IdentifyLimiter
    const store = yield* SessionStore.SessionStore
    const parentScope = yield* Effect.scope
    // Resharding starts shards from a background fiber: it runs with this context.
    const context = yield* Effect.context<Socket.WebSocketConstructor | HttpClient.HttpClient>()
    // One timer for every shard of every set: heartbeats and handshake deadlines.
    const scheduler = yield* Scheduler.make
    const hub = yield* EventHub.fromConfig<ShardingEvent>(base)

    yield* checkShards(options.shards)
    const fetchBot = GatewayBot.fetchOrFail(base.apiBaseUrl, base.token, 0).pipe(
      Effect.provideService(HttpClient.HttpClient, httpClient)
    )

    const bot = typeof options.shards === "number" && base.gatewayUrl !== undefined
      ? undefined
      : yield* fetchBot
    const initialCount = typeof options.shards === "number" ? options.shards : bot!.shards
    const gatewayUrl = base.gatewayUrl ?? bot!.url
    // Passed to the limiter with every Identify.
    let identifyLimits: IdentifyLimiter.IdentifyLimits = bot === undefined
      ? { maxConcurrency: 1 }
      : GatewayBot.identifyLimits(bot)

    const initialIds = options.shardIds === undefined ? range(initialCount) : [...options.shardIds].sort((a, b) => a - b)
    for (const id of initialIds) {
      if (!Number.isInteger(id) || id < 0 || id >= initialCount) {
        return yield* new GatewayError.InvalidShardingOptions({
          reason: `shard id ${id} is not in 0..${initialCount - 1}`
        })
      }
    }

    // Starting shards that the session start budget cannot cover would only burn it.
    if (bot !== undefined && bot.session_start_limit.remaining < initialIds.length) {
      const wait = bot.session_start_limit.reset_after
      yield* Effect.logWarning(
        `${bot.session_start_limit.remaining} session starts remain for ${initialIds.length} shards: waiting ${
          Math.ceil(wait / 1000)
        } s for session_start_limit to reset`
      )
      yield* Effect.sleep(wait)
      // The window reset while we waited: the whole budget is there again.
      identifyLimits = {
        maxConcurrency: identifyLimits.maxConcurrency,
        sessionStartLimit: { total: bot.session_start_limit.total, remaining: bot.session_start_limit.total, resetAfter: 24 * 60 * 60 * 1000 }
      }
    }

    const reshardable = options.shardIds === undefined
    let current: ShardSet

    const allReady = (set: ShardSet) =>
      Effect.forEach(set.gateways.values(), (gateway) => gateway.ready, { concurrency: "unbounded", discard: true })

    const onShardFatal = (set: ShardSet, error: GatewayError.GatewayFatalError): Effect.Effect<void> =>
      Effect.suspend(() => {
        // A retired set's errors no longer matter; a starting set's are handled by its reshard.
        if (set.retired || set.held !== undefined) return Effect.void
        if (error._tag === "ScalingRequired" && reshardable) {
          return Effect.asVoid(Effect.forkIn(
            reshardTo(undefined, "scaling_required").pipe(Effect.catchAll(hub.fail)),
            parentScope
          ))
        }
        return hub.fail(error)
      })

    const startSet = (count: number, ids: ReadonlyArray<number>, hold: boolean) =>
      Effect.gen(function*() {
        const set: ShardSet = {
          count,
          gateways: new Map(),
          scope: yield* Scope.fork(parentScope, ExecutionStrategy.parallel),
          held: hold ? [] : undefined,
          retired: false,
          replaced: yield* Deferred.make<void>()
        }
        const deliver = (events: ReadonlyArray<GatewayEvent>): Effect.Effect<void> =>
          Effect.suspend(() => {
            if (set.retired) return Effect.void
            if (set.held !== undefined) {
              for (const event of events) set.held.push(event)
              return Effect.void
            }
            return hub.deliver(events)
          })
        // Within a bucket, shards identify in id order: each waits for the one before it.
        const identified = new Map<number, Deferred.Deferred<void>>()
        for (const id of ids) identified.set(id, yield* Deferred.make<void>())
        const setLimiter: IdentifyLimiter.IdentifyLimiter = {
          acquire: (shard, limits) =>
            Effect.tap(limiter.acquire(shard, limits), () => Deferred.succeed(identified.get(shard)!, undefined))
        }
        const lastOfBucket = new Map<number, number>()
        for (const id of ids) {
          const bucket = id % identifyLimits.maxConcurrency
          const previous = lastOfBucket.get(bucket)
          lastOfBucket.set(bucket, id)
          const gateway = yield* Gateway.makeShard({
            config: { ...base, shard: [id, count], gatewayUrl, waitForReady: false },
            scheduler,
            deliver,
            // A shard's own streams replay its snapshot but never take what the hub keeps for the
            // first subscriber of the merged stream: that one may still come.
            subscribeWith: (replay) =>
              Effect.map(
                hub.subscribeWith(replay === "all" ? "snapshot" : replay),
                Stream.filter((event): event is GatewayEvent => event.type !== "RESHARDED" && event.shard === id)
              ),
            streamsEndOnFatal: false,
            startGate: previous === undefined ? Effect.void : Deferred.await(identified.get(previous)!),
            limiter: setLimiter,
            identifyLimits,
            store,
            onFatal: (error) =>
              Deferred.succeed(identified.get(id)!, undefined).pipe(
                Effect.zipRight(onShardFatal(set, error))
              )
          }).pipe(Scope.extend(set.scope))
          set.gateways.set(id, gateway)
        }
        return set
      })

    // Hands the stream over to `next`: the marker, then what `next` held, then its live events.
    const switchTo = (old: ShardSet, next: ShardSet) =>
      Effect.gen(function*() {
        old.retired = true
        current = next
        yield* hub.deliver([{ type: "RESHARDED", previousShardCount: old.count, shardCount: next.count }])
        while (true) {
          const batch = next.held!.splice(0)
          if (batch.length === 0) {
            next.held = undefined
            break
          }
          yield* hub.deliver(batch)
        }
        yield* Scope.close(old.scope, Exit.void)
        yield* Deferred.succeed(old.replaced, undefined)
      })

    const lock = yield* Effect.makeSemaphore(1)
    // In a `reshard` span: a child of the caller's span, or a trace of its own when a shard's 4011
    // started it; the new shards' first connection attempts are its children. `context`, captured
    // at start, holds the span current then: the reshard's span is set inside it.
    const reshardTo = (
      requested: number | undefined,
      trigger: "user" | "scaling_required"
    ): Effect.Effect<void, GatewayError.GatewayFatalError> =>
      Effect.useSpan(
        Tracing.SpanName.reshard,
        Tracing.spanOptions({
          root: trigger === "scaling_required",
          attributes: { [Tracing.Attribute.trigger]: trigger }
        }),
        (span) => reshardIn(span, requested).pipe(Effect.withParentSpan(span), Effect.provide(context))
      )
    const reshardIn = (
      span: Tracer.Span,
      requested: number | undefined
    ): Effect.Effect<void, GatewayError.GatewayFatalError, Socket.WebSocketConstructor | HttpClient.HttpClient> =>
      lock.withPermits(1)(Effect.gen(function*() {
        const old = current
        span.attribute(Tracing.Attribute.previousShardCount, old.count)
        let count = requested
        if (count === undefined) {
          const bot = yield* fetchBot
          identifyLimits = GatewayBot.identifyLimits(bot)
          const recommended = bot.shards
          count = recommended > old.count ? recommended : old.count * 2
          if (recommended <= old.count) {
            yield* Effect.logWarning(
              `Discord requires more shards but recommends ${recommended}: doubling ${old.count} to ${count}`
            )
          }
        }
        span.attribute(Tracing.Attribute.shardCount, count)
        if (count === old.count) return
        yield* Effect.logInfo(`resharding: starting ${count} shards to replace ${old.count}`)
        const next = yield* startSet(count, range(count), true)
        const exit = yield* Effect.exit(allReady(next))
        if (Exit.isFailure(exit)) {
          next.retired = true
          yield* Scope.close(next.scope, Exit.void)
          return yield* Effect.failCause(exit.cause)
        }
        yield* switchTo(old, next)
        yield* Effect.logInfo(`resharded: ${count} shards are READY, the ${old.count} old ones are closed`)
      }))

    current = yield* startSet(initialCount, initialIds, false)

    const ready: Effect.Effect<void, GatewayError.GatewayFatalError> = Effect.gen(function*() {
      while (true) {
        const set = current
        const exit = yield* Effect.exit(allReady(set))
        if (Exit.isSuccess(exit)) return
        if (set !== current) continue
        const failure = Cause.failureOption(exit.cause)
        if (Option.isSome(failure) && failure.value._tag === "ScalingRequired" && reshardable) {
          // Replaced by a reshard in progress: wait for the new set (or the end).
          yield* Effect.raceFirst(Deferred.await(set.replaced), hub.awaitFailure)
          continue
        }
        return yield* Effect.failCause(exit.cause)
      }
    })

    const unavailable = (shard: number, reason: string) =>
      new GatewayError.ShardUnavailable({ shard, shardCount: current.count, reason })

    const shape: ShardingShape = {
      events: Stream.unwrapScoped(hub.subscribe),
      subscribe: hub.subscribe,
      subscribeWith: (options) => hub.subscribeWith(options.replay ? "all" : "none"),
      // Replays the snapshots, never the events kept for the first `events` subscriber.
      on: IntentCheck.makeOn(base.intents, hub.subscribeWith("snapshot")),
      shardCount: Effect.sync(() => current.count),
      shards: Effect.sync(() => [...current.gateways.values()]),
      shard: (id) =>
        Effect.suspend(() => {
          const gateway = current.gateways.get(id)
          return gateway === undefined ? Effect.fail(unavailable(id, "not run by this process")) : Effect.succeed(gateway)
        }),
      shardForGuild: (guildId) =>
        Effect.suspend((): Effect.Effect<GatewayShape, GatewayError.ShardUnavailable | GatewayError.InvalidGuildId> => {
          const id = shardOf(guildId, current.count)
          if (id === undefined) return Effect.fail(new GatewayError.InvalidGuildId({ guildId }))
          const gateway = current.gateways.get(id)
          return gateway === undefined ? Effect.fail(unavailable(id, "not run by this process")) : Effect.succeed(gateway)
        }),
      statuses: Effect.suspend(() => Effect.forEach(current.gateways.values(), statusOf)),
      ready,
      reshard: (shardCount) =>
        Effect.suspend((): Effect.Effect<void, GatewayError.GatewayFatalError | GatewayError.InvalidShardingOptions> => {
          if (!reshardable) {
            return Effect.fail(
              new GatewayError.InvalidShardingOptions({
                reason: "this process runs a fixed list of shard ids (shardIds): reshard by restarting with a new split"
              })
            )
          }
          if (shardCount !== undefined && (!Number.isInteger(shardCount) || shardCount < 1)) {
            return Effect.fail(
              new GatewayError.InvalidShardingOptions({
                reason: `reshard: the shard count must be a positive integer, got ${shardCount}`
              })
            )
          }
          return reshardTo(shardCount, "user")
        }),
      awaitFatal: hub.awaitFailure
    }

    if (base.waitForReady) yield* ready
    return shape
  })
