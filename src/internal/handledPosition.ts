/**
 * The exact resume position of a shard whose events a handler processes: the session and the
 * sequence of the last event the handler *finished*, kept in the session store as soon as it
 * moves (one write in flight, the newest position after it). A shard that resumes from it, on
 * this runner or another, gets every event after the last one handled: nothing a handler did not
 * finish is lost, and after a crash only the events finished while the last write was under way
 * come again.
 *
 * The gateway's own checkpoints (session.ts) are one heartbeat interval old by design, because
 * the gateway cannot know how far its subscribers are; with a handler that is known, so the
 * gateway's writes are ignored here and this position is stored instead.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { GatewayEvent } from "../GatewayEvent.js"
import type * as SessionStore from "../SessionStore.js"

/** @internal */
export interface HandledPosition {
  /** The store the gateway uses: reads what this position stored; its writes are ignored. */
  readonly gatewayStore: SessionStore.SessionStore
  /** Loads the stored position; call before the gateway starts. */
  readonly load: Effect.Effect<void>
  /** The handler finished `event`: moves the position (and asks for a write). */
  readonly handled: (event: GatewayEvent) => void
  /** Writes the position whenever it moved; runs until interrupted. */
  readonly writer: Effect.Effect<never>
  /** Writes the newest position now if it is not stored yet (a handover). */
  readonly flush: Effect.Effect<void>
}

const readyFields = (event: GatewayEvent): { sessionId: string; resumeUrl: string } | undefined => {
  const data: unknown = event.type === "READY"
    ? event.data
    : event.type === "DECODE_FAILURE" && event.name === "READY"
    ? event.raw
    : undefined
  if (typeof data !== "object" || data === null) return undefined
  const { resume_gateway_url, session_id } = data as { session_id?: unknown; resume_gateway_url?: unknown }
  if (typeof session_id !== "string" || session_id.length === 0 || typeof resume_gateway_url !== "string") {
    return undefined
  }
  return { sessionId: session_id, resumeUrl: resume_gateway_url }
}

/** @internal */
export const make = (store: SessionStore.SessionStore, key: SessionStore.ShardKey): Effect.Effect<HandledPosition> =>
  Effect.gen(function*() {
    // `undefined`: no resumable session (none yet, or Discord ended it).
    let position: SessionStore.SessionState | undefined
    // What the store holds as far as we know; `null`: cleared or never written.
    let written: SessionStore.SessionState | null = null
    let dirty = false
    const lock = yield* Effect.makeSemaphore(1)
    const wake = yield* Effect.makeLatch(false)

    const write = lock.withPermits(1)(Effect.suspend(() => {
      dirty = false
      const target = position
      if (target === undefined) {
        if (written === null) return Effect.void
        written = null
        return store.clear(key)
      }
      if (
        written !== null && written.sessionId === target.sessionId && written.sequence === target.sequence &&
        written.resumeUrl === target.resumeUrl
      ) return Effect.void
      written = target
      return store.set(key, target)
    }))

    return {
      gatewayStore: {
        get: () => Effect.sync(() => Option.fromNullable(position)),
        set: () => Effect.void,
        clear: () => Effect.void
      },
      load: Effect.map(store.get(key), (stored) => {
        position = Option.getOrUndefined(stored)
        written = position ?? null
      }),
      handled: (event) => {
        if (event.type === "SESSION_LOST") {
          position = undefined
        } else {
          const ready = readyFields(event)
          if (ready !== undefined) position = { ...ready, sequence: event.sequence }
          else if (position !== undefined && "sequence" in event) {
            position = { sessionId: position.sessionId, resumeUrl: position.resumeUrl, sequence: event.sequence }
          } else return
        }
        if (!dirty) {
          dirty = true
          wake.unsafeOpen()
        }
      },
      writer: Effect.forever(Effect.zipRight(
        Effect.zipRight(wake.await, wake.close),
        write
      )),
      flush: write
    }
  })
