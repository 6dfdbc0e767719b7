/**
 * Where shards publish and users subscribe: a bounded broadcast with back-pressure,
 * plus a startup buffer that gives the first subscriber everything published before
 * it came (READY included). One hub serves one gateway, or every shard of a `Sharding`.
 *
 * Each subscriber has its own inbox of pending events (`inbox.ts`). Delivering appends a batch to
 * every subscriber's array at once (one synchronous step, so batches from several
 * shards never interleave and a new subscriber never misses or doubles an event);
 * when a subscriber already holds `capacity` unread events, the deliverer waits until
 * it reads (back-pressure: nothing is dropped). A subscriber's stream takes all its
 * pending events as one chunk.
 *
 * This is what `PubSub.bounded` with `Stream.fromQueue` does, without its per-read
 * pollers and linked lists: those kept every delivered event alive through a young-generation
 * GC (measured in `npm run bench`: a quarter of all allocated bytes promoted, a third of the
 * client's CPU in GC).
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as GatewayError from "../GatewayError.js"
import * as Inbox from "./inbox.js"

/** @internal */
export interface EventHub<A> {
  readonly deliver: (events: ReadonlyArray<A>) => Effect.Effect<void>
  /** Subscribes now, in the current scope; the stream ends with the hub's failure. */
  readonly subscribe: Effect.Effect<Stream.Stream<A, GatewayError.GatewayFatalError>, never, Scope.Scope>
  /** Ends every subscriber's stream with `error`, after the events delivered before it (the first failure wins). */
  readonly fail: (error: GatewayError.GatewayFatalError) => Effect.Effect<void>
  readonly awaitFailure: Effect.Effect<never, GatewayError.GatewayFatalError>
}

/** The most events one read takes. */
const maxChunk = 4096

/** @internal */
export const make = <A>(options: {
  readonly capacity: number
  readonly startupCapacity: number
}): Effect.Effect<EventHub<A>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const failure = yield* Deferred.make<never, GatewayError.GatewayFatalError>()
    const capacity = Math.max(1, options.capacity)
    const subscribers = new Set<Inbox.Inbox<A>>()
    let startup: Array<A> | undefined = []
    let startupDropped = 0
    let failed: GatewayError.GatewayFatalError | undefined
    let closed = false
    // Deliverers waiting for a subscriber to read.
    let waitingDeliverers: Array<() => void> = []

    const over = () => failed !== undefined || closed
    const wakeSubscribers = () => {
      for (const subscriber of subscribers) subscriber.notify()
    }
    const wakeDeliverers = () => {
      if (waitingDeliverers.length === 0) return
      const waiting = waitingDeliverers
      waitingDeliverers = []
      for (const wake of waiting) wake()
    }
    const full = () => {
      for (const subscriber of subscribers) if (subscriber.size() >= capacity) return true
      return false
    }

    const deliverNow = (events: ReadonlyArray<A>): void => {
      if (startup !== undefined) {
        for (const event of events) startup.push(event)
        const excess = startup.length - options.startupCapacity
        if (excess > 0) {
          startup.splice(0, excess)
          startupDropped += excess
        }
      }
      for (const subscriber of subscribers) {
        for (let i = 0; i < events.length; i++) subscriber.push(events[i]!)
      }
    }

    const deliver = (events: ReadonlyArray<A>): Effect.Effect<void> =>
      events.length === 0 ? Effect.void : Effect.suspend(function attempt(): Effect.Effect<void> {
        // After the failure or the close the hub is over: subscribers end where it ended.
        if (over()) return Effect.void
        if (!full()) {
          deliverNow(events)
          return Effect.void
        }
        return Effect.flatMap(
          Effect.async<void>((resume) => {
            // Checked again: a read or the end may have come while this fiber yielded.
            if (over() || !full()) return resume(Effect.void)
            const wake = () => resume(Effect.void)
            waitingDeliverers.push(wake)
            return Effect.sync(() => {
              waitingDeliverers = waitingDeliverers.filter((other) => other !== wake)
            })
          }),
          () => Effect.suspend(attempt)
        )
      })

    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        closed = true
        wakeSubscribers()
        wakeDeliverers()
      })
    )

    const fail = (error: GatewayError.GatewayFatalError): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (failed !== undefined) return Effect.void
        failed = error
        wakeSubscribers()
        wakeDeliverers()
        return Effect.asVoid(Deferred.fail(failure, error))
      })

    const subscribe: EventHub<A>["subscribe"] = Effect.gen(function*() {
      if (startup !== undefined && startupDropped > 0) {
        yield* Effect.logWarning(`${startupDropped} startup event(s) were dropped before the first subscriber arrived`)
      }
      const subscriber = Inbox.make<A>(startup)
      startup = undefined
      subscribers.add(subscriber)
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          subscribers.delete(subscriber)
          // A subscriber that stops reading no longer holds deliverers back.
          wakeDeliverers()
        })
      )
      return Stream.repeatEffectChunkOption(pull(subscriber))
    })

    /** Everything pending (up to `maxChunk`); at the end, the failure or the end of the stream. */
    const pull = (
      subscriber: Inbox.Inbox<A>
    ): Effect.Effect<Chunk.Chunk<A>, Option.Option<GatewayError.GatewayFatalError>> =>
      Effect.suspend(function attempt(): Effect.Effect<Chunk.Chunk<A>, Option.Option<GatewayError.GatewayFatalError>> {
        if (subscriber.size() === 0) {
          if (failed !== undefined) return Effect.fail(Option.some(failed))
          if (closed || !subscribers.has(subscriber)) return Effect.fail(Option.none())
        }
        return Effect.flatMap(subscriber.takeBatch(maxChunk), (chunk) => {
          // Empty: woken by the failure or the close, which the next attempt reports.
          if (chunk.length === 0) return Effect.suspend(attempt)
          if (waitingDeliverers.length > 0 && subscriber.size() < capacity) wakeDeliverers()
          return Effect.succeed(Chunk.unsafeFromArray(chunk))
        })
      })

    return { deliver, subscribe, fail, awaitFailure: Deferred.await(failure) }
  })
