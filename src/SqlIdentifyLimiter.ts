/**
 * An identify limiter shared by every process of a bot, through a SQL database (`@effect/sql`):
 * for shards spread over several processes, possibly on several machines.
 *
 * What it guarantees, whatever the number of processes on the database: no two `acquire`s of one
 * rate-limit bucket (`shard % max_concurrency`) return within `intervalMillis + marginMillis` of
 * each other (to the millisecond: each claims its turn by the database's clock and returns as soon
 * as the claim is committed), and every `acquire` spends one session start from one budget that
 * all of them share (waiting for the window to reset when none remain). Waiters of one bucket in one process are
 * served in the order they asked; across processes no order is promised (whoever's transaction
 * gets the bucket's row first goes first).
 *
 * How: one row per bucket holds the moment its next Identify may be sent, one row holds the
 * session start budget. An `acquire` locks its bucket's row in a transaction (`SELECT ... FOR
 * UPDATE`), and claims the moment only when it has come and a session start was spent. Time is
 * the database's clock, read inside the transaction: processes on different machines have
 * different clocks, and a spacing measured on two of them could be short by their skew.
 *
 * It needs a SQL server that all the processes share: PostgreSQL (`@effect/sql-pg`) is the target;
 * the statements also suit SQLite (one machine, its own locking), not MySQL or SQL Server. Why SQL
 * rather than a cluster singleton per bucket: it works for processes that are not one
 * `@effect/cluster`, it costs no network hop to a singleton's runner (one transaction on a
 * database the bot often has already), and it survives any process dying: a lock held by a dead
 * process's transaction is released by the server when its connection closes, and a claimed
 * moment is only a timestamp that passes.
 *
 * `acquire` never fails: a database that cannot be reached is logged as a warning and tried again
 * every `retryMillis`, for as long as it takes. Interrupting it is safe: an interrupted
 * transaction rolls back, and a waiter claims nothing while it waits. Give the client a
 * `connectTimeout`: `@effect/sql` opens a transaction's connection uninterruptibly, and without
 * one a host that does not answer holds an `acquire` (and its interruption) until the operating
 * system gives up on the connection.
 *
 * @example
 * ```ts
 * import { NodeContext, NodeHttpClient } from "@effect/platform-node"
 * import { PgClient } from "@effect/sql-pg"
 * import { Config, Layer } from "effect"
 * import { GatewayConfig, GatewaySocket, Sharding, SqlIdentifyLimiter, SqlSessionStore } from "effect-discord-gateway"
 *
 * // Each process of the bot runs 4 of its 16 shards (here the first 4), and all of them identify
 * // through one database: whatever process a shard runs in, its bucket's turns are shared.
 * const SqlLive = PgClient.layerConfig({ url: Config.redacted("DATABASE_URL") })
 *
 * const ShardsLive = Sharding.layer({ shards: 16, shardIds: [0, 1, 2, 3] }).pipe(
 *   Layer.provide([
 *     GatewayConfig.layerFromEnv(),
 *     GatewaySocket.layerWebSocketConstructor,
 *     NodeHttpClient.layerUndici,
 *     Layer.merge(SqlSessionStore.layer(), SqlIdentifyLimiter.layer()).pipe(Layer.provide(SqlLive))
 *   ]),
 *   Layer.provide(NodeContext.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import {
  IdentifyIntervalMillis,
  IdentifyLimiter,
  type IdentifyLimits,
  type SessionStartLimit
} from "./IdentifyLimiter.js"
import { describe, ensureTable } from "./internal/sqlSupport.js"

/**
 * Options of the limiter in SQL.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqlOptions {
  /**
   * Starts the tables' names: `<prefix>_identify_buckets` and `<prefix>_session_starts`. Default
   * {@link defaultPrefix}. Bots that share a database need one each; the processes of one bot, the same.
   */
  readonly prefix?: string | undefined
  /** The time between two Identify of a bucket. Default `IdentifyLimiter.IdentifyIntervalMillis` (Discord's 5 s). */
  readonly intervalMillis?: number | undefined
  /** Added to `intervalMillis`. Default {@link defaultMarginMillis}. */
  readonly marginMillis?: number | undefined
  /** Overrides the `max_concurrency` the gateway passes (from `GET /gateway/bot`, or 1 without it). */
  readonly maxConcurrency?: number | undefined
  /**
   * Overrides the session start budget the gateway passes. Either one initializes the shared
   * budget the first time it is needed; from then on the database counts.
   */
  readonly sessionStartLimit?: SessionStartLimit | undefined
  /** How long to wait before trying again when the database fails. Default 1000. */
  readonly retryMillis?: number | undefined
}

/**
 * The default table prefix of {@link make}.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPrefix = "discord_gateway"

const dayMillis = 24 * 60 * 60 * 1000

/** What one transaction decided: identify now, or wait and ask again. */
type Attempt =
  | { readonly _tag: "Claimed" }
  | { readonly _tag: "Wait"; readonly millis: number }

const claimed: Attempt = { _tag: "Claimed" }

/**
 * What this limiter adds to the 5 s by default: 1 s, more than the in-memory limiter's 250 ms.
 * The claim is committed by the database's clock, and the Identify leaves from another process a
 * moment later: across processes that moment includes the commit's round trip and the event loop
 * of a busy process (a runner starting up, another one's shards arriving). In the cluster soak a
 * 250 ms margin let two Identify of one bucket reach the gateway 4.9 s apart, which Discord answers
 * with op 9; with 1 s none did.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMarginMillis = 1_000

/**
 * A limiter on the database in the context, its tables created if missing (the layer's build fails
 * only when they cannot be). See the module's documentation for what it guarantees.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: SqlOptions): Effect.Effect<IdentifyLimiter, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    // Columns are read by their names: a client that renames result columns must not rename ours.
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const prefix = options?.prefix ?? defaultPrefix
    const buckets = sql(`${prefix}_identify_buckets`)
    const budget = sql(`${prefix}_session_starts`)
    const spacing = Math.max(0, options?.intervalMillis ?? IdentifyIntervalMillis) +
      Math.max(0, options?.marginMillis ?? defaultMarginMillis)
    const retryMillis = Math.max(0, options?.retryMillis ?? 1000)

    // `clock_timestamp()`, not `now()`: `now()` is the transaction's start, which may be long
    // before the lock was granted.
    const dbNow = sql.literal(sql.onDialectOrElse({
      pg: () => "floor(extract(epoch from clock_timestamp()) * 1000)::bigint",
      orElse: () => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
    }))
    // SQLite has no row locks: its transaction holds the database's write lock from the first INSERT.
    const forUpdate = sql.literal(sql.onDialectOrElse({ sqlite: () => "", orElse: () => "FOR UPDATE" }))

    yield* ensureTable(
      sql`CREATE TABLE IF NOT EXISTS ${buckets} (
        max_concurrency integer NOT NULL,
        bucket integer NOT NULL,
        next_at bigint NOT NULL,
        PRIMARY KEY (max_concurrency, bucket)
      )`,
      sql`SELECT bucket FROM ${buckets} WHERE 1 = 0`
    )
    yield* ensureTable(
      sql`CREATE TABLE IF NOT EXISTS ${budget} (
        id integer PRIMARY KEY,
        total integer NOT NULL,
        remaining integer NOT NULL,
        reset_at bigint NOT NULL
      )`,
      sql`SELECT id FROM ${budget} WHERE 1 = 0`
    )

    const readNow = Effect.map(sql<{ readonly now: unknown }>`SELECT ${dbNow} AS now`, (rows) => Number(rows[0]?.now))

    // Spends one session start, or says how long to wait for the reset. Runs in the bucket's
    // transaction, after its lock: every transaction locks its bucket first and the budget second,
    // so two of them never wait for each other in a circle.
    const spendSessionStart = (now: number, limit: SessionStartLimit | undefined) =>
      Effect.gen(function*() {
        if (limit !== undefined) {
          yield* sql`
            INSERT INTO ${budget} (id, total, remaining, reset_at)
            VALUES (1, ${Math.floor(limit.total)}, ${Math.floor(limit.remaining)}, ${now + Math.ceil(limit.resetAfter)})
            ON CONFLICT (id) DO NOTHING
          `
        }
        const rows = yield* sql<{ readonly total: unknown; readonly remaining: unknown; readonly reset_at: unknown }>`
          SELECT total, remaining, reset_at FROM ${budget} WHERE id = 1 ${forUpdate}
        `
        // No budget known to anyone yet: nothing to count against.
        if (rows[0] === undefined) return Option.none<number>()
        const total = Number(rows[0].total)
        let remaining = Number(rows[0].remaining)
        let resetAt = Number(rows[0].reset_at)
        if (now >= resetAt) {
          remaining = total
          resetAt = now + dayMillis
          yield* sql`UPDATE ${budget} SET remaining = ${remaining}, reset_at = ${resetAt} WHERE id = 1`
        }
        if (remaining <= 0) {
          const wait = resetAt - now
          yield* Effect.logWarning(
            `no session starts remain (session_start_limit ${total}): waiting ${Math.ceil(wait / 1000)} s for the reset`
          )
          return Option.some(wait)
        }
        yield* sql`UPDATE ${budget} SET remaining = ${remaining - 1} WHERE id = 1`
        return Option.none<number>()
      })

    // One transaction: claims the bucket's next moment if it has come and a session start was
    // spent; otherwise commits nothing and says how long to wait. It never sleeps holding a lock.
    const attempt = (concurrency: number, bucket: number, limits: IdentifyLimits) =>
      sql.withTransaction(Effect.gen(function*() {
        yield* sql`
          INSERT INTO ${buckets} (max_concurrency, bucket, next_at) VALUES (${concurrency}, ${bucket}, 0)
          ON CONFLICT (max_concurrency, bucket) DO NOTHING
        `
        const rows = yield* sql<{ readonly next_at: unknown }>`
          SELECT next_at FROM ${buckets} WHERE max_concurrency = ${concurrency} AND bucket = ${bucket} ${forUpdate}
        `
        // Read after the lock was granted: the previous holder's claim is in the past of this clock.
        const now = yield* readNow
        const nextAt = Number(rows[0]?.next_at ?? 0)
        if (now < nextAt) return { _tag: "Wait", millis: nextAt - now } satisfies Attempt
        const wait = yield* spendSessionStart(now, options?.sessionStartLimit ?? limits.sessionStartLimit)
        if (Option.isSome(wait)) return { _tag: "Wait", millis: wait.value } satisfies Attempt
        // The database's clock again, as late as possible: the spacing counts from the claim's commit.
        yield* sql`
          UPDATE ${buckets} SET next_at = ${dbNow} + ${spacing}
          WHERE max_concurrency = ${concurrency} AND bucket = ${bucket}
        `
        return claimed
      }))

    // A database failure, not a bug of ours: a failed COMMIT is a defect holding the `SqlError`.
    const sqlFailure = (cause: Cause.Cause<SqlError>): Option.Option<SqlError> => {
      if (Cause.isInterrupted(cause)) return Option.none()
      return Cause.find(cause, (reason) => {
        if (reason._tag === "Fail") return Option.some(reason.error)
        if (reason._tag === "Die" && reason.defect instanceof SqlError) return Option.some(reason.defect)
        return Option.none()
      })
    }

    const claim = (shard: number, concurrency: number, bucket: number, limits: IdentifyLimits): Effect.Effect<void> =>
      attempt(concurrency, bucket, limits).pipe(
        Effect.catchAllCause((cause) =>
          Option.match(sqlFailure(cause), {
            // Interruption, or a bug: not ours to retry.
            onNone: () => Effect.failCause(Cause.stripFailures(cause)),
            onSome: (error) =>
              Effect.as(
                Effect.logWarning(
                  `identify limiter, shard ${shard}: the database failed (${describe(error)}); ` +
                    `trying again in ${retryMillis} ms`
                ),
                { _tag: "Wait", millis: retryMillis } satisfies Attempt
              )
          })
        ),
        Effect.flatMap((result) =>
          result._tag === "Claimed" ?
            Effect.void :
            Effect.zipRight(
              Effect.sleep(result.millis),
              Effect.suspend(() => claim(shard, concurrency, bucket, limits))
            )
        )
      )

    // One per bucket, made when a shard of it first asks: this process's waiters line up here, so
    // only one of them at a time competes with the other processes for the bucket's row.
    const locks = new Map<string, Effect.Semaphore>()
    const lockOf = (key: string) => {
      let lock = locks.get(key)
      if (lock === undefined) {
        lock = Effect.unsafeMakeSemaphore(1)
        locks.set(key, lock)
      }
      return lock
    }

    return IdentifyLimiter.of({
      acquire: (shard, limits) =>
        Effect.suspend(() => {
          const concurrency = Math.max(1, Math.floor(options?.maxConcurrency ?? limits.maxConcurrency))
          const bucket = shard % concurrency
          return lockOf(`${concurrency}/${bucket}`).withPermits(1)(claim(shard, concurrency, bucket, limits))
        })
    })
  })

/**
 * A layer with a limiter on the database in the context (see {@link make}): for PostgreSQL,
 * `PgClient.layer` or `PgClient.layerConfig` from `@effect/sql-pg`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: SqlOptions): Layer.Layer<IdentifyLimiter, SqlError, SqlClient.SqlClient> =>
  Layer.effect(IdentifyLimiter, make(options))



