/**
 * Where a shard keeps what it needs to resume: session id, last sequence and resume URL.
 * Backing it with storage that outlives the process lets a restarted bot resume
 * within Discord's resume window instead of identifying anew.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/**
 * A resumable session.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionState {
  readonly sessionId: string
  readonly sequence: number
  readonly resumeUrl: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface SessionStoreShape {
  readonly get: (shard: ShardKey) => Effect.Effect<Option.Option<SessionState>>
  readonly set: (shard: ShardKey, state: SessionState) => Effect.Effect<void>
  readonly clear: (shard: ShardKey) => Effect.Effect<void>
}

/**
 * A shard as `[shard_id, num_shards]`. Sessions are kept per shard id *and* count:
 * after resharding, shard 0 of 8 must not resume the session of shard 0 of 4.
 *
 * @since 0.1.0
 * @category models
 */
export type ShardKey = readonly [id: number, count: number]

/**
 * The session store service. When none is provided the gateway keeps sessions in memory.
 *
 * @since 0.1.0
 * @category tags
 */
export class SessionStore extends Context.Tag("effect-discord-gateway/SessionStore")<SessionStore, SessionStoreShape>() {}

/**
 * A store in memory: sessions survive reconnects and `pause`, not the process.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (): SessionStoreShape => {
  const sessions = new Map<string, SessionState>()
  const key = ([id, count]: ShardKey) => `${id}/${count}`
  return {
    get: (shard) => Effect.sync(() => Option.fromNullable(sessions.get(key(shard)))),
    set: (shard, state) => Effect.sync(() => void sessions.set(key(shard), state)),
    clear: (shard) => Effect.sync(() => void sessions.delete(key(shard)))
  }
}

/**
 * A layer with an in-memory store. Share one layer between gateways built in
 * sequence (a "restart") to let the second resume the first's session.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<SessionStore> = Layer.sync(SessionStore, makeMemory)
