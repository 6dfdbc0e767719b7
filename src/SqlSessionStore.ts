/**
 * A session store in a SQL database through `@effect/sql`: one row per shard and shard count, so a
 * restarted process (on this machine or another one on the same database) resumes its shards'
 * sessions. PostgreSQL (`@effect/sql-pg`) is the target; the statements are plain enough for SQLite
 * too (`INSERT ... ON CONFLICT ... DO UPDATE`), not for MySQL or SQL Server.
 *
 * What is stored, and when, is the gateway's business (see `SessionStore`): a checkpoint at most
 * once per heartbeat interval per shard, never per event, so the database sees a handful of small
 * writes a minute. Like the other stores, this one never fails the gateway: a database that cannot
 * be reached or a row that is not a session costs the resume only, with a warning.
 *
 * @example
 * ```ts
 * import { NodeContext, NodeHttpClient } from "@effect/platform-node"
 * import { PgClient } from "@effect/sql-pg"
 * import { Config, Layer } from "effect"
 * import { Gateway, GatewayConfig, GatewaySocket, IdentifyLimiter, SqlSessionStore } from "effect-discord-gateway"
 *
 * // Sessions in the table `discord_gateway_sessions` (created if missing) of the database at DATABASE_URL.
 * const SqlLive = PgClient.layerConfig({ url: Config.redacted("DATABASE_URL") })
 *
 * const GatewayLive = Gateway.layer.pipe(
 *   Layer.provide([
 *     GatewayConfig.layerFromEnv(),
 *     GatewaySocket.layerWebSocketConstructor,
 *     NodeHttpClient.layerUndici,
 *     SqlSessionStore.layer().pipe(Layer.provide(SqlLive)),
 *     IdentifyLimiter.layerMemory()
 *   ]),
 *   Layer.provide(NodeContext.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { SessionStore, type SessionState, type ShardKey } from "./SessionStore.js"
import { describe, ensureTable } from "./internal/sqlSupport.js"

/**
 * Options of a store in SQL.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqlOptions {
  /** The table's name, created if missing. Default {@link defaultTable}. Bots that share a database need one each. */
  readonly table?: string | undefined
}

/**
 * The default table of {@link make}.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultTable = "discord_gateway_sessions"

// PostgreSQL returns a `bigint` column as a string (a JS number cannot hold every int8), SQLite
// drivers as a number or, with safe integers on, as a bigint: each becomes a number here.
const BigIntToNumber = Schema.transform(Schema.BigIntFromSelf, Schema.Number, {
  strict: true,
  decode: (value) => Number(value),
  encode: (value) => BigInt(value)
})

/** A row as read: values that do not make a session fail to decode. */
const StoredRow = Schema.Struct({
  session_id: Schema.NonEmptyString,
  sequence: Schema.Union(Schema.Number, Schema.NumberFromString, BigIntToNumber).pipe(
    Schema.compose(Schema.NonNegativeInt)
  ),
  resume_url: Schema.NonEmptyString
})
const decodeRow = Schema.decodeUnknown(StoredRow)

/** A `SqlError` or a `ParseError`. */
type Failure = { readonly message: string; readonly cause?: unknown }


/**
 * A store in the table `options.table` of the database in the context, created if missing (the
 * layer's build fails only when it cannot be). Columns: `shard_id`, `shard_count` (the primary key:
 * after resharding, shard 0 of 8 must not resume the session of shard 0 of 4), `session_id`,
 * `sequence` (`bigint`), `resume_url` and `updated_at`.
 *
 * A row that is not a session (empty session id, negative or fractional sequence, written by
 * something else) is taken for no session, with a warning: the shard identifies anew. The
 * database's failures never reach the gateway: each is logged as a warning, and the gateway goes
 * on (a failed read identifies anew, a failed write costs the restart a more recent position or
 * the resume itself).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: SqlOptions): Effect.Effect<SessionStore, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    // Columns are read by their names: a client that renames result columns must not rename ours.
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const table = sql(options?.table ?? defaultTable)
    const timestamp = sql.literal(sql.onDialectOrElse({ pg: () => "timestamptz", orElse: () => "timestamp" }))

    yield* ensureTable(
      sql`CREATE TABLE IF NOT EXISTS ${table} (
        shard_id integer NOT NULL,
        shard_count integer NOT NULL,
        session_id text NOT NULL,
        sequence bigint NOT NULL,
        resume_url text NOT NULL,
        updated_at ${timestamp} NOT NULL DEFAULT CURRENT_TIMESTAMP,
        PRIMARY KEY (shard_id, shard_count)
      )`,
      sql`SELECT shard_id FROM ${table} WHERE 1 = 0`
    )

    const warn = ([id, count]: ShardKey, what: string) => (error: Failure) =>
      Effect.logWarning(`session store, shard ${id} of ${count}: ${what}: ${describe(error)}`)
    const none = Option.none<SessionState>()

    return SessionStore.of({
      get: (shard) =>
        sql<{ readonly session_id: unknown; readonly sequence: unknown; readonly resume_url: unknown }>`
          SELECT session_id, sequence, resume_url FROM ${table}
          WHERE shard_id = ${shard[0]} AND shard_count = ${shard[1]}
        `.pipe(
          Effect.flatMap((rows) =>
            rows[0] === undefined ? Effect.succeed(none) : decodeRow(rows[0]).pipe(
              Effect.map(({ resume_url, sequence, session_id }): Option.Option<SessionState> =>
                Option.some({ sessionId: session_id, sequence, resumeUrl: resume_url })
              ),
              Effect.catchTag("ParseError", (error) =>
                Effect.as(warn(shard, "ignored a stored row that is not a session; identifying anew")(error), none))
            )
          ),
          Effect.catchAll((error) =>
            Effect.as(warn(shard, "could not read the stored session; identifying anew")(error), none)
          )
        ),
      set: (shard, { resumeUrl, sequence, sessionId }) =>
        sql`
          INSERT INTO ${table} (shard_id, shard_count, session_id, sequence, resume_url, updated_at)
          VALUES (${shard[0]}, ${shard[1]}, ${sessionId}, ${sequence}, ${resumeUrl}, CURRENT_TIMESTAMP)
          ON CONFLICT (shard_id, shard_count) DO UPDATE SET
            session_id = excluded.session_id,
            sequence = excluded.sequence,
            resume_url = excluded.resume_url,
            updated_at = excluded.updated_at
        `.pipe(
          Effect.asVoid,
          Effect.catchAll(
            warn(shard, "could not store the session; a restart resumes from an older position or identifies anew")
          )
        ),
      clear: (shard) =>
        sql`DELETE FROM ${table} WHERE shard_id = ${shard[0]} AND shard_count = ${shard[1]}`.pipe(
          Effect.asVoid,
          Effect.catchAll(warn(shard, "could not clear the stored session; a restart will try to resume it"))
        )
    })
  })


/**
 * A layer with a store in SQL (see {@link make}), on the `SqlClient` in the context: for
 * PostgreSQL, `PgClient.layer` or `PgClient.layerConfig` from `@effect/sql-pg`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: SqlOptions): Layer.Layer<SessionStore, SqlError, SqlClient.SqlClient> =>
  Layer.effect(SessionStore, make(options))
