/**
 * One timer for every shard of a gateway or sharding layer: heartbeats and handshake deadlines
 * are entries in one heap, run by one fiber that sleeps (on Effect's `Clock`, so `TestClock`
 * drives it) until the earliest entry is due. An idle shard owns no timer fiber of its own;
 * 1 000 idle shards cost one sleeping fiber here, not 1 000. An entry due before the time the
 * fiber sleeps until (a new connection's first beat or a handshake deadline) is run by a one-off
 * fiber that sleeps until then; beats rescheduling themselves never need one.
 *
 * A task is a synchronous function: it runs on the scheduler's fiber and must not block. It
 * returns when it wants to run next (a time on the clock), `undefined` to stop, or `AfterIoTurn`
 * to run again (with `afterIo: true`) once Node's event loop has passed its I/O phase: what the
 * zombie check needs, since after a stall timers run before the socket is read.
 *
 * Why not `Effect.sleep` per shard: a fiber per timer is what made an idle shard heavy (each
 * sleeping fiber keeps its stack, its FiberRefs and a clock registration), and at Discord's
 * 41.25 s interval the beats of 1 000 shards are 24 wake-ups a second of one fiber.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"

/** A task's answer: run again after an I/O turn. @internal */
export const AfterIoTurn: unique symbol = Symbol("AfterIoTurn")

/** @internal */
export type Task = (now: number, afterIo: boolean) => number | undefined | typeof AfterIoTurn

/** A scheduled task. @internal */
export interface Entry {
  due: number
  /** In the heap (not running, not waiting for an I/O turn). */
  queued: boolean
  /** Insertion order: entries due at the same time run in the order they were scheduled. */
  order: number
  cancelled: boolean
  readonly task: Task
}

/** @internal */
export interface Scheduler {
  /** The clock's time, in milliseconds. */
  readonly now: () => number
  /** Runs `task` at `due` (or at once when that has passed). */
  readonly at: (due: number, task: Task) => Entry
  /** The entry will not run (again). */
  readonly cancel: (entry: Entry) => void
  /** Entries waiting, for tests and metrics. */
  readonly size: () => number
}

/** A binary min-heap on (due, order). */
const before = (a: Entry, b: Entry) => a.due < b.due || (a.due === b.due && a.order < b.order)

const siftUp = (heap: Array<Entry>, index: number) => {
  const entry = heap[index]!
  while (index > 0) {
    const parent = (index - 1) >> 1
    if (!before(entry, heap[parent]!)) break
    heap[index] = heap[parent]!
    index = parent
  }
  heap[index] = entry
}

const siftDown = (heap: Array<Entry>, index: number) => {
  const entry = heap[index]!
  const size = heap.length
  while (true) {
    const left = 2 * index + 1
    if (left >= size) break
    const right = left + 1
    const child = right < size && before(heap[right]!, heap[left]!) ? right : left
    if (!before(heap[child]!, entry)) break
    heap[index] = heap[child]!
    index = child
  }
  heap[index] = entry
}

const pop = (heap: Array<Entry>): Entry => {
  const top = heap[0]!
  const last = heap.pop()!
  if (heap.length > 0) {
    heap[0] = last
    siftDown(heap, 0)
  }
  return top
}

/**
 * Waits for one turn of Node's event loop to pass its I/O phase (`setImmediate` runs right after
 * it). After an event-loop stall, timers fire before the socket is read in the same turn: an ACK
 * may be waiting, unread, in the socket buffer.
 */
const ioTurn: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

/**
 * Starts a scheduler whose fiber lives in the current scope.
 *
 * @internal
 */
export const make: Effect.Effect<Scheduler, never, Scope.Scope> = Effect.gen(function*() {
  const clock = yield* Effect.clock
  const runFork = Runtime.runFork(yield* Effect.runtime<never>())
  const heap: Array<Entry> = []
  let order = 0
  let cancelled = 0
  const now = () => clock.unsafeCurrentTimeMillis()

  const push = (entry: Entry, due: number) => {
    entry.due = due
    entry.order = order++
    entry.queued = true
    heap.push(entry)
    siftUp(heap, heap.length - 1)
  }

  const afterIo: Array<Entry> = []
  const defects: Array<unknown> = []
  const runTask = (entry: Entry, time: number, io: boolean) => {
    let next: ReturnType<Task>
    try {
      next = entry.task(time, io)
    } catch (defect) {
      defects.push(defect)
      next = undefined
    }
    if (entry.cancelled) return
    if (next === AfterIoTurn) afterIo.push(entry)
    else if (next === undefined) entry.cancelled = true
    else push(entry, next)
  }
  const runDue = () => {
    const time = now()
    while (heap.length > 0 && heap[0]!.due <= time) {
      const entry = pop(heap)
      entry.queued = false
      if (entry.cancelled) {
        cancelled--
        continue
      }
      runTask(entry, time, false)
    }
  }

  // Runs what is due, then what waits for an I/O turn, and says what failed.
  const tick = Effect.gen(function*() {
    runDue()
    while (afterIo.length > 0) {
      yield* ioTurn
      const time = now()
      for (const entry of afterIo.splice(0)) if (!entry.cancelled) runTask(entry, time, true)
      runDue()
    }
    for (const defect of defects.splice(0)) yield* Effect.logError("a timer task failed", Cause.die(defect))
  })

  // The loop sleeps on the clock until the earliest entry, so a steady stream of beats costs no
  // fiber but this one. An entry scheduled earlier than the loop's wake-up time (a new connection's
  // first beat or deadline) gets a one-off fiber that sleeps until then and runs what is due.
  // `sleepingUntil` is -Infinity while the loop runs (it will see every new entry), +Infinity
  // while it waits, with nothing scheduled, for `at` to wake it.
  let sleepingUntil = -Infinity
  let waiting: (() => void) | undefined
  // The one-off fiber, if any: one at a time, replaced by an earlier one.
  let early: Fiber.RuntimeFiber<void> | undefined
  let earlyToken: object | undefined
  let earlyDue = Infinity
  // After its tick, a one-off fiber hands on what is still due before the loop wakes (a beat it
  // rescheduled) to the next one-off fiber; from the loop's wake-up on, the loop runs them all.
  const handOn = Effect.sync(() => {
    if (heap.length > 0 && heap[0]!.due < sleepingUntil) wakeEarly(heap[0]!.due)
  })
  const wakeEarly = (due: number): void => {
    if (due >= earlyDue || closed) return
    early?.unsafeInterruptAsFork(FiberId.none)
    early = undefined
    const token = {}
    earlyToken = token
    earlyDue = due
    const fiber = runFork(
      clock.sleep(Duration.millis(Math.max(0, due - now()))).pipe(
        Effect.zipRight(Effect.sync(() => {
          if (earlyToken !== token) return
          earlyToken = undefined
          early = undefined
          earlyDue = Infinity
        })),
        Effect.zipRight(tick),
        Effect.zipRight(handOn)
      )
    )
    // `runFork` runs the fiber until it first suspends: with nothing to wait for, it is past that.
    if (earlyToken === token) early = fiber
  }
  const waitForEntries = Effect.async<void>((resume) => {
    waiting = () => resume(Effect.void)
    return Effect.sync(() => {
      waiting = undefined
    })
  })

  const loop = Effect.gen(function*() {
    while (true) {
      sleepingUntil = -Infinity
      yield* tick
      if (heap.length === 0) {
        sleepingUntil = Infinity
        yield* waitForEntries
        continue
      }
      const next = heap[0]!.due
      const wait = next - now()
      if (wait <= 0) continue
      sleepingUntil = next
      yield* clock.sleep(Duration.millis(wait))
    }
  })
  yield* Effect.forkScoped(loop)
  // Closed with its scope: nothing scheduled after that runs, and no timer keeps the process alive.
  let closed = false
  yield* Effect.addFinalizer(() =>
    Effect.sync(() => {
      closed = true
      early?.unsafeInterruptAsFork(FiberId.none)
      early = undefined
    })
  )

  return {
    now,
    at: (due, task) => {
      const entry: Entry = { due, order: 0, queued: false, cancelled: closed, task }
      if (closed) return entry
      push(entry, due)
      if (waiting !== undefined) {
        const resume = waiting
        waiting = undefined
        resume()
      } else if (due < sleepingUntil) {
        wakeEarly(due)
      }
      return entry
    },
    cancel: (entry) => {
      if (entry.cancelled) return
      entry.cancelled = true
      if (!entry.queued) return
      cancelled++
      // Cancelled entries leave the heap as they come due; when they are most of it, at once.
      if (cancelled > 64 && cancelled * 2 > heap.length) {
        const live = heap.filter((e) => !e.cancelled)
        for (const e of heap) if (e.cancelled) e.queued = false
        heap.length = 0
        for (const e of live) {
          heap.push(e)
          siftUp(heap, heap.length - 1)
        }
        cancelled = 0
      }
    },
    size: () => heap.length - cancelled
  }
})
