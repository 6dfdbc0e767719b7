/**
 * A shard's connection status, read by users as a `Subscribable` (`get` and `changes`).
 *
 * A `SubscriptionRef` per shard would keep a PubSub, a Ref and a Semaphore for every shard
 * whether anyone watches or not. Here the status is a plain value, set synchronously by its one
 * writer (the connection and the shard loop), and the PubSub behind `changes` is made by the
 * first subscriber.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as PubSub from "effect/PubSub"
import * as Stream from "effect/Stream"
import * as Subscribable from "effect/Subscribable"
import type { Status } from "./handshake.js"

/** @internal */
export interface StatusCell {
  readonly set: (status: Status) => void
  readonly get: () => Status
  /** `get`, and `changes`: the current status, then every change. */
  readonly subscribable: Subscribable.Subscribable<Status>
}

/** @internal */
export const make = (initial: Status): StatusCell => {
  let current = initial
  let watchers: PubSub.PubSub<Status> | undefined

  const changes = Stream.unwrapScoped(Effect.suspend(() => {
    watchers ??= Effect.runSync(PubSub.unbounded<Status>())
    return Effect.map(
      PubSub.subscribe(watchers),
      // Read after subscribing, so no change is missed; one that lands in between would come twice.
      (subscription) => Stream.changes(Stream.concat(Stream.sync(() => current), Stream.fromQueue(subscription)))
    )
  }))

  return {
    set: (status) => {
      current = status
      watchers?.unsafeOffer(status)
    },
    get: () => current,
    subscribable: Subscribable.make({ get: Effect.sync(() => current), changes })
  }
}
