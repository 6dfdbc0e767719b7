/**
 * Where shards publish and users subscribe: a bounded PubSub plus a startup
 * buffer that gives the first subscriber everything published before it came
 * (READY included). One hub serves one gateway, or every shard of a `Sharding`.
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as PubSub from "effect/PubSub"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as GatewayError from "../GatewayError.js"

/** @internal */
export interface EventHub<A> {
  readonly deliver: (events: ReadonlyArray<A>) => Effect.Effect<void>
  /** Subscribes now, in the current scope; the stream ends with the hub's failure. */
  readonly subscribe: Effect.Effect<Stream.Stream<A, GatewayError.GatewayFatalError>, never, Scope.Scope>
  /** Ends every subscriber's stream with `error` (the first failure wins). */
  readonly fail: (error: GatewayError.GatewayFatalError) => Effect.Effect<void>
  readonly awaitFailure: Effect.Effect<never, GatewayError.GatewayFatalError>
}

/** @internal */
export const make = <A>(options: {
  readonly capacity: number
  readonly startupCapacity: number
}): Effect.Effect<EventHub<A>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const failure = yield* Deferred.make<never, GatewayError.GatewayFatalError>()
    const pubsub = yield* Effect.acquireRelease(PubSub.bounded<A>(options.capacity), PubSub.shutdown)
    // Publishing and subscribing take turns, so the first subscriber gets the
    // startup buffer and then the live events with nothing missing in between.
    const lock = yield* Effect.makeSemaphore(1)
    let startup: Array<A> | undefined = []
    let startupDropped = 0

    const deliver = (events: ReadonlyArray<A>): Effect.Effect<void> =>
      events.length === 0 ? Effect.void : lock.withPermits(1)(Effect.suspend(() => {
        if (startup !== undefined) {
          for (const event of events) startup.push(event)
          const excess = startup.length - options.startupCapacity
          if (excess > 0) {
            startup.splice(0, excess)
            startupDropped += excess
          }
        }
        return PubSub.publishAll(pubsub, events)
      }))

    const awaitFailure = Deferred.await(failure)

    const subscribe: EventHub<A>["subscribe"] = lock.withPermits(1)(Effect.gen(function*() {
      const subscription = yield* PubSub.subscribe(pubsub)
      const initial = startup ?? []
      if (startup !== undefined && startupDropped > 0) {
        yield* Effect.logWarning(`${startupDropped} startup event(s) were dropped before the first subscriber arrived`)
      }
      startup = undefined
      return Stream.concat(Stream.fromIterable(initial), Stream.fromQueue(subscription)).pipe(
        Stream.interruptWhen(awaitFailure)
      )
    }))

    return {
      deliver,
      subscribe,
      fail: (error) => Effect.asVoid(Deferred.fail(failure, error)),
      awaitFailure
    }
  })
