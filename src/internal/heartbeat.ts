/**
 * Heartbeats of one connection (events/gateway.mdx, "Sending Heartbeats"):
 * the first after `interval * jitter` (jitter from Effect's `Random`), then one
 * every `interval`; a beat due while the previous one has no ACK means the
 * connection is a zombie (unless the reader was paused meanwhile: then the ACK
 * may be waiting unread in the socket). A server heartbeat request (op 1) is
 * answered at once by the socket reader (see connection.ts).
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import { HeartbeatTimeout } from "../GatewayError.js"

/**
 * Mutable heartbeat state, written by the socket reader (ACKs) without waiting
 * for anything else, so a busy event pipeline can never delay an ACK.
 *
 * @internal
 */
export interface HeartbeatState {
  acked: boolean
  sentAt: number | undefined
  latencyMillis: number | undefined
  /** Reading is paused for back-pressure: an ACK may be waiting, unread, behind dispatches. */
  readPaused: boolean
  /** Reading was paused at some point since the last heartbeat was sent. */
  pausedSinceBeat: boolean
}

/** @internal */
export const makeState = (): HeartbeatState => ({
  acked: true,
  sentAt: undefined,
  latencyMillis: undefined,
  readPaused: false,
  pausedSinceBeat: false
})

/** Records that reading the socket stopped (`true`) or went on (`false`). @internal */
export const setReadPaused = (state: HeartbeatState, paused: boolean): void => {
  state.readPaused = paused
  if (paused) state.pausedSinceBeat = true
}

/**
 * Waits for one turn of Node's event loop to pass its I/O phase (`setImmediate`
 * runs right after it). After an event-loop stall, timers fire before the socket
 * is read in the same turn: an ACK may be waiting, unread, in the socket buffer.
 */
const ioTurn: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/** Records an ACK that arrived at `now`. @internal */
export const ack = (state: HeartbeatState, now: number): void => {
  state.acked = true
  if (state.sentAt !== undefined) state.latencyMillis = now - state.sentAt
}

/**
 * Runs the heartbeat until the connection is a zombie (fails with
 * `HeartbeatTimeout`). Server heartbeat requests (op 1) are answered by the socket reader itself.
 *
 * @internal
 */
export const run = (options: {
  readonly shard: number
  readonly intervalMillis: number
  readonly state: HeartbeatState
  readonly send: Effect.Effect<void>
}): Effect.Effect<never, HeartbeatTimeout> =>
  Effect.gen(function*() {
    const { intervalMillis, send, state } = options
    const clock = yield* Effect.clock
    const jitter = yield* Random.next
    yield* Effect.sleep(Math.floor(intervalMillis * jitter))
    // One beat is built once and run again and again: an idle shard's only regular work is
    // this loop, so each turn allocates as little as the runtime allows (no generator step,
    // no new Duration or sleep effect per beat).
    const beat = Effect.zipRight(
      Effect.suspend(() => {
        state.pausedSinceBeat = state.readPaused
        state.acked = false
        state.sentAt = clock.unsafeCurrentTimeMillis()
        return send
      }),
      // The clock's own sleep, taken once: `Effect.sleep` would look the clock up on every beat
      clock.sleep(Duration.millis(intervalMillis))
    )
    // Read what the socket holds before judging.
    const judge = Effect.zipRight(
      ioTurn,
      Effect.suspend(() =>
        !state.acked && !state.readPaused
          ? Effect.fail(new HeartbeatTimeout({ shard: options.shard, intervalMillis }))
          : beat
      )
    )
    // An ACK missing while reading was paused may be unread, not lost: no verdict then.
    const turn = Effect.suspend(() => !state.acked && !state.readPaused && !state.pausedSinceBeat ? judge : beat)
    return yield* Effect.whileLoop({ while: () => true, body: () => turn, step: () => {} }).pipe(
      Effect.zipRight(Effect.never)
    )
  })
