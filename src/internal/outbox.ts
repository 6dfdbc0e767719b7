/**
 * The commands of one shard (presence, voice state, member requests, raw `send`): queued in order,
 * written only while a connection is live, within its rate limit, and never dropped. Commands
 * outlive connections: a command queued while the shard reconnects goes out on the next one,
 * and a command that could not be written stays first in line.
 *
 * The fiber that writes them runs only while commands wait, so an idle shard keeps none: a
 * `FiberHandle` in the live connection's scope holds it (made with the first command, so a
 * connection that never sends keeps no handle either), and closing that scope (the connection
 * ended) interrupts it. It is started with `FiberHandle.run` without `onlyIfMissing`, guarded by
 * `draining`: the drain clears `draining` in the same synchronous step in which it finds the queue
 * empty, so a command queued right after is started at once even if the finishing fiber has not
 * left the handle yet (with `onlyIfMissing` that command would wait for the next one).
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberHandle from "effect/FiberHandle"
import * as FiberId from "effect/FiberId"
import type * as MetricLabel from "effect/MetricLabel"
import * as Scope from "effect/Scope"
import * as Metrics from "../GatewayMetrics.js"
import type * as Encoding from "./encoding.js"
import type * as RateLimit from "./rateLimit.js"

interface Command {
  /** The command, encoded in the connection's encoding. */
  readonly frame: Encoding.Frame
  readonly written: Deferred.Deferred<void>
}

/** A live connection, as the outbox writes to it. @internal */
export interface Link {
  /** Writes a frame now; `false` when the socket is not open (the connection is ending). */
  readonly write: (frame: Encoding.Frame) => boolean
  readonly budget: RateLimit.SendBudget
}

/** @internal */
export interface Outbox {
  /**
   * Queues a command and waits until it is written. Interrupted by `close` (the shard stopped):
   * the caller says why.
   */
  readonly send: (frame: Encoding.Frame) => Effect.Effect<void>
  /**
   * A connection went live: its writer drains the queue. The writer's fiber lives in `scope` (the
   * connection's), made when the first command needs it.
   */
  readonly attach: (link: Link, scope: Scope.Scope) => Effect.Effect<void>
  /** The connection ended (after its scope has stopped the writer). */
  readonly detach: () => void
  /** The shard stopped: every waiting `send` is interrupted. */
  readonly close: Effect.Effect<void>
  /** Commands waiting. */
  readonly size: () => number
}

/** @internal */
export const make = (metricTags: ReadonlyArray<MetricLabel.MetricLabel>): Outbox => {
  // In order; a command leaves only once written.
  const queue: Array<Command> = []
  let live: { readonly link: Link; readonly scope: Scope.Scope; handle: FiberHandle.FiberHandle<void> | undefined } | undefined
  let draining = false

  const drain = (link: Link) =>
    Effect.gen(function*() {
      const clock = yield* Effect.clock
      while (true) {
        const command = queue[0]
        if (command === undefined) {
          draining = false
          return
        }
        let wait = link.budget.waitMillis(clock.unsafeCurrentTimeMillis())
        while (wait > 0) {
          yield* Effect.sleep(wait)
          wait = link.budget.waitMillis(clock.unsafeCurrentTimeMillis())
        }
        if (!link.write(command.frame)) {
          // The connection is ending; the command goes first on the next one.
          draining = false
          return
        }
        link.budget.recordCommand(clock.unsafeCurrentTimeMillis())
        Metrics.commandsSent.unsafeUpdate(1, metricTags)
        queue.shift()
        Deferred.unsafeDone(command.written, Exit.void)
      }
    })

  const startDrain: Effect.Effect<void> = Effect.suspend(() => {
    const current = live
    if (current === undefined || draining || queue.length === 0) return Effect.void
    draining = true
    return Effect.gen(function*() {
      current.handle ??= yield* Scope.extend(FiberHandle.make<void>(), current.scope)
      yield* FiberHandle.run(current.handle, drain(current.link))
    })
  })

  return {
    send: (frame) =>
      Effect.flatMap(Deferred.make<void>(), (written) => {
        queue.push({ frame, written })
        return Effect.zipRight(startDrain, Deferred.await(written))
      }),
    attach: (link, scope) =>
      Effect.suspend(() => {
        live = { link, scope, handle: undefined }
        return startDrain
      }),
    detach: () => {
      live = undefined
      draining = false
    },
    close: Effect.sync(() => {
      for (const command of queue.splice(0)) Deferred.unsafeDone(command.written, Exit.interrupt(FiberId.none))
    }),
    size: () => queue.length
  }
}
