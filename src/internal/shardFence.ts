/**
 * A fence around each gateway shard, so that a shard's next owner starts only once its previous
 * owner has finished handing it over. `@effect/cluster` 0.60 releases a moving cluster shard's lock
 * without waiting for the singletons on it to stop, so without a fence the next owner could read the
 * stored position before the previous owner wrote its last one, and both could handle events of
 * the shard at once.
 *
 * On PostgreSQL the fence is a session-level advisory lock per gateway shard, taken with
 * `pg_try_advisory_lock(<bot key>, <shard id>)` on one connection the runner reserves for it (the
 * two-key form: apart from the cluster's own one-key locks). The owner holds it until its last
 * finalizer has run; a runner that dies holds nothing, because the server releases a session's
 * locks when its connection closes. Elsewhere (no `SqlClient`, another dialect) there is no fence.
 *
 * The fence never stops a shard for good: a runner that cannot take it within `timeoutMillis` (its
 * database unreachable, say) starts the shard anyway, with a warning.
 *
 * @internal
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlConnection from "@effect/sql/SqlConnection"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Hash from "effect/Hash"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import { describe } from "./sqlSupport.js"

/** @internal */
export interface ShardFence {
  /** Waits until no other runner holds shard `id`'s fence, then holds it until the scope closes. */
  readonly hold: (id: number) => Effect.Effect<void, never, Scope.Scope>
}

const none: ShardFence = { hold: () => Effect.void }


/**
 * A fence on the `SqlClient` in the context when it is PostgreSQL; none otherwise.
 *
 * @internal
 */
export const make = (
  name: string,
  options: { readonly timeoutMillis: number; readonly pollMillis?: number | undefined }
): Effect.Effect<ShardFence, never, Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* Effect.serviceOption(SqlClient.SqlClient)
    if (Option.isNone(client)) return none
    const sql = client.value
    const isPg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })
    if (!isPg) return none
    // A 32-bit key for the bot's name (the advisory lock's first key): Effect's string hash.
    const key = Hash.string(name)
    const pollMillis = options.pollMillis ?? 50

    // The reserved connection, made when first needed and made again after it failed (a database
    // restart ends the session, and with it every lock taken on it).
    const layerScope = yield* Effect.scope
    let current: { readonly connection: SqlConnection.Connection; readonly scope: Scope.CloseableScope } | undefined
    const lock = yield* Effect.makeSemaphore(1)
    const connect = lock.withPermits(1)(Effect.suspend(() => {
      if (current !== undefined) return Effect.succeed(current.connection)
      return Effect.gen(function*() {
        const scope = yield* Scope.fork(layerScope, ExecutionStrategy.sequential)
        const connection = yield* sql.reserve.pipe(
          Scope.extend(scope),
          Effect.tapError(() => Scope.close(scope, Exit.void))
        )
        current = { connection, scope }
        return connection
      })
    }))
    const drop = (connection: SqlConnection.Connection) =>
      Effect.suspend(() => {
        if (current?.connection !== connection) return Effect.void
        const { scope } = current
        current = undefined
        return Scope.close(scope, Exit.void)
      })

    // The connection the lock was taken on, when it was.
    const tryLock = (id: number) =>
      Effect.flatMap(connect, (connection) =>
        connection.executeValues("SELECT pg_try_advisory_lock($1, $2)", [key, id]).pipe(
          Effect.tapError(() => drop(connection)),
          Effect.map((rows) => (rows[0]?.[0] === true ? connection : undefined))
        ))
    // A lock taken on a connection that has since failed went with it.
    const unlock = (connection: SqlConnection.Connection, id: number) =>
      current?.connection !== connection ? Effect.void : connection.executeValues("SELECT pg_advisory_unlock($1, $2)", [key, id]).pipe(
        Effect.tapError(() => drop(connection)),
        Effect.catchAll((error) => Effect.logWarning(`shard fence: could not release shard ${id} (${describe(error)})`))
      )

    return {
      hold: (id) =>
        Effect.gen(function*() {
          const start = yield* Clock.currentTimeMillis
          let warned = false
          while (true) {
            const taken = yield* Effect.either(tryLock(id))
            if (taken._tag === "Right" && taken.right !== undefined) {
              const connection = taken.right
              yield* Effect.addFinalizer(() => Effect.suspend(() => unlock(connection, id)))
              const waited = (yield* Clock.currentTimeMillis) - start
              if (waited >= pollMillis) yield* Effect.logInfo(`shard ${id}: waited ${waited} ms for its previous owner's handover`)
              return
            }
            if (taken._tag === "Left" && !warned) {
              warned = true
              yield* Effect.logWarning(`shard fence: ${describe(taken.left)}`)
            }
            if ((yield* Clock.currentTimeMillis) - start >= options.timeoutMillis) {
              yield* Effect.logWarning(
                `shard ${id}: its fence was not free after ${options.timeoutMillis} ms; starting it anyway`
              )
              return
            }
            yield* Effect.sleep(pollMillis)
          }
        })
    }
  })
