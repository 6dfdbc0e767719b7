/**
 * What the SQL-backed services share: making their tables when several processes start at once,
 * and saying in one log line what a database error was.
 *
 * @internal
 */
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import { brief } from "./logText.js"

/**
 * Runs `create`; when it fails, succeeds all the same if `probe` does. Two processes starting at
 * once may both run `CREATE TABLE IF NOT EXISTS`, and PostgreSQL can fail the second one with a
 * unique violation in its catalog although the table is there.
 *
 * @internal
 */
export const ensureTable = (
  create: Effect.Effect<unknown, SqlError>,
  probe: Effect.Effect<unknown, SqlError>
): Effect.Effect<void, SqlError> =>
  create.pipe(Effect.asVoid, Effect.catchAll((error) => probe.pipe(Effect.asVoid, Effect.mapError(() => error))))


/**
 * A `SqlError`'s own message is generic ("Failed to execute statement"): the driver's cause says
 * what went wrong.
 *
 * @internal
 */
export const describe = (error: { readonly message: string; readonly cause?: unknown }): string => {
  const cause = error.cause instanceof Error ? error.cause.message : undefined
  return brief(cause === undefined || cause === "" ? error.message : `${error.message}: ${cause}`)
}
