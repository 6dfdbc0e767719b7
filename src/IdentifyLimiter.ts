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
 * @since 0.1.0
 * @category models
 */
export interface IdentifyLimiterShape {
  /**
   * Waits until `shard` may identify, then claims that moment: the next Identify
   * of the same bucket may only follow 5 seconds later (plus a margin). Waiters of one bucket are
   * served in the order they asked.
   */
  readonly acquire: (shard: number) => Effect.Effect<void>
}

/**
 * The identify limiter service. When none is provided, each gateway uses an
 * in-memory limiter with `max_concurrency` 1 for itself.
 *
 * @since 0.1.0
 * @category tags
 */
export class IdentifyLimiter
  extends Context.Tag("effect-discord-gateway/IdentifyLimiter")<IdentifyLimiter, IdentifyLimiterShape>()
{}

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
  /** `max_concurrency` from `GET /gateway/bot`. Default 1. */
  readonly maxConcurrency?: number | undefined
  /** When given, session starts are counted and, once none remain, Identify waits for the reset. */
  readonly sessionStartLimit?: SessionStartLimit | undefined
  /** Added to the 5 s between two Identify of a bucket. Default `defaultMarginMillis`. */
  readonly marginMillis?: number | undefined
}

const dayMillis = 24 * 60 * 60 * 1000

/**
 * An in-memory limiter for the shards of one process.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (options?: MemoryOptions): Effect.Effect<IdentifyLimiterShape> =>
  Effect.gen(function*() {
    const maxConcurrency = Math.max(1, Math.floor(options?.maxConcurrency ?? 1))
    const spacing = IdentifyIntervalMillis + Math.max(0, options?.marginMillis ?? defaultMarginMillis)
    const buckets = yield* Effect.forEach(
      Array.from({ length: maxConcurrency }),
      () => Effect.map(Effect.makeSemaphore(1), (lock) => ({ lock, nextAt: 0 }))
    )
    const limit = options?.sessionStartLimit
    let remaining = limit?.remaining ?? Infinity
    let resetAt = limit === undefined ? Infinity : (yield* Clock.currentTimeMillis) + limit.resetAfter
    const sessions = yield* Effect.makeSemaphore(1)

    // Spends one session start, waiting for the window to reset when none remain.
    const spendSessionStart = sessions.withPermits(1)(Effect.gen(function*() {
      if (limit === undefined) return
      let now = yield* Clock.currentTimeMillis
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
      acquire: (shard) => {
        const bucket = buckets[shard % maxConcurrency]!
        return bucket.lock.withPermits(1)(Effect.gen(function*() {
          const wait = bucket.nextAt - (yield* Clock.currentTimeMillis)
          if (wait > 0) yield* Effect.sleep(wait)
          yield* spendSessionStart
          // Claimed only when nothing can interrupt it any more: the caller identifies now.
          bucket.nextAt = (yield* Clock.currentTimeMillis) + spacing
        }))
      }
    }
  })

/**
 * The in-memory limiter as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (options?: MemoryOptions): Layer.Layer<IdentifyLimiter> =>
  Layer.effect(IdentifyLimiter, makeMemory(options))
