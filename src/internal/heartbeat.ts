/**
 * Heartbeats of one connection (events/gateway.mdx, "Sending Heartbeats"):
 * the first after `interval * jitter` (jitter from Effect's `Random`), then one
 * every `interval`; a beat due while the previous one has no ACK means the
 * connection is a zombie (unless the reader was paused meanwhile: then the ACK
 * may be waiting unread in the socket). A server heartbeat request (op 1) is
 * answered at once by the frame reader (see frameReader.ts). The beats run on the
 * process's one scheduler (scheduler.ts), not on a fiber of their own.
 *
 * A regular beat's `send` is given the beat (its time and interval): the shard's session takes
 * its checkpoint for the store then (session.ts). An answer to a heartbeat request is not a
 * regular beat and makes no checkpoint.
 *
 * @internal
 */
import type { GatewayConfig } from "../GatewayConfig.js"
import { HeartbeatTimeout } from "./connectionEnded.js"
import * as Encoding from "./encoding.js"
import { Op } from "./protocol.js"
import * as Scheduler from "./scheduler.js"

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

/** A regular heartbeat being sent. @internal */
export interface Beat {
  /** When it is sent, by Effect's `Clock` (ms). */
  readonly now: number
  /** The connection's heartbeat interval (ms): the next regular beat is due this much later. */
  readonly intervalMillis: number
}

/** Records that reading the socket stopped (`true`) or went on (`false`). @internal */
export const setReadPaused = (state: HeartbeatState, paused: boolean): void => {
  state.readPaused = paused
  if (paused) state.pausedSinceBeat = true
}

/** Records an ACK that arrived at `now`. @internal */
export const ack = (state: HeartbeatState, now: number): void => {
  state.acked = true
  if (state.sentAt !== undefined) state.latencyMillis = now - state.sentAt
}

/**
 * Schedules the heartbeats of one connection on the process's scheduler: the first after
 * `intervalMillis * jitter`, then one every `intervalMillis`. `send` writes a heartbeat (with the
 * last sequence) to the socket; `onZombie` ends the connection. Cancel the returned entry when
 * the connection ends.
 *
 * @internal
 */
export const start = (options: {
  readonly scheduler: Scheduler.Scheduler
  readonly shard: number
  readonly intervalMillis: number
  /** In [0, 1): from Effect's `Random`, so tests are deterministic. */
  readonly jitter: number
  readonly state: HeartbeatState
  /** Writes a regular heartbeat; `beat` is when it goes out and the interval to the next. */
  readonly send: (beat: Beat) => void
  readonly onZombie: (error: HeartbeatTimeout) => void
}): Scheduler.Entry => {
  const { intervalMillis, send, state } = options
  return options.scheduler.at(
    options.scheduler.now() + Math.floor(intervalMillis * options.jitter),
    (now, afterIo) => {
      if (!state.acked && !state.readPaused) {
        // An ACK missing while reading was paused may be unread, not lost: no verdict then.
        // Otherwise read what the socket holds before judging.
        if (!afterIo && !state.pausedSinceBeat) return Scheduler.AfterIoTurn
        if (afterIo) {
          options.onZombie(new HeartbeatTimeout({ shard: options.shard, intervalMillis }))
          return undefined
        }
      }
      state.pausedSinceBeat = state.readPaused
      state.acked = false
      state.sentAt = now
      send({ now, intervalMillis })
      return now + intervalMillis
    }
  )
}

/**
 * A heartbeat (op 1) with the last sequence received (`null` before the first dispatch).
 *
 * @internal
 */
export const frame = (encoding: GatewayConfig["encoding"], sequence: number | null): Encoding.Frame =>
  Encoding.encode(encoding, { op: Op.Heartbeat, d: sequence })
