/**
 * The outbound budget of one connection: Discord allows 120 payloads per 60 s.
 * A reserve is kept for heartbeats (and identify/resume), so that user commands
 * waiting for the window can never starve them.
 *
 * @internal
 */
import { SendLimit, SendWindowMillis } from "./protocol.js"

/** @internal */
export interface SendBudget {
  /** Whether a payload may go now. `priority` payloads may use the reserve. */
  readonly available: (now: number, priority: boolean) => boolean
  /** Milliseconds until a non-priority payload may go (0 when it may go now). */
  readonly waitMillis: (now: number) => number
  /** Records a payload sent at `now`. */
  readonly record: (now: number) => void
  /** Payloads sent within the current window. */
  readonly used: (now: number) => number
  readonly commandLimit: number
}

/**
 * The reserve: one window's worth of heartbeats at `heartbeatInterval`, plus
 * two for identify/resume and answers to server heartbeat requests.
 *
 * @internal
 */
export const reserveFor = (heartbeatIntervalMillis: number): number =>
  Math.min(SendLimit - 1, Math.ceil(SendWindowMillis / Math.max(1, heartbeatIntervalMillis)) + 2)

/**
 * A sliding window of send timestamps.
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
  const used = (now: number) => {
    purge(now)
    return sent.length - head
  }
  return {
    commandLimit,
    used,
    available: (now, priority) => used(now) < (priority ? limit : commandLimit),
    waitMillis: (now) => {
      const count = used(now)
      if (count < commandLimit) return 0
      // The payload that must leave the window before one more command fits.
      const oldest = sent[head + (count - commandLimit)]!
      return Math.max(1, oldest + windowMillis - now + 1)
    },
    record: (now) => {
      sent.push(now)
    }
  }
}
