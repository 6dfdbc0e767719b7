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
 * | the checkpoints (what a restarted process resumes from) | the heartbeats, as each regular beat goes out | `beat` |
 *
 * What reaches the `SessionStore` is a checkpoint, never the position of the moment: a sequence
 * just accepted may still wait in a subscriber's inbox (or in `deliver`, under back-pressure), and
 * a process killed then would resume past it. Each regular heartbeat records the current position
 * and writes the newest one recorded at least one heartbeat interval earlier; `save` (after READY,
 * when a connection ends, on pause and at shutdown while paused) writes the same. So a restarted
 * process resumes from a position the shard had accepted at least one interval before, and
 * Discord replays everything after it: nothing is lost unless a subscriber was more than one
 * heartbeat interval behind when the process died, and up to about two intervals of events are
 * delivered twice. Until the first heartbeat of a session (in this process) there is no interval to
 * measure by: `save` then writes the current position of a session that started here, as a READY
 * must (and a pause right after READY hands the session over where it stopped), and leaves a
 * session loaded from the store as it is stored.
 *
 * Why not the sequence every subscriber has finished: the event hub does not tell it.
 *
 * Checkpoints at heartbeats are written by a fiber of their own (forked from the scheduler's task),
 * one write at a time and only when the position moved; a `save` or clear overtakes a checkpoint
 * still waiting for its write.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import type * as SessionStore from "../SessionStore.js"
import type * as Heartbeat from "./heartbeat.js"

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
  /** A regular heartbeat is going out (not an answer to op 1): takes the checkpoint it makes. */
  readonly beat: (beat: Heartbeat.Beat) => void
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
  /**
   * Writes the resumable part to the store, at the newest checkpoint (see the module header), or
   * clears it when there is no session.
   */
  readonly save: Effect.Effect<void>
  /** Clears the store (shutdown ends the session). */
  readonly clearStored: Effect.Effect<void>
}

/** A position recorded at a regular heartbeat. */
interface Candidate {
  readonly state: SessionStore.SessionState
  /** When it was recorded (the beat's time). */
  readonly at: number
}

/** Positions waiting to be an interval old: beyond this many, the oldest go (fewer checkpoints, never a newer one). */
const maxCandidates = 8

const sameState = (a: SessionStore.SessionState, b: SessionStore.SessionState | undefined): boolean =>
  b !== undefined && a.sessionId === b.sessionId && a.sequence === b.sequence && a.resumeUrl === b.resumeUrl

const isStoredSession = (state: SessionStore.SessionState): boolean =>
  typeof state.sessionId === "string" && state.sessionId.length > 0 && typeof state.resumeUrl === "string" &&
  isSequence(state.sequence)

/**
 * Loads the shard's session from the store (if it has one).
 *
 * @internal
 */
export const make = (store: SessionStore.SessionStore, key: SessionStore.ShardKey): Effect.Effect<Session> =>
  Effect.gen(function*() {
    const stored = Option.filter(yield* store.get(key), isStoredSession)
    const clock = yield* Effect.clock
    // Checkpoints are written from the scheduler's task, outside any fiber of the shard.
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const writes = yield* Effect.makeSemaphore(1)

    let id = Option.isSome(stored) ? stored.value.sessionId : undefined
    let resumeUrl = Option.isSome(stored) ? stored.value.resumeUrl : undefined
    let sequence = Option.isSome(stored) ? stored.value.sequence : NoSequence
    let received = sequence

    // The heartbeat interval, known from this session's first regular beat (in this process) on.
    let interval: number | undefined
    // The session started here (READY), not loaded from the store.
    let startedHere = false
    // Positions of this session recorded at regular beats and not yet an interval old, oldest first.
    let candidates: Array<Candidate> = []
    // The last position recorded, and the newest that became a checkpoint.
    let recorded: Candidate | undefined
    let checkpointed: Candidate | undefined
    // What the store holds, as far as this session knows (`undefined`: nothing).
    let written: SessionStore.SessionState | undefined = Option.getOrUndefined(stored)
    // Bumped by every `save` and clear: a checkpoint asked for before one is not written after it.
    let version = 0
    // Shut down (the store was cleared): no checkpoint is written any more.
    let closed = false
    // The checkpoint waiting for its write (one write fiber at a time).
    let pending: { readonly state: SessionStore.SessionState; readonly version: number } | undefined

    // A new session (READY) or none: nothing recorded so far applies.
    const forgetCheckpoints = () => {
      interval = undefined
      candidates = []
      recorded = undefined
      checkpointed = undefined
    }

    // The newest position recorded at least an interval before `now`, or undefined before the first beat.
    const checkpointAt = (now: number, intervalMillis: number): Candidate | undefined => {
      let index = -1
      for (let i = 0; i < candidates.length; i++) if (now - candidates[i]!.at >= intervalMillis) index = i
      if (index >= 0) {
        checkpointed = candidates[index]
        candidates = candidates.slice(index + 1)
      }
      return checkpointed
    }

    const writeCheckpoint: Effect.Effect<void> = writes.withPermits(1)(Effect.suspend(() => {
      const request = pending
      pending = undefined
      if (request === undefined || closed || request.version !== version || sameState(request.state, written)) {
        return Effect.void
      }
      written = request.state
      return store.set(key, request.state)
    })).pipe(
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.void
          : Effect.logWarning("could not store the session checkpoint; a restart resumes from an older one", cause)
      ),
      Effect.annotateLogs("shard", key[0])
    )

    // A regular heartbeat is going out: write the checkpoint it makes, record the position.
    const beat = ({ intervalMillis, now }: Heartbeat.Beat): void => {
      if (id === undefined || resumeUrl === undefined) return
      interval = intervalMillis
      const checkpoint = checkpointAt(now, intervalMillis)
      if (recorded === undefined || recorded.state.sequence !== sequence) {
        recorded = { state: { sessionId: id, resumeUrl, sequence }, at: now }
        candidates.push(recorded)
        if (candidates.length > maxCandidates) candidates.shift()
      }
      if (checkpoint === undefined || sameState(checkpoint.state, written)) return
      const idle = pending === undefined
      pending = { state: checkpoint.state, version }
      if (idle) runFork(writeCheckpoint)
    }

    const session: Session = {
      id: () => id,
      sequence: () => sequence,
      heartbeatSequence: () => (received === NoSequence ? null : received),
      beat,
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
            forgetCheckpoints()
            startedHere = true
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
        forgetCheckpoints()
        return lost
      },
      save: writes.withPermits(1)(Effect.suspend(() => {
        version++
        if (id === undefined || resumeUrl === undefined) {
          written = undefined
          return store.clear(key)
        }
        // Before the first beat: a session started here stores its current position (READY's, or
        // where it stopped right after); one loaded from the store keeps what is stored.
        const state = interval !== undefined
          ? checkpointAt(clock.unsafeCurrentTimeMillis(), interval)?.state
          : startedHere
          ? { sessionId: id, resumeUrl, sequence }
          : undefined
        if (state === undefined || sameState(state, written)) return Effect.void
        written = state
        return store.set(key, state)
      })),
      clearStored: writes.withPermits(1)(Effect.suspend(() => {
        version++
        closed = true
        written = undefined
        return store.clear(key)
      }))
    }
    return session
  })
