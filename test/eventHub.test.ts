import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as GatewayError from "../src/GatewayError.js"
import * as EventHub from "../src/internal/eventHub.js"
import { withinRealTime } from "./helpers.js"

const authFailed = new GatewayError.AuthenticationFailed({ shard: 0, closeCode: 4004, reason: "bad token" })

describe("EventHub", () => {
  it.scoped("a subscriber reads every event published before the failure, then fails with it", () =>
    Effect.gen(function*() {
      const hub = yield* EventHub.make<number>({ capacity: 16, startupCapacity: 16 })
      yield* hub.deliver([1, 2])
      const stream = yield* hub.subscribe
      yield* hub.deliver([3, 4, 5])
      yield* hub.fail(authFailed)
      yield* hub.deliver([6]) // after the failure: never read
      const seen: Array<number> = []
      const result = yield* stream.pipe(Stream.runForEach((n) => Effect.sync(() => seen.push(n))), Effect.either)
      expect(seen).toEqual([1, 2, 3, 4, 5])
      expect(result).toEqual(Either.left(authFailed))
    }))

  it.scoped("failing does not wait for a subscriber that does not read; a later subscriber fails at once", () =>
    Effect.gen(function*() {
      const hub = yield* EventHub.make<number>({ capacity: 2, startupCapacity: 16 })
      const slow = yield* hub.subscribe
      yield* hub.deliver([1, 2]) // the PubSub is full now
      const blocked = yield* Effect.fork(hub.deliver([3]))
      yield* hub.fail(authFailed) // returns although the PubSub is full
      yield* Effect.fail(authFailed).pipe(Effect.orElse(() => hub.awaitFailure), Effect.flip)
      const late = yield* hub.subscribe
      expect(yield* Stream.runCollect(late).pipe(Effect.either)).toEqual(Either.left(authFailed))
      // The slow subscriber still gets everything that was published before the failure.
      const read = yield* slow.pipe(Stream.runCollect, Effect.either)
      expect(read).toEqual(Either.left(authFailed))
      yield* Fiber.join(blocked)
    }))

  it.scoped("the stream ends (no failure) when the hub's scope closes, after the events delivered before", () =>
    Effect.gen(function*() {
      const collected = yield* Effect.scoped(Effect.gen(function*() {
        const hub = yield* EventHub.make<number>({ capacity: 16, startupCapacity: 16 })
        const stream = yield* hub.subscribe
        yield* hub.deliver([7, 8])
        return yield* Effect.fork(Stream.runCollect(stream))
      })).pipe(Effect.flatMap(Fiber.join), Effect.either)
      // Pending events are read before the end is reported (`pull` checks the inbox first).
      expect(Either.map(collected, Chunk.toReadonlyArray)).toEqual(Either.right([7, 8]))
    }))
})

describe("EventHub back-pressure", () => {
  it.scoped("a deliverer waits while a subscriber holds `capacity` unread events, and goes on when it reads", () =>
    Effect.gen(function*() {
      const hub = yield* EventHub.make<number>({ capacity: 3, startupCapacity: 16 })
      const stream = yield* hub.subscribe
      yield* hub.deliver([1, 2, 3])
      const blocked = yield* Effect.fork(hub.deliver([4, 5]))
      yield* Effect.yieldNow()
      expect(blocked.unsafePoll()).toBeNull() // still waiting
      const pull = yield* Stream.toPull(stream)
      expect(Chunk.toReadonlyArray(yield* pull)).toEqual([1, 2, 3])
      yield* Fiber.join(blocked)
      expect(Chunk.toReadonlyArray(yield* pull)).toEqual([4, 5])
    }))

  it.scoped("every subscriber gets every batch, in order, whole (batches of several deliverers never interleave)", () =>
    Effect.gen(function*() {
      const hub = yield* EventHub.make<string>({ capacity: 1024, startupCapacity: 16 })
      const a = yield* hub.subscribe
      const b = yield* hub.subscribe
      yield* Effect.all([hub.deliver(["a1", "a2"]), hub.deliver(["b1", "b2"])], { concurrency: "unbounded" })
      yield* hub.fail(authFailed)
      const seenA = yield* Stream.runCollect(Stream.either(a))
      const seenB = yield* Stream.runCollect(Stream.either(b))
      expect(seenA).toEqual(seenB)
      const values = Chunk.toReadonlyArray(seenA).flatMap((e) => Either.isRight(e) ? [e.right] : [])
      expect(values.join(",")).toMatch(/^(a1,a2,b1,b2|b1,b2,a1,a2)$/)
    }))

  it.scoped("a subscriber that leaves no longer holds deliverers back", () =>
    Effect.gen(function*() {
      const hub = yield* EventHub.make<number>({ capacity: 1, startupCapacity: 16 })
      const scope = yield* Scope.make()
      yield* hub.subscribe.pipe(Scope.extend(scope))
      yield* hub.deliver([1])
      const blocked = yield* Effect.fork(hub.deliver([2]))
      yield* Scope.close(scope, Exit.void)
      yield* Fiber.join(blocked)
    }))

  it.scoped("a reader waiting on a subscription ends when the subscription's scope closes", () =>
    Effect.gen(function*() {
      const hub = yield* EventHub.make<number>({ capacity: 16, startupCapacity: 16 })
      const subscription = yield* Scope.make()
      const stream = yield* hub.subscribeWith("none").pipe(Scope.extend(subscription))
      yield* hub.deliver([1])
      const reader = yield* Effect.fork(Stream.runCollect(stream))
      for (let i = 0; i < 10; i++) yield* Effect.yieldNow() // it read 1 and waits for more
      yield* Scope.close(subscription, Exit.void)
      const read = yield* Fiber.join(reader).pipe(withinRealTime("the reader did not end"))
      expect(Chunk.toReadonlyArray(read)).toEqual([1])
    }))
})
