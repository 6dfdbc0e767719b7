import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Inbox from "../src/internal/inbox.js"

describe("Inbox", () => {
  it.effect("takes what waits, at most `max`, in arrival order", () =>
    Effect.gen(function*() {
      const inbox = Inbox.make<number>()
      for (let i = 1; i <= 5; i++) inbox.push(i)
      expect(yield* inbox.takeBatch(3)).toEqual([1, 2, 3])
      expect(inbox.size()).toBe(2)
      expect(yield* inbox.takeBatch(3)).toEqual([4, 5])
    }))

  it.effect("a reader waiting on an empty inbox wakes at the next push", () =>
    Effect.gen(function*() {
      const inbox = Inbox.make<string>()
      const reader = yield* Effect.fork(inbox.takeBatch(10))
      yield* Effect.yieldNow()
      expect(reader.unsafePoll()).toBeNull()
      inbox.push("a")
      inbox.push("b") // before the reader runs: taken in the same batch
      expect(yield* Fiber.join(reader)).toEqual(["a", "b"])
    }))

  it.effect("an interrupted reader leaves the items for the next one", () =>
    Effect.gen(function*() {
      const inbox = Inbox.make<number>()
      const reader = yield* Effect.fork(inbox.takeBatch(10))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(reader)
      inbox.push(7)
      expect(yield* inbox.takeBatch(10)).toEqual([7])
    }))

  it.effect("notify wakes a waiting reader with nothing; with no reader waiting, the next take returns at once", () =>
    Effect.gen(function*() {
      const inbox = Inbox.make<number>()
      const reader = yield* Effect.fork(inbox.takeBatch(10))
      yield* Effect.yieldNow()
      inbox.notify()
      expect(yield* Fiber.join(reader)).toEqual([])
      inbox.notify()
      expect(yield* inbox.takeBatch(10)).toEqual([])
      // The notice is used up: the next take waits again.
      const next = yield* Effect.fork(inbox.takeBatch(10))
      yield* Effect.yieldNow()
      expect(next.unsafePoll()).toBeNull()
      inbox.push(1)
      expect(yield* Fiber.join(next)).toEqual([1])
    }))
})
