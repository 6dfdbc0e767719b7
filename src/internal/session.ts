/**
 * The session of one shard: session id, resume URL and the two sequences, across connections.
 * This module is their only owner; each is changed by one step of the pipeline, through one
 * function here:
 *
 * | state | changed by | through |
 * | --- | --- | --- |
 * | `received` (what heartbeats send) | the frame reader, as a dispatch arrives | `noteReceived` |
 * | `sequence` (what Resume sends), `id`, `resumeUrl` | the dispatch step, as a dispatch is accepted | `accept` |
 * | all of them, cleared | the shard loop, when Discord ends the session | `lose` |
 *
 * `save` writes the resumable part to the `SessionStore` (the shard loop calls it after each
 * connection and the dispatch step after READY).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as SessionStore from "../SessionStore.js"

/**
 * No sequence seen yet. Discord numbers a session's first dispatch 1, but other servers speaking
 * the protocol start at 0 (Spacebar numbers READY 0), so "none" must be below every sequence.
 *
 * @internal
 */
export const NoSequence = -1

/**
 * A sequence a server could send: a non-negative safe integer. Anything else (1e400 parses to
 * Infinity) would become the last sequence and make every later dispatch look replayed.
 *
 * @internal
 */
export const isSequence = (s: unknown): s is number => typeof s === "number" && Number.isSafeInteger(s) && s >= 0

/** How to open the next connection. @internal */
export interface Plan {
  readonly mode: "identify" | "resume"
  readonly url: string
}

/** What `accept` decided about a dispatch. @internal */
export type Verdict =
  /** Deliver it. */
  | "next"
  /** Deliver it; its sequence is beyond the next one (a gap Discord's replay did not fill). */
  | "gap"
  /** Deliver it: a READY that started a new session. */
  | "new-session"
  /** Drop it: already delivered (a replay), or the sequence went backwards. */
  | "seen"

/** A session ended by Discord. @internal */
export interface Lost {
  readonly sessionId: string
  readonly lastSequence: number
}

/** @internal */
export interface Session {
  /** The session id, when there is a session to resume. */
  readonly id: () => string | undefined
  /** The last sequence delivered to the event stream (`NoSequence`: none). Resume sends it. */
  readonly sequence: () => number
  /** What the next heartbeat carries: the last sequence received, or `null`. */
  readonly heartbeatSequence: () => number | null
  /** Resume when there is a session, identify on `gatewayUrl` otherwise. */
  readonly plan: (gatewayUrl: string) => Plan
  /** The frame reader saw a dispatch with sequence `s` (not yet decoded or delivered). */
  readonly noteReceived: (s: number) => void
  /**
   * The dispatch step asks whether dispatch `name` with sequence `s` is delivered, and records
   * it when it is. A READY with a `session_id` starts a new session (its resume URL, or
   * `connectedUrl` when it names none).
   */
  readonly accept: (name: string, s: number, data: unknown, connectedUrl: string) => Verdict
  /** Forgets the session (Discord ended it); returns what was lost, if there was a session. */
  readonly lose: () => Lost | undefined
  /** Writes the resumable part to the store (or clears it when there is no session). */
  readonly save: Effect.Effect<void>
  /** Clears the store (shutdown ends the session). */
  readonly clearStored: Effect.Effect<void>
}

/**
 * Loads the shard's session from the store (if it has one).
 *
 * @internal
 */
export const make = (store: SessionStore.SessionStore, key: SessionStore.ShardKey): Effect.Effect<Session> =>
  Effect.map(store.get(key), (stored) => {
    let id = Option.isSome(stored) ? stored.value.sessionId : undefined
    let resumeUrl = Option.isSome(stored) ? stored.value.resumeUrl : undefined
    let sequence = Option.isSome(stored) ? stored.value.sequence : NoSequence
    let received = sequence

    return {
      id: () => id,
      sequence: () => sequence,
      heartbeatSequence: () => (received === NoSequence ? null : received),
      plan: (gatewayUrl) =>
        id !== undefined && resumeUrl !== undefined ? { mode: "resume", url: resumeUrl } : { mode: "identify", url: gatewayUrl },
      noteReceived: (s) => {
        if (s > received) received = s
      },
      accept: (name, s, data, connectedUrl) => {
        if (s <= sequence) return "seen"
        let verdict: Verdict = "next"
        if (name === "READY") {
          // Read from the raw data: a READY that fails its Schema must still start the session.
          const ready = data as { session_id?: unknown; resume_gateway_url?: unknown } | null
          if (typeof ready?.session_id === "string") {
            id = ready.session_id
            resumeUrl = typeof ready.resume_gateway_url === "string" ? ready.resume_gateway_url : connectedUrl
            verdict = "new-session"
          }
        } else if (sequence !== NoSequence && s > sequence + 1) {
          verdict = "gap"
        }
        sequence = s
        if (s > received) received = s
        return verdict
      },
      lose: () => {
        const lost = id === undefined ? undefined : { sessionId: id, lastSequence: sequence }
        id = undefined
        resumeUrl = undefined
        sequence = NoSequence
        received = NoSequence
        return lost
      },
      save: Effect.suspend(() =>
        id !== undefined && resumeUrl !== undefined
          ? store.set(key, { sessionId: id, resumeUrl, sequence })
          : store.clear(key)
      ),
      clearStored: store.clear(key)
    }
  })
