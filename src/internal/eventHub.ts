/**
 * Where shards publish and users subscribe: a bounded broadcast with back-pressure, plus the
 * replay a subscriber gets first. One hub serves one gateway, or every shard of a `Sharding`.
 *
 * Each subscriber has its own inbox of pending events (`inbox.ts`). Delivering appends a batch to
 * every subscriber's array at once (one synchronous step, so batches from several
 * shards never interleave and a new subscriber never misses or doubles an event);
 * when a subscriber already holds `capacity` unread events, the deliverer waits until
 * it reads (back-pressure: nothing is dropped). A subscriber's stream takes all its
 * pending events as one chunk.
 *
 * Replay, by what a subscriber asks for:
 * - `"all"` (`events`, `subscribe`): the first such subscriber gets every event delivered before
 *   it came (up to `startupCapacity`), whoever else subscribed before; every later one gets the
 *   snapshots kept by `retention` (each shard's READY and GUILD_CREATEs, see `startupReplay.ts`).
 * - `"snapshot"` (`on(...)`): the snapshots only. It never takes the events kept for the first
 *   `"all"` subscriber, so the order in which subscribers arrive does not matter.
 * - `"none"`: live events only.
 *
 * This is what `PubSub.bounded` with `Stream.fromQueue` does, without its per-read
 * pollers and linked lists: those kept every delivered event alive through a young-generation
 * GC (measured in `npm run bench`: a quarter of all allocated bytes promoted, a third of the
 * client's CPU in GC).
 *
 * Against `PubSub.bounded({ capacity: 16_384, replay })` read with `Stream.fromPubSub` (`bench/primitives.ts`,
 * issue #14; bench/results/2026-12-04T06-11-27.699Z-primitives-eventhub-pubsub.json): 1 000 000 events
 * delivered by a fiber in batches, one macrotask between batches; Node 20, compiled JS, 2 shared cores;
 * medians of 3 rounds; CPU per event delivered, all subscribers included, net of the producer alone;
 * "replay" is `replay: 16_384`, what keeping the events before the first subscriber would take:
 *
 * | batch  | subscribers, reader | this hub: ns net, B alloc, peak MB | PubSub            | PubSub replay     |
 * | 1..512 | 1, runForEach       | 670, 916, 127                      | 641, 1,025, 105   | 1,195, 1,074, 204 |
 * | 1..512 | 1, runForEachChunk  | 551, 283, 128                      | 496, 395, 109     | 1,088, 441, 194   |
 * | 1..512 | 4, runForEach       | 1,466, 3,134, 138                  | 1,899, 3,518, 143 | 2,224, 3,601, 232 |
 * | 1..512 | 4, runForEachChunk  | 315, 674, 95                       | 727, 1,014, 121   | 1,179, 1,058, 207 |
 * | 1..16  | 1, runForEach       | 1,444, 3,487, 99                   | 5,285, 5,765, 138 | 4,874, 5,829, 285 |
 * | 1..16  | 1, runForEachChunk  | 1,080, 2,575, 96                   | 4,078, 4,617, 139 | 5,123, 4,675, 314 |
 * | 1..16  | 4, runForEach       | 4,830, 11,441, 100                 | 15,883, 20,887, 144 | 15,150, 21,023, 397 |
 * | 1..16  | 4, runForEachChunk  | 2,979, 7,868, 98                   | 12,605, 16,526, 142 | 12,228, 16,436, 404 |
 *
 * Idle: 4.5 KB per hub against 267 KB for `PubSub.bounded(16_384)` (it allocates two arrays of
 * `capacity` slots up front); 33 KB against 300 KB with one subscriber waiting.
 *
 * Verdict: kept. With one subscriber and large batches `PubSub` is as fast (0.90–0.96× of this hub's net
 * CPU) and peaked lower (105–109 against 127–128 MB: this hub's subscriber fell further behind); with four
 * subscribers it costs 1.3–2.3×, with small batches (a quiet gateway) 3.3–4.2× and 1.4 times the peak RSS.
 * And it lacks what this hub is for (run in the bench's semantics section): events delivered before the
 * first subscriber are dropped without `replay`, and with it every later subscriber gets the last N events
 * (16 384 MESSAGE_CREATE, not the READY and GUILD_CREATEs) and N events stay alive for good; it has no
 * failure: `shutdown` ends the subscribers' streams without error and drops their unread events, where
 * `fail` here hands them over, then the error. Both back-pressure the deliverer and release it when the
 * slow subscriber leaves; this hub delivers a batch whole (a subscriber may hold `capacity` + a batch − 1),
 * `PubSub` splits it at `capacity`.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { GatewayConfig } from "../GatewayConfig.js"
import type * as GatewayError from "../GatewayError.js"
import type { ShardingEvent } from "../GatewayEvent.js"
import * as Inbox from "./inbox.js"
import * as StartupReplay from "./startupReplay.js"

/** What a new subscriber is given before live events (see the module header). @internal */
export type Replay = "all" | "snapshot" | "none"

/** @internal */
export interface EventHub<A> {
  readonly deliver: (events: ReadonlyArray<A>) => Effect.Effect<void>
  /** Subscribes now with replay `"all"`, in the current scope; the stream ends with the hub's failure. */
  readonly subscribe: Effect.Effect<Stream.Stream<A, GatewayError.GatewayFatalError>, never, Scope.Scope>
  /** Subscribes now with the given replay. */
  readonly subscribeWith: (
    replay: Replay
  ) => Effect.Effect<Stream.Stream<A, GatewayError.GatewayFatalError>, never, Scope.Scope>
  /** Ends every subscriber's stream with `error`, after the events delivered before it (the first failure wins). */
  readonly fail: (error: GatewayError.GatewayFatalError) => Effect.Effect<void>
  readonly awaitFailure: Effect.Effect<never, GatewayError.GatewayFatalError>
}

/** The most events one read takes. */
const maxChunk = 4096

/** An event kept for replay. */
class Entry<A> {
  constructor(
    readonly event: A,
    readonly shard: number | undefined,
    /** The guild of a kept GUILD_CREATE. */
    readonly guildId: string | undefined,
    /** Part of a snapshot: replayed to every subscriber. Otherwise kept for the first `"all"` subscriber only. */
    public inSnapshot: boolean
  ) {}
}

/** @internal */
export const make = <A>(options: {
  readonly capacity: number
  readonly startupCapacity: number
  /**
   * Which events stay in the snapshots replayed to later subscribers; without it only the first
   * `"all"` subscriber gets a replay.
   */
  readonly retention?: ((event: A) => StartupReplay.Step | undefined) | undefined
}): Effect.Effect<EventHub<A>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const failure = yield* Deferred.make<never, GatewayError.GatewayFatalError>()
    const capacity = Math.max(1, options.capacity)
    const retention = options.retention
    const subscribers = new Set<Inbox.Inbox<A>>()
    // Until the first "all" subscriber: every event. After it: the snapshots only.
    let replayLog: Array<Entry<A>> = []
    let firstTaken = false
    let replayDropped = 0
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

    // Takes entries out of the snapshots. Before the first "all" subscriber they stay in the log
    // for it, in their place; after it, nobody needs them.
    const release = (matches: (entry: Entry<A>) => boolean) => {
      let removed = false
      for (const entry of replayLog) {
        if (entry.inSnapshot && matches(entry)) {
          entry.inSnapshot = false
          removed = true
        }
      }
      if (removed && firstTaken) replayLog = replayLog.filter((entry) => entry.inSnapshot)
    }

    const keep = (event: A, step: StartupReplay.Step | undefined) => {
      if (step === undefined) {
        if (!firstTaken) replayLog.push(new Entry(event, undefined, undefined, false))
        return
      }
      switch (step._tag) {
        case "Start": {
          release((entry) => entry.shard === step.shard)
          replayLog.push(new Entry(event, step.shard, undefined, true))
          return
        }
        case "Add": {
          replayLog.push(new Entry(event, step.shard, step.guildId, true))
          return
        }
        case "Remove": {
          release((entry) => entry.shard === step.shard && entry.guildId !== undefined && entry.guildId === step.guildId)
          break
        }
        case "Clear": {
          release((entry) => step.shard === undefined || entry.shard === step.shard)
          break
        }
      }
      if (!firstTaken) replayLog.push(new Entry(event, undefined, undefined, false))
    }

    // Over `startupCapacity`, the oldest events go, those kept for the first subscriber only first.
    const bound = () => {
      let excess = replayLog.length - options.startupCapacity
      if (excess <= 0) return
      replayDropped += excess
      const kept: Array<Entry<A>> = []
      for (const entry of replayLog) {
        if (excess > 0 && !entry.inSnapshot) excess--
        else kept.push(entry)
      }
      replayLog = excess > 0 ? kept.slice(excess) : kept
    }

    const deliverNow = (events: ReadonlyArray<A>): void => {
      if (retention !== undefined || !firstTaken) {
        for (let i = 0; i < events.length; i++) {
          const event = events[i]!
          keep(event, retention?.(event))
        }
        bound()
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

    const replayFor = (replay: Replay): Array<A> => {
      if (replay === "none") return []
      const events: Array<A> = []
      const takesAll = replay === "all" && !firstTaken
      for (const entry of replayLog) if (takesAll || entry.inSnapshot) events.push(entry.event)
      if (takesAll) {
        firstTaken = true
        replayLog = replayLog.filter((entry) => entry.inSnapshot)
      }
      return events
    }

    const subscribeWith = (replay: Replay): Effect.Effect<
      Stream.Stream<A, GatewayError.GatewayFatalError>,
      never,
      Scope.Scope
    > =>
      Effect.gen(function*() {
        if (replay !== "none" && replayDropped > 0) {
          yield* Effect.logWarning(
            `${replayDropped} event(s) kept for replay were dropped (over startupBufferCapacity) before this subscriber arrived`
          )
        }
        const subscriber = Inbox.make<A>(replayFor(replay))
        subscribers.add(subscriber)
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            subscribers.delete(subscriber)
            // A reader still waiting on it ends (its stream outlived its subscription's scope).
            subscriber.notify()
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

    return { deliver, subscribe: subscribeWith("all"), subscribeWith, fail, awaitFailure: Deferred.await(failure) }
  })

/**
 * A hub sized and replaying as the gateway config says (`eventBufferCapacity`,
 * `startupBufferCapacity`, `startupReplay`): what every gateway and sharding layer makes.
 *
 * @internal
 */
export const fromConfig = <A extends ShardingEvent>(
  config: Pick<GatewayConfig, "eventBufferCapacity" | "startupBufferCapacity" | "startupReplay">
): Effect.Effect<EventHub<A>, never, Scope.Scope> =>
  make<A>({
    capacity: config.eventBufferCapacity,
    startupCapacity: config.startupBufferCapacity,
    retention: StartupReplay.retentionFor(config.startupReplay)
  })
