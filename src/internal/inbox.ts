/**
 * A mailbox with one synchronous writer (a socket callback) and one reading fiber, for the
 * hot path of a connection: `push` is an array push, and `takeBatch` takes everything waiting
 * (up to a bound) as a plain array, suspending only when nothing is there. Effect's `Queue`
 * does the same work with a Chunk per taken element; at tens of thousands of events per
 * second that allocation showed up as a third of the pipeline's garbage.
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
