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
 * The session store service: where each shard's resumable session is kept.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionStore {
  /** The shard's stored session, if any. */
  readonly get: (shard: ShardKey) => Effect.Effect<Option.Option<SessionState>>
  /** Stores the shard's session (after READY, on every heartbeat and when a connection ends). */
  readonly set: (shard: ShardKey, state: SessionState) => Effect.Effect<void>
  /** Forgets the shard's session (it was lost, or the gateway was shut down). */
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
 * The session store service tag. `Gateway.layer` and `Sharding.layer` need one: {@link layerMemory}
 * keeps sessions for the life of the process.
 *
 * @since 0.1.0
 * @category tags
 */
export const SessionStore: Context.Tag<SessionStore, SessionStore> = Context.GenericTag<SessionStore>(
  "effect-discord-gateway/SessionStore"
)

/**
 * A store in memory: sessions survive reconnects and `pause`, not the process.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (): SessionStore => {
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
