/**
 * Where a shard keeps what it needs to resume: session id, last sequence and resume URL.
 * Backing it with storage that outlives the process lets a restarted bot resume
 * within Discord's resume window instead of identifying anew.
 *
 * What the gateway stores is a checkpoint: the position (sequence) the shard had reached at least
 * one heartbeat interval (41.25 s on Discord) before, written at every heartbeat when it moved,
 * and after READY, when a connection ends and when the gateway is paused (or shut down while
 * paused). Shutting down (close 1000 ends the session) and a session Discord ended clear it. The
 * store is never written per event.
 *
 * So a process that dies without warning (a crash, `SIGKILL`, the OOM killer) resumes from its last
 * checkpoint, and Discord replays every event after it: nothing is lost unless a subscriber was
 * more than one heartbeat interval behind the gateway when the process died, and the events since
 * the checkpoint (up to about two heartbeat intervals of them) may be delivered twice. The one
 * exception: a session's first heartbeat comes a random fraction of an interval after READY, and
 * until then there is no checkpoint; what is stored is READY's position, or where a connection
 * ended or a pause stopped in that time. A session resumed from the store keeps its stored
 * position until its first checkpoint.
 *
 * @example
 * ```ts
 * import { NodeContext, NodeHttpClient } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { Gateway, GatewayConfig, GatewaySocket, IdentifyLimiter, SessionStore } from "effect-discord-gateway"
 *
 * // Sessions in files under ./sessions: a restarted process resumes where the last one stopped.
 * const GatewayLive = Gateway.layer.pipe(
 *   Layer.provide([
 *     GatewayConfig.layerFromEnv(),
 *     GatewaySocket.layerWebSocketConstructor,
 *     NodeHttpClient.layerUndici,
 *     SessionStore.layerFileSystem("./sessions"),
 *     IdentifyLimiter.layerMemory()
 *   ]),
 *   Layer.provide(NodeContext.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as PlatformError from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import type * as Path from "@effect/platform/Path"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { brief } from "./internal/logText.js"

/**
 * A resumable session.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionState {
  /** READY's `session_id`. */
  readonly sessionId: string
  /** The sequence Resume sends: Discord replays every dispatch after it. */
  readonly sequence: number
  /** READY's `resume_gateway_url`, where Resume is sent. */
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
  /** Stores the shard's session (after READY, at heartbeats, when a connection ends, on pause). */
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
 * keeps sessions for the life of the process, {@link layerFileSystem} and {@link layerKeyValueStore}
 * beyond it.
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

/**
 * Options of a store on a `KeyValueStore`.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyValueStoreOptions {
  /**
   * Prepended to each key (`<prefix>shard-<id>-of-<count>`). Default {@link defaultPrefix}. Bots that
   * share a `KeyValueStore` need one each.
   */
  readonly prefix?: string | undefined
}

/**
 * The default key prefix of {@link makeKeyValueStore}.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPrefix = "effect-discord-gateway/session/"

/** A stored session as JSON: a value that does not decode is not a session. */
const StoredSession = Schema.Struct({
  sessionId: Schema.NonEmptyString,
  sequence: Schema.NonNegativeInt,
  resumeUrl: Schema.NonEmptyString
})


/**
 * A store on `@effect/platform`'s `KeyValueStore`: one key per shard and shard count, holding the
 * session as JSON. A value that does not decode (corrupt, or written by something else) is taken
 * for no session, with a warning: the shard identifies anew. The store's failures never reach the
 * gateway: each is logged as a warning, and the gateway goes on (a failed read identifies anew, a
 * failed write costs the restart a more recent position or the resume itself).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeKeyValueStore = (
  options?: KeyValueStoreOptions
): Effect.Effect<SessionStore, never, KeyValueStore.KeyValueStore> =>
  Effect.map(KeyValueStore.KeyValueStore, (kv) => {
    const prefixed = KeyValueStore.prefix(kv, options?.prefix ?? defaultPrefix)
    const sessions = prefixed.forSchema(StoredSession)
    const key = ([id, count]: ShardKey) => `shard-${id}-of-${count}`
    const warn = (shard: ShardKey, what: string) => (error: { readonly message: string }) =>
      Effect.logWarning(`session store, shard ${shard[0]} of ${shard[1]}: ${what}: ${brief(error.message)}`)
    const none = Option.none<SessionState>()
    return {
      get: (shard) =>
        sessions.get(key(shard)).pipe(
          Effect.catchTag("ParseError", (error) =>
            Effect.as(warn(shard, "ignored a stored value that is not a session; identifying anew")(error), none)),
          Effect.catchAll((error) => Effect.as(warn(shard, "could not read the stored session; identifying anew")(error), none))
        ),
      set: (shard, { resumeUrl, sequence, sessionId }) =>
        sessions.set(key(shard), { sessionId, sequence, resumeUrl }).pipe(
          Effect.catchAll(
            warn(shard, "could not store the session; a restart resumes from an older position or identifies anew")
          )
        ),
      clear: (shard) =>
        prefixed.remove(key(shard)).pipe(
          Effect.catchAll((error) =>
            // Nothing stored: nothing to clear (the file system store fails removing a missing file).
            error._tag === "SystemError" && error.reason === "NotFound"
              ? Effect.void
              : warn(shard, "could not clear the stored session; a restart will try to resume it")(error)
          )
        )
    }
  })

/**
 * A layer with a store on the `KeyValueStore` in the context (see {@link makeKeyValueStore}):
 * `KeyValueStore.layerFileSystem(directory)` for files, or any other implementation.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerKeyValueStore = (
  options?: KeyValueStoreOptions
): Layer.Layer<SessionStore, never, KeyValueStore.KeyValueStore> => Layer.effect(SessionStore, makeKeyValueStore(options))

/**
 * A layer with a store in files under `directory` (created if missing), one per shard:
 * {@link layerKeyValueStore} on `KeyValueStore.layerFileSystem`. It needs a `FileSystem` and a
 * `Path` (`NodeContext.layer` from `@effect/platform-node`); it fails only when the directory
 * cannot be created. A file is rewritten in place: a process killed in the middle of a write (a
 * few microseconds per checkpoint) leaves one that does not decode, and the next start identifies
 * anew.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFileSystem = (
  directory: string,
  options?: KeyValueStoreOptions
): Layer.Layer<SessionStore, PlatformError.PlatformError, FileSystem.FileSystem | Path.Path> =>
  layerKeyValueStore(options).pipe(Layer.provide(KeyValueStore.layerFileSystem(directory)))
