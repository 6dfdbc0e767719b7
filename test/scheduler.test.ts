/**
 * The one timer of a gateway or sharding layer (src/internal/scheduler.ts): entries run at their
 * time on Effect's Clock, in time order, once or repeatedly; an entry earlier than the one the
 * scheduler sleeps for wakes it; cancelled entries never run; a task that throws is logged and
 * stops only itself.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as Scheduler from "../src/internal/scheduler.js"

/** Lets the scheduler's fibers run after the clock moved. */
const settle = Effect.forEach(Array.from({ length: 20 }), () => Effect.yieldNow(), { discard: true })

describe("scheduler", () => {
  it.scoped("runs entries at their time, in time order, and repeats an entry that returns its next time", () =>
    Effect.gen(function*() {
      const scheduler = yield* Scheduler.make
      const ran: Array<string> = []
      scheduler.at(300, (now) => void ran.push(`c@${now}`))
      scheduler.at(100, (now) => void ran.push(`a@${now}`))
      let beats = 0
      scheduler.at(200, (now) => {
        ran.push(`beat@${now}`)
        return ++beats < 3 ? now + 150 : undefined
      })
      yield* TestClock.adjust(99)
      yield* settle
      assert.deepStrictEqual(ran, [])
      yield* TestClock.adjust(1)
      yield* settle
      assert.deepStrictEqual(ran, ["a@100"])
      yield* TestClock.adjust(1000)
      yield* settle
      assert.deepStrictEqual(ran, ["a@100", "beat@200", "c@300", "beat@350", "beat@500"])
      assert.strictEqual(scheduler.size(), 0)
    }))

  it.scoped("an entry earlier than the one it sleeps for wakes it; a cancelled entry never runs", () =>
    Effect.gen(function*() {
      const scheduler = yield* Scheduler.make
      const ran: Array<string> = []
      scheduler.at(10_000, (now) => void ran.push(`late@${now}`))
      yield* TestClock.adjust(10)
      yield* settle
      // Added while the scheduler sleeps until 10 000.
      scheduler.at(50, (now) => void ran.push(`early@${now}`))
      const cancelled = scheduler.at(40, (now) => void ran.push(`cancelled@${now}`))
      scheduler.cancel(cancelled)
      yield* TestClock.adjust(40)
      yield* settle
      assert.deepStrictEqual(ran, ["early@50"])
      yield* TestClock.adjust(10_000)
      yield* settle
      assert.deepStrictEqual(ran, ["early@50", "late@10000"])
    }))

  it.scoped("AfterIoTurn runs the task again once Node has passed an I/O turn", () =>
    Effect.gen(function*() {
      const scheduler = yield* Scheduler.make
      const calls: Array<boolean> = []
      scheduler.at(100, (_now, afterIo) => {
        calls.push(afterIo)
        return afterIo ? undefined : Scheduler.AfterIoTurn
      })
      yield* TestClock.adjust(100)
      // The I/O turn is real (setImmediate): wait for it on the live clock.
      for (let i = 0; i < 100 && calls.length < 2; i++) yield* Effect.promise(() => new Promise((r) => setImmediate(r)))
      assert.deepStrictEqual(calls, [false, true])
    }))

  it.scoped("a task that throws stops only itself", () =>
    Effect.gen(function*() {
      const scheduler = yield* Scheduler.make
      const ran: Array<number> = []
      scheduler.at(10, () => {
        throw new Error("boom")
      })
      scheduler.at(20, (now) => {
        ran.push(now)
        return now + 10
      })
      yield* TestClock.adjust(45)
      yield* settle
      assert.deepStrictEqual(ran, [20, 30, 40])
    }))

  it.scoped("after its scope closes, nothing scheduled before or after runs", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const scheduler = yield* Scheduler.make.pipe(Scope.extend(scope))
      const ran: Array<number> = []
      scheduler.at(100, (now) => void ran.push(now))
      yield* Scope.close(scope, Exit.void)
      scheduler.at(50, (now) => void ran.push(now))
      yield* TestClock.adjust(1000)
      yield* settle
      assert.deepStrictEqual(ran, [])
      assert.strictEqual(scheduler.size(), 1) // the entry from before: never run, dropped with the scheduler
    }))
})
