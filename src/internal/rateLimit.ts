/**
 * The outbound budget of one connection: Discord allows 120 payloads per 60 s.
 *
 * Heartbeats, Identify and Resume (priority payloads) are never held back: a late
 * heartbeat looks like a dead connection. Commands get what is left of the 120 after
 * a reserve for the priority payloads of one window, and wait (in order, never
 * dropped) when their share is used up.
 *
 * The reserve is one window's worth of heartbeats plus two (Identify or Resume, and an
 * answer to a heartbeat request), capped at `MaxReserve`. At Discord's interval
 * (41.25 s) that is 4, so commands get 116 and the total stays within 120. A server that
 * asks for heartbeats more often than the cap allows (test servers use 0.5 to 1 s) gets
 * every heartbeat it asks for, beyond the 120; commands still get `SendLimit - MaxReserve`
 * (100) per window instead of nothing.
 *
 * @internal
 */
import { SendLimit, SendWindowMillis } from "./protocol.js"

/**
 * The largest reserve: commands always get at least `SendLimit - MaxReserve` per window.
 *
 * @internal
 */
export const MaxReserve = 20

/** @internal */
export interface SendBudget {
  /** Milliseconds until a command may go (0 when it may go now). */
  readonly waitMillis: (now: number) => number
  /** Records a command sent at `now`. */
  readonly recordCommand: (now: number) => void
}

/**
 * The reserve at a heartbeat interval: one window's worth of heartbeats, plus two for
 * Identify/Resume and an answer to a heartbeat request, at most `MaxReserve`.
 *
 * @internal
 */
export const reserveFor = (heartbeatIntervalMillis: number): number =>
  Math.min(MaxReserve, Math.ceil(SendWindowMillis / Math.max(1, heartbeatIntervalMillis)) + 2)

/**
 * A sliding window of command send times.
 *
 * @internal
 */
export const make = (options: {
  readonly limit?: number
  readonly windowMillis?: number
  readonly reserve: number
}): SendBudget => {
  const limit = options.limit ?? SendLimit
  const windowMillis = options.windowMillis ?? SendWindowMillis
  const commandLimit = Math.max(1, limit - options.reserve)
  // Timestamps in send order; the oldest falls out first.
  const sent: Array<number> = []
  let head = 0
  const purge = (now: number) => {
    while (head < sent.length && sent[head]! <= now - windowMillis) head++
    if (head > 256 && head * 2 > sent.length) {
      sent.splice(0, head)
      head = 0
    }
  }
  const commandsUsed = (now: number) => {
    purge(now)
    return sent.length - head
  }
  return {
    waitMillis: (now) => {
      const count = commandsUsed(now)
      if (count < commandLimit) return 0
      // The command that must leave the window before one more fits.
      const oldest = sent[head + (count - commandLimit)]!
      return Math.max(1, oldest + windowMillis - now + 1)
    },
    recordCommand: (now) => {
      sent.push(now)
    }
  }
}
