/**
 * When a shard may send Identify. Discord allows one Identify per rate-limit bucket
 * per 5 seconds, where a shard's bucket is `shard_id % max_concurrency`; buckets
 * proceed in parallel. Every Identify also spends one session start from the daily
 * `session_start_limit` (events/gateway.mdx, "Sharding" and "Session Start Limit").
 *
 * The gateway asks the limiter right before it sends Identify (after Hello), for
 * its first session and every new one after. The in-memory limiter coordinates the
 * shards of one process; an implementation backed by shared storage can coordinate
 * shards spread over several processes.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * The part of `GET /gateway/bot`'s `session_start_limit` the limiter needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionStartLimit {
  /** Session starts allowed per window (a day). */
  readonly total: number
  /** Session starts left in the current window. */
  readonly remaining: number
  /** Milliseconds until the window resets. */
  readonly resetAfter: number
}

/**
 * What Discord says about identifying, as `GET /gateway/bot` reported it: the gateway passes it
 * with every `acquire`, so a limiter needs no configuration of its own.
 *
 * @since 0.1.0
 * @category models
 */
export interface IdentifyLimits {
  /** `max_concurrency`: the number of buckets; shard `id` is in bucket `id % maxConcurrency`. */
  readonly maxConcurrency: number
  /** The session start budget, when the gateway asked `GET /gateway/bot` (absent otherwise). */
  readonly sessionStartLimit?: SessionStartLimit | undefined
}

/**
 * The identify limiter service: when a shard may send Identify.
 *
 * @since 0.1.0
 * @category models
 */
export interface IdentifyLimiter {
  /**
   * Waits until `shard` may identify, then claims that moment: the next Identify
   * of the same bucket may only follow 5 seconds later (plus a margin). Waiters of one bucket are
   * served in the order they asked. `limits` are Discord's, from the caller.
   */
  readonly acquire: (shard: number, limits: IdentifyLimits) => Effect.Effect<void>
}

/**
 * The identify limiter service tag. `Gateway.layer` and `Sharding.layer` need one:
 * {@link layerMemory} for the shards of one process.
 *
 * @since 0.1.0
 * @category tags
 */
export const IdentifyLimiter: Context.Tag<IdentifyLimiter, IdentifyLimiter> = Context.GenericTag<IdentifyLimiter>(
  "effect-discord-gateway/IdentifyLimiter"
)

/**
 * The time Discord requires between two Identify payloads of one bucket.
 *
 * @since 0.1.0
 * @category constants
 */
export const IdentifyIntervalMillis = 5_000

/**
 * What the in-memory limiter adds to the 5 s by default. Discord measures the spacing
 * when the Identify arrives; two connections' network delays differ by a few
 * milliseconds, so an exact 5 s by our clock can be 4.99 s by Discord's (answered with op 9).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMarginMillis = 250

/**
 * Options of the in-memory limiter.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryOptions {
  /** Overrides the `max_concurrency` the gateway passes (from `GET /gateway/bot`, or 1 without it). */
  readonly maxConcurrency?: number | undefined
  /**
   * Overrides the session start budget the gateway passes. With a budget, session starts are
   * counted and, once none remain, Identify waits for the reset.
   */
  readonly sessionStartLimit?: SessionStartLimit | undefined
  /** Added to the 5 s between two Identify of a bucket. Default `defaultMarginMillis`. */
  readonly marginMillis?: number | undefined
}

const dayMillis = 24 * 60 * 60 * 1000

/**
 * An in-memory limiter for the shards of one process. Buckets and the session start budget
 * follow the limits the gateway passes (Discord's `GET /gateway/bot`), unless `options` fix them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (options?: MemoryOptions): Effect.Effect<IdentifyLimiter> =>
  Effect.sync(() => {
    const spacing = IdentifyIntervalMillis + Math.max(0, options?.marginMillis ?? defaultMarginMillis)
    // One per bucket key (`shard % max_concurrency`), made when a shard of it first asks.
    const buckets = new Map<number, { readonly lock: Effect.Semaphore; nextAt: number }>()
    const bucketOf = (shard: number, limits: IdentifyLimits) => {
      const concurrency = Math.max(1, Math.floor(options?.maxConcurrency ?? limits.maxConcurrency))
      const key = shard % concurrency
      let bucket = buckets.get(key)
      if (bucket === undefined) {
        bucket = { lock: Effect.unsafeMakeSemaphore(1), nextAt: 0 }
        buckets.set(key, bucket)
      }
      return bucket
    }

    // The budget: the configured one, else the first one a caller passes; then counted here.
    let limit = options?.sessionStartLimit
    let remaining = Infinity
    let resetAt = Infinity
    let budgetKnown = false
    const sessions = Effect.unsafeMakeSemaphore(1)

    // Spends one session start, waiting for the window to reset when none remain.
    const spendSessionStart = (passed: SessionStartLimit | undefined) =>
      sessions.withPermits(1)(Effect.gen(function*() {
        let now = yield* Clock.currentTimeMillis
        if (!budgetKnown) {
          limit ??= passed
          if (limit === undefined) return
          budgetKnown = true
          remaining = limit.remaining
          resetAt = now + limit.resetAfter
        }
        if (limit === undefined) return
        if (now >= resetAt) {
          remaining = limit.total
          resetAt = now + dayMillis
        }
        if (remaining <= 0) {
          const wait = resetAt - now
          yield* Effect.logWarning(
            `no session starts remain (session_start_limit ${limit.total}): waiting ${Math.ceil(wait / 1000)} s for the reset`
          )
          yield* Effect.sleep(wait)
          now = yield* Clock.currentTimeMillis
          remaining = limit.total
          resetAt = now + dayMillis
        }
        remaining--
      }))

    return {
      acquire: (shard, limits) => {
        const bucket = bucketOf(shard, limits)
        return bucket.lock.withPermits(1)(Effect.gen(function*() {
          const wait = bucket.nextAt - (yield* Clock.currentTimeMillis)
          if (wait > 0) yield* Effect.sleep(wait)
          yield* spendSessionStart(limits.sessionStartLimit)
          // Claimed only when nothing can interrupt it any more: the caller identifies now.
          bucket.nextAt = (yield* Clock.currentTimeMillis) + spacing
        }))
      }
    }
  })

/**
 * The in-memory limiter as a layer: the default for the shards of one process.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (options?: MemoryOptions): Layer.Layer<IdentifyLimiter> =>
  Layer.effect(IdentifyLimiter, makeMemory(options))
