/**
 * A mailbox with one synchronous writer (a socket callback) and one reading fiber, for the
 * hot path of a connection: `push` is an array push, and `takeBatch` takes everything waiting
 * (up to a bound) as a plain array, suspending only when nothing is there. Effect's `Queue`
 * does the same work with a Chunk per taken element; at tens of thousands of events per
 * second that allocation showed up as a third of the pipeline's garbage.
 *
 * Against Effect 3.22's own (`bench/primitives.ts`, issue #14): 1 000 000 small frames pushed from
 * `setImmediate` callbacks, one fiber reading; Node 20, compiled JS, 2 shared cores; medians of 5 rounds
 * in two runs (bench/results/2026-12-04T06-01-23.192Z-primitives-inbox-mailbox-queue-idle.json and
 * 2026-12-04T06-28-53.622Z-primitives-inbox-mailbox-queue-repeat.json), "net" = minus the producer alone:
 *
 * | frames per callback         | primitive                            | CPU ns/frame (net)        | alloc B/frame |
 * | 1 (every push wakes reader) | this inbox                           | 6,257 / 6,740 (3.4k/3.8k) | 6,229 / 6,257 |
 * |                             | `Mailbox` unsafeOffer + takeAll      | 7,882 / 7,391 (5.0k/4.5k) | 6,928 / 6,920 |
 * |                             | `Queue.unbounded` take + takeAll     | 20,733 / 22,110           | 13,602        |
 * | 1..64                       | this inbox                           | 446 / 419 (238 / 245)     | 342 / 350     |
 * |                             | `Mailbox` unsafeOffer + takeAll      | 463 / 384 (255 / 210)     | 370 / 377     |
 * |                             | `Queue.unbounded` take + takeAll     | 1,214 / 1,117             | 1,919 / 1,896 |
 *
 * Idle, 1 000 instances each with a fiber waiting on it: 7.2 KB per instance (0.7 KB of it the inbox),
 * `Mailbox` 8.5 KB (2.6 KB), `Queue` 10.7 KB; the waiting fiber alone is 6.9 KB.
 *
 * Verdict: kept, for a small but consistent win on the path an idle or quiet shard takes, one frame per
 * wake: 0.65–1.6 µs of CPU and 0.7 KB of allocation less per wake (`Mailbox` wakes its taker through one
 * more scheduler task), and 1.3 KB less per idle shard. Under bursts `Mailbox` is as good (within ±10%,
 * either way). `Mailbox` also has no bounded read: `takeN(n)` waits for n messages, not up to n, and
 * never returns once the mailbox has ended with fewer pending; and it has no `notify`. `Queue` costs
 * 4–7× the net CPU and is not a candidate.
 *
 * @internal
 */
import * as Effect from "effect/Effect"

/** @internal */
export interface Inbox<A> {
  /** Adds an item; wakes the reader if it waits. */
  readonly push: (item: A) => void
  /**
   * The waiting items in arrival order (at most `max`), waiting for the first if none is there.
   * Empty only after `notify`.
   */
  readonly takeBatch: (max: number) => Effect.Effect<Array<A>>
  /** Wakes the reader without an item (it then re-checks why it reads): the next `takeBatch` returns at once. */
  readonly notify: () => void
  /** How many items wait. */
  readonly size: () => number
}

/** @internal */
export const make = <A>(initial: Array<A> = []): Inbox<A> => {
  // One array for the inbox's life; batches are spliced out of it. Handing the array itself out
  // and starting a new one from a literal would let V8 pretenure that literal (see dispatch.ts).
  const items: Array<A> = initial
  let wake: (() => void) | undefined
  let notified = false

  const drain = (max: number): Array<A> => {
    notified = false
    return items.splice(0, max)
  }
  const wakeReader = () => {
    if (wake === undefined) return false
    const resume = wake
    wake = undefined
    resume()
    return true
  }

  return {
    push: (item) => {
      items.push(item)
      wakeReader()
    },
    takeBatch: (max) =>
      Effect.suspend(() =>
        items.length > 0 || notified
          ? Effect.succeed(drain(max))
          : Effect.async<Array<A>>((resume) => {
            // Checked again: the fiber may have yielded between the check above and this
            // registration, and a push or notify in between found no waiter.
            if (items.length > 0 || notified) return resume(Effect.sync(() => drain(max)))
            wake = () => resume(Effect.sync(() => drain(max)))
            // Interrupted while waiting: forget the waiter.
            return Effect.sync(() => {
              wake = undefined
            })
          })
      ),
    notify: () => {
      if (!wakeReader()) notified = true
    },
    size: () => items.length
  }
}
