/**
 * Hand-written primitives against Effect 3.22's own (issue #14, item 4):
 *
 * - inbox: `src/internal/inbox.ts` (one synchronous writer, one reading fiber: `push`, `takeBatch(512)`)
 *   against `Mailbox` (`unsafeOffer`, `takeAll`, `unsafeDone(Exit.void)` as the end after
 *   the drain) and `Queue.unbounded` (`Queue.unsafeOffer`, `Queue.take` + `Queue.takeAll`, or
 *   `Queue.takeBetween(1, 512)`). A socket-like producer pushes N small objects from `setImmediate`
 *   callbacks, `1` or `1..64` per macrotask (frames arriving); one fiber reads them in batches.
 * - hub: `src/internal/eventHub.ts` (with the default `startupReplay: "session"` retention) against
 *   `PubSub.bounded({ capacity, replay })` read as `Stream.fromPubSub`. A producer fiber delivers N
 *   events in batches of `1..512` or `1..16` (one array reused, as `connection.ts` does), waiting for the
 *   next macrotask between batches (the next socket read); 1 or 4 subscribers read with
 *   `Stream.runForEach` ("each") or `Stream.runForEachChunk` ("chunk").
 * - idle: what 1 000 idle instances retain (`global.gc()` then `heapUsed` deltas): the instance alone,
 *   then with one fiber waiting on it.
 * - semantics: the behaviours that differ, checked by running them (printed, and in the JSON).
 *
 * Every case runs in its own child process on the JavaScript `bench/compile.ts` emits (plain `node`,
 * no loader; `--tsx` runs the children under `node --import tsx` instead), `--expose-gc`, a warm-up
 * run on fresh instances before the measured one. Two passes per case:
 *
 * - timing (normal heap): CPU (`process.cpuUsage`, user + system, all threads: GC helpers count) and wall
 *   time from the first item produced to the last consumed, GC count and pause time
 *   (`PerformanceObserver` "gc"), peak RSS (`process.resourceUsage().maxRSS`, the child's whole life);
 * - allocation, in every round too: the same workload on `--alloc-n` items (default 20 000, after 10 000 of
 *   warm-up) with a 1 GB young generation, so that no GC runs during the measured window (checked: rounds in
 *   which the GC count is not 0 are left out, and with none left the figure is "n/a"); then the growth of
 *   `heapUsed` is exactly the bytes allocated. Node 20 has no `total_allocated_bytes`. What a reader
 *   allocates per item depends on how many items each read takes, so on scheduling: medians again.
 *
 * The "floor" rows are the producer and a plain synchronous loop over the items with no primitive and no
 * fiber: what every row pays for the workload itself.
 *
 * Usage: flock /tmp/bench.lock npx tsx bench/primitives.ts [--rounds R] [--n N] [--alloc-n N] [--quick]
 *          [--sections inbox,hub,idle,semantics] [--tsx] [--label NAME]
 * Results: a table per section (medians over the rounds) and `bench/results/<time>-primitives-<label>.json`.
 */
import { spawn } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import { dirname, join, relative, resolve as resolvePath } from "node:path"
import { PerformanceObserver } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Mailbox from "effect/Mailbox"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as EventHub from "../src/internal/eventHub.js"
import * as Inbox from "../src/internal/inbox.js"
import * as StartupReplay from "../src/internal/startupReplay.js"

const here = dirname(fileURLToPath(import.meta.url))

// ---------------------------------------------------------------------------
// cases
// ---------------------------------------------------------------------------

// No `Mailbox.takeN(512)` row: it waits for 512 messages, not up to 512, and never returns once the mailbox
// has ended with fewer pending (see the semantics section), so it cannot read this workload.
const inboxImpls = ["floor", "inbox", "mailbox-takeAll", "queue-takeAll", "queue-takeBetween"] as const
type InboxImpl = typeof inboxImpls[number]
const inboxProfiles = ["1", "1-64"] as const
type InboxProfile = typeof inboxProfiles[number]

const hubImpls = ["floor", "ours", "pubsub", "pubsub-replay"] as const
type HubImpl = typeof hubImpls[number]
const hubProfiles = ["1-512", "1-16"] as const
type HubProfile = typeof hubProfiles[number]

const idleImpls = ["fiber", "inbox", "mailbox", "queue", "hub", "pubsub"] as const
type IdleImpl = typeof idleImpls[number]

type Case =
  | { readonly kind: "inbox"; readonly impl: InboxImpl; readonly profile: InboxProfile }
  | {
    readonly kind: "hub"
    readonly impl: HubImpl
    readonly profile: HubProfile
    readonly subscribers: number
    readonly consumer: "each" | "chunk"
  }
  | { readonly kind: "idle"; readonly impl: IdleImpl; readonly instances: number }
  | { readonly kind: "semantics" }

interface ChildSpec {
  readonly case: Case
  readonly pass: "timing" | "alloc"
  readonly n: number
  readonly warmup: number
}

/** The hub's settings, as `GatewayConfig`'s defaults. */
const hubCapacity = 16_384
const startupCapacity = 16_384
/** `PubSub`'s replay in the "pubsub-replay" rows: as much as our startup buffer may hold. */
const pubsubReplay = startupCapacity
/** The most items the connection takes from its inbox at once (connection.ts). */
const inboxBatch = 512

const label = (c: Case): string => {
  switch (c.kind) {
    case "inbox":
      return `inbox ${c.profile}/task ${c.impl}`
    case "hub":
      return `hub ${c.profile}/batch ${c.subscribers}sub ${c.consumer} ${c.impl}`
    case "idle":
      return `idle ${c.impl}`
    case "semantics":
      return "semantics"
  }
}

// ---------------------------------------------------------------------------
// child: shared
// ---------------------------------------------------------------------------

/** A seeded PRNG (mulberry32), so every run has the same batch sizes. */
const prng = (seed: number) => (): number => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const sizesBetween = (min: number, max: number): () => number => {
  const random = prng(14)
  return () => min + Math.floor(random() * (max - min + 1))
}

const gcStats = { count: 0, ms: 0 }
const gcFull = async (): Promise<void> => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("the child needs --expose-gc")
  gc()
  await new Promise((resolve) => setImmediate(resolve))
  gc()
}

interface Measured {
  readonly cpuMs: number
  readonly wallMs: number
  readonly gcCount: number
  readonly gcMs: number
  readonly heapGrowthBytes: number
}

/** Runs `run` on `warmup` items (fresh instances), settles, then measures it on `n` items. */
const measure = async (run: (n: number) => Promise<void>, n: number, warmup: number): Promise<Measured> => {
  if (warmup > 0) await run(warmup)
  await gcFull()
  await new Promise((resolve) => setTimeout(resolve, 20))
  gcStats.count = 0
  gcStats.ms = 0
  const heap0 = process.memoryUsage().heapUsed
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await run(n)
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const heap1 = process.memoryUsage().heapUsed
  // GC entries are delivered asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 20))
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs,
    gcCount: gcStats.count,
    gcMs: gcStats.ms,
    heapGrowthBytes: heap1 - heap0
  }
}

const nextMacrotask: Effect.Effect<void> = Effect.async<void>((resume) => {
  setImmediate(() => resume(Effect.void))
})

const check = (condition: boolean, message: string): void => {
  if (!condition) throw new Error(`wrong result: ${message}`)
}

// ---------------------------------------------------------------------------
// child: inbox
// ---------------------------------------------------------------------------

/** What a socket callback hands the reader: a small parsed frame. */
interface Frame {
  readonly op: number
  readonly s: number
  readonly t: string
  readonly d: null
}
const End = { op: -1, s: -1, t: "END", d: null } as const satisfies Frame

interface Channel {
  readonly push: (frame: Frame) => void
  readonly end: () => void
  /** Reads until the end; returns how many frames and the sum of their `s`. */
  readonly consume: Effect.Effect<readonly [number, number]>
}

const makeChannel = (impl: Exclude<InboxImpl, "floor">): Channel => {
  switch (impl) {
    case "inbox": {
      const inbox = Inbox.make<Frame>()
      return {
        push: inbox.push,
        end: () => inbox.push(End),
        consume: Effect.gen(function*() {
          let count = 0
          let sum = 0
          while (true) {
            const batch = yield* inbox.takeBatch(inboxBatch)
            for (let i = 0; i < batch.length; i++) {
              const frame = batch[i]!
              if (frame === End) return [count, sum] as const
              count++
              sum += frame.s
            }
          }
        })
      }
    }
    case "mailbox-takeAll": {
      const mailbox = Effect.runSync(Mailbox.make<Frame>())
      const take = mailbox.takeAll
      return {
        push: (frame) => {
          mailbox.unsafeOffer(frame)
        },
        end: () => {
          mailbox.unsafeDone(Exit.void)
        },
        consume: Effect.gen(function*() {
          let count = 0
          let sum = 0
          while (true) {
            const [messages, done] = yield* take
            const batch = Chunk.toReadonlyArray(messages)
            for (let i = 0; i < batch.length; i++) {
              count++
              sum += batch[i]!.s
            }
            if (done) return [count, sum] as const
          }
        })
      }
    }
    case "queue-takeAll":
    case "queue-takeBetween": {
      const queue = Effect.runSync(Queue.unbounded<Frame>())
      // `takeAll` does not wait: `take` waits for the first, `takeAll` takes the rest.
      const take = impl === "queue-takeAll"
        ? Effect.flatMap(Queue.take(queue), (first) => Effect.map(Queue.takeAll(queue), Chunk.prepend(first)))
        : Queue.takeBetween(queue, 1, inboxBatch)
      return {
        push: (frame) => {
          Queue.unsafeOffer(queue, frame)
        },
        end: () => {
          Queue.unsafeOffer(queue, End)
        },
        consume: Effect.gen(function*() {
          let count = 0
          let sum = 0
          while (true) {
            const batch = Chunk.toReadonlyArray(yield* take)
            for (let i = 0; i < batch.length; i++) {
              const frame = batch[i]!
              if (frame === End) return [count, sum] as const
              count++
              sum += frame.s
            }
          }
        })
      }
    }
  }
}

const runInbox = (impl: InboxImpl, profile: InboxProfile) => (n: number): Promise<void> => {
  const size = profile === "1" ? () => 1 : sizesBetween(1, 64)
  const expectedSum = (n * (n - 1)) / 2
  if (impl === "floor") {
    return new Promise((resolve) => {
      const items: Array<Frame> = []
      let seq = 0
      let count = 0
      let sum = 0
      const tick = () => {
        const k = Math.min(size(), n - seq)
        for (let j = 0; j < k; j++) items.push({ op: 0, s: seq++, t: "MESSAGE_CREATE", d: null })
        for (let i = 0; i < items.length; i++) {
          count++
          sum += items[i]!.s
        }
        items.length = 0
        if (seq < n) return setImmediate(tick)
        check(count === n && sum === expectedSum, `floor read ${count}`)
        resolve()
      }
      setImmediate(tick)
    })
  }
  const channel = makeChannel(impl)
  const reader = Effect.runPromise(channel.consume)
  let seq = 0
  const tick = () => {
    const k = Math.min(size(), n - seq)
    for (let j = 0; j < k; j++) channel.push({ op: 0, s: seq++, t: "MESSAGE_CREATE", d: null })
    if (seq < n) setImmediate(tick)
    else channel.end()
  }
  setImmediate(tick)
  return reader.then(([count, sum]) => {
    check(count === n && sum === expectedSum, `${impl} read ${count} of ${n}`)
  })
}

// ---------------------------------------------------------------------------
// child: hub
// ---------------------------------------------------------------------------

/** A gateway event as the hub sees it: fresh per event, its data from a pool. */
interface Event {
  readonly type: string
  readonly shard: number
  readonly sequence: number
  readonly data: unknown
}
const dataPool = Array.from({ length: 1024 }, (_, i) => ({ id: String(1_000_000 + i), content: `message ${i}` }))

interface Hub {
  readonly deliver: (events: ReadonlyArray<Event>) => Effect.Effect<void>
  readonly subscribe: Effect.Effect<Stream.Stream<Event, unknown>, never, Scope.Scope>
}

const retention = StartupReplay.retentionFor("session") as unknown as (event: Event) => StartupReplay.Step | undefined

const makeHub = (impl: Exclude<HubImpl, "floor">): Effect.Effect<Hub, never, Scope.Scope> => {
  if (impl === "ours") {
    return Effect.map(
      EventHub.make<Event>({ capacity: hubCapacity, startupCapacity, retention }),
      (hub): Hub => ({ deliver: hub.deliver, subscribe: hub.subscribe })
    )
  }
  return Effect.map(
    PubSub.bounded<Event>({ capacity: hubCapacity, replay: impl === "pubsub-replay" ? pubsubReplay : undefined }),
    pubsubHub
  )
}

/** A `PubSub` as the hub: `publishAll` each batch, each subscriber a scoped `Stream.fromPubSub`. */
const pubsubHub = (pubsub: PubSub.PubSub<Event>): Hub => ({
  deliver: (events) => Effect.asVoid(PubSub.publishAll(pubsub, events)),
  // 4096: the most our hub hands a subscriber at once (`maxChunk` in eventHub.ts).
  subscribe: Stream.fromPubSub(pubsub, { scoped: true, maxChunkSize: 4096 })
})

const runHub = (
  impl: HubImpl,
  profile: HubProfile,
  subscribers: number,
  consumer: "each" | "chunk"
) =>
(n: number): Promise<void> => {
  const size = profile === "1-512" ? sizesBetween(1, 512) : sizesBetween(1, 16)
  const expectedSum = (n * (n - 1)) / 2
  const program = Effect.gen(function*() {
    const counts = Array.from({ length: subscribers }, () => 0)
    const sums = Array.from({ length: subscribers }, () => 0)
    let deliver: (events: ReadonlyArray<Event>) => Effect.Effect<void>
    let finished: Effect.Effect<void> = Effect.void
    if (impl === "floor") {
      deliver = (events) =>
        Effect.sync(() => {
          for (let s = 0; s < subscribers; s++) {
            for (let i = 0; i < events.length; i++) {
              counts[s]!++
              sums[s]! += events[i]!.sequence
            }
          }
        })
    } else {
      const hub = yield* makeHub(impl)
      deliver = hub.deliver
      const done: Array<Deferred.Deferred<void>> = []
      for (let s = 0; s < subscribers; s++) {
        const all = yield* Deferred.make<void>()
        done.push(all)
        const stream = yield* hub.subscribe
        const onEvent = (event: Event): void => {
          sums[s]! += event.sequence
          if (++counts[s]! === n) Deferred.unsafeDone(all, Exit.void)
        }
        yield* Effect.forkScoped(
          consumer === "each"
            ? Stream.runForEach(stream, (event) => Effect.sync(() => onEvent(event)))
            : Stream.runForEachChunk(stream, (chunk) =>
              Effect.sync(() => {
                const events = Chunk.toReadonlyArray(chunk)
                for (let i = 0; i < events.length; i++) onEvent(events[i]!)
              }))
        )
      }
      finished = Effect.forEach(done, Deferred.await, { discard: true })
    }
    // The producer: one array for its life, as connection.ts, and the next socket read between batches.
    const events: Array<Event> = []
    let seq = 0
    while (seq < n) {
      const k = Math.min(size(), n - seq)
      for (let j = 0; j < k; j++) {
        events.push({ type: "MESSAGE_CREATE", shard: 0, sequence: seq, data: dataPool[seq & 1023] })
        seq++
      }
      yield* deliver(events)
      events.length = 0
      yield* nextMacrotask
    }
    yield* finished
    for (let s = 0; s < subscribers; s++) {
      check(counts[s] === n && sums[s] === expectedSum, `${impl}: subscriber ${s} read ${counts[s]} of ${n}`)
    }
  })
  return Effect.runPromise(Effect.scoped(program))
}

// ---------------------------------------------------------------------------
// child: idle
// ---------------------------------------------------------------------------

const forever: Effect.Effect<never> = Effect.async<never>(() => {})

interface IdleResult {
  /** Retained per instance, in bytes, without a fiber. */
  readonly instanceBytes: number
  /** Retained per instance by the fiber waiting on it (and what its wait allocates). */
  readonly waitingFiberBytes: number
  readonly totalBytes: number
}

const runIdle = async (impl: IdleImpl, k: number): Promise<IdleResult> => {
  const kept: Array<unknown> = []
  await gcFull()
  const heap0 = process.memoryUsage().heapUsed
  // Phase 1: the instances (hubs with their scope).
  const waits: Array<Effect.Effect<unknown, unknown, Scope.Scope>> = []
  const scopes: Array<Scope.CloseableScope> = []
  for (let i = 0; i < k; i++) {
    switch (impl) {
      case "fiber": {
        waits.push(forever)
        break
      }
      case "inbox": {
        const inbox = Inbox.make<Frame>()
        kept.push(inbox)
        waits.push(inbox.takeBatch(inboxBatch))
        break
      }
      case "mailbox": {
        const mailbox = Effect.runSync(Mailbox.make<Frame>())
        kept.push(mailbox)
        waits.push(mailbox.takeAll)
        break
      }
      case "queue": {
        const queue = Effect.runSync(Queue.unbounded<Frame>())
        kept.push(queue)
        waits.push(Queue.takeBetween(queue, 1, inboxBatch))
        break
      }
      case "hub":
      case "pubsub": {
        const scope = Effect.runSync(Scope.make())
        scopes.push(scope)
        const hub = Effect.runSync(Scope.extend(makeHub(impl === "hub" ? "ours" : "pubsub"), scope))
        kept.push(hub)
        waits.push(Effect.flatMap(hub.subscribe, (stream) => Stream.runForEach(stream, () => Effect.void)))
        break
      }
    }
  }
  await gcFull()
  const heap1 = process.memoryUsage().heapUsed
  // Phase 2: one fiber waiting on each.
  const fibers: Array<Fiber.RuntimeFiber<unknown, unknown>> = []
  for (let i = 0; i < k; i++) {
    const scope = scopes[i] ?? Effect.runSync(Scope.make())
    if (scopes[i] === undefined) scopes.push(scope)
    fibers.push(Effect.runFork(Scope.extend(waits[i]!, scope)))
  }
  await new Promise((resolve) => setTimeout(resolve, 100))
  await gcFull()
  const heap2 = process.memoryUsage().heapUsed
  for (const fiber of fibers) check(fiber.unsafePoll() === null, `an idle ${impl} fiber ended`)
  kept.push(fibers, waits, scopes)
  ;(globalThis as { keptAlive?: unknown }).keptAlive = kept
  return {
    instanceBytes: Math.round((heap1 - heap0) / k),
    waitingFiberBytes: Math.round((heap2 - heap1) / k),
    totalBytes: Math.round((heap2 - heap0) / k)
  }
}

// ---------------------------------------------------------------------------
// child: semantics (what differs, run rather than read)
// ---------------------------------------------------------------------------

const event = (type: string, sequence: number, data: unknown = null): Event => ({ type, shard: 0, sequence, data })
const namesOf = (events: ReadonlyArray<Event>): string => {
  const counts = new Map<string, number>()
  for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1)
  return events.length === 0 ? "nothing" : [...counts].map(([t, c]) => `${c} ${t}`).join(", ")
}
/** What a subscriber has pending right after subscribing (read for 50 ms). */
const pending = (stream: Stream.Stream<Event, unknown>): Effect.Effect<Array<Event>> =>
  Effect.gen(function*() {
    const got: Array<Event> = []
    const fiber = yield* Effect.fork(Stream.runForEach(stream, (e) => Effect.sync(() => got.push(e))))
    yield* Effect.sleep("50 millis")
    yield* Fiber.interrupt(fiber)
    return got
  })

type HubKind = "ours" | "pubsub" | "pubsub-replay"
const hubKinds: ReadonlyArray<HubKind> = ["ours", "pubsub", "pubsub-replay"]

interface Finding {
  readonly check: string
  readonly results: Record<string, string>
}

const semantics = Effect.gen(function*() {
  const findings: Array<Finding> = []
  const perHub = (check: string, body: (kind: HubKind) => Effect.Effect<string, unknown, Scope.Scope>) =>
    Effect.gen(function*() {
      const results: Record<string, string> = {}
      for (const kind of hubKinds) {
        results[kind] = yield* Effect.scoped(body(kind)).pipe(
          Effect.catchAllCause((cause) => Effect.succeed(`error: ${Cause.pretty(cause).split("\n")[0]}`))
        )
      }
      findings.push({ check, results })
    })

  yield* perHub("events delivered before the first subscriber (READY, 2 GUILD_CREATE, 3 MESSAGE_CREATE)", (kind) =>
    Effect.gen(function*() {
      const hub = yield* makeHub(kind)
      yield* hub.deliver([
        event("READY", 1),
        event("GUILD_CREATE", 2, { id: "1" }),
        event("GUILD_CREATE", 3, { id: "2" }),
        event("MESSAGE_CREATE", 4),
        event("MESSAGE_CREATE", 5),
        event("MESSAGE_CREATE", 6)
      ])
      return `first subscriber gets ${namesOf(yield* pending(yield* hub.subscribe))}`
    }))

  yield* perHub(
    "a late subscriber, after READY, 2 GUILD_CREATE and 20 000 MESSAGE_CREATE read by a first subscriber",
    (kind) =>
      Effect.gen(function*() {
        const hub = yield* makeHub(kind)
        const first = yield* hub.subscribe
        const firstFiber = yield* Effect.fork(Stream.runDrain(first))
        yield* hub.deliver([event("READY", 1), event("GUILD_CREATE", 2, { id: "1" }), event("GUILD_CREATE", 3, { id: "2" })])
        for (let b = 0; b < 40; b++) {
          yield* hub.deliver(Array.from({ length: 500 }, (_, i) => event("MESSAGE_CREATE", 4 + b * 500 + i)))
          yield* Effect.yieldNow()
        }
        yield* Effect.sleep("20 millis")
        const late = yield* pending(yield* hub.subscribe)
        yield* Fiber.interrupt(firstFiber)
        return `late subscriber gets ${namesOf(late)}`
      })
  )

  yield* perHub("the hub ends (ours: fail(error); PubSub: shutdown) with 5 events unread", (kind) =>
    Effect.gen(function*() {
      const hubScope = yield* Scope.make()
      let end: Effect.Effect<void>
      let hub: Hub
      if (kind === "ours") {
        const ours = yield* Scope.extend(EventHub.make<Event>({ capacity: hubCapacity, startupCapacity, retention }), hubScope)
        hub = ours
        end = ours.fail(new Error("fatal") as never)
      } else {
        const pubsub = yield* PubSub.bounded<Event>({
          capacity: hubCapacity,
          replay: kind === "pubsub" ? undefined : pubsubReplay
        })
        hub = pubsubHub(pubsub)
        end = PubSub.shutdown(pubsub)
      }
      const stream = yield* hub.subscribe
      yield* hub.deliver(Array.from({ length: 5 }, (_, i) => event("MESSAGE_CREATE", i + 1)))
      yield* end
      const got: Array<Event> = []
      const exit = yield* Stream.runForEach(stream, (e) => Effect.sync(() => got.push(e))).pipe(
        Effect.timeout("200 millis"),
        Effect.exit
      )
      yield* Scope.close(hubScope, Exit.void)
      const how = Exit.isSuccess(exit)
        ? "stream ended"
        : Cause.isInterruptedOnly(exit.cause)
        ? "stream interrupted"
        : Cause.pretty(exit.cause).includes("TimeoutException")
        ? "stream still waiting after 200 ms"
        : `stream failed (${Cause.squash(exit.cause) instanceof Error ? (Cause.squash(exit.cause) as Error).message : "?"})`
      return `subscriber reads ${got.length} of 5, then ${how}`
    }))

  yield* perHub("capacity 4, one subscriber not reading, deliver 3 batches of 10", (kind) =>
    Effect.gen(function*() {
      let hub: Hub
      if (kind === "ours") {
        hub = yield* EventHub.make<Event>({ capacity: 4, startupCapacity, retention })
      } else {
        const pubsub = yield* PubSub.bounded<Event>({ capacity: 4, replay: kind === "pubsub" ? undefined : 4 })
        hub = pubsubHub(pubsub)
      }
      const subScope = yield* Scope.make()
      const stream = yield* Scope.extend(hub.subscribe, subScope)
      let delivered = 0
      const deliverer = yield* Effect.fork(Effect.forEach([0, 1, 2], (b) =>
        Effect.tap(hub.deliver(Array.from({ length: 10 }, (_, i) => event("MESSAGE_CREATE", b * 10 + i + 1))), () =>
          Effect.sync(() => {
            delivered++
          })), { discard: true }))
      yield* Effect.sleep("50 millis")
      const blocked = delivered
      // Read one chunk, the subscription staying open (ending a `fromPubSub` stream would unsubscribe).
      const pull = yield* Scope.extend(Stream.toPull(stream), subScope)
      const firstChunk = (yield* pull).length
      yield* Effect.sleep("50 millis")
      const afterRead = delivered
      // The subscriber goes away: the deliverer must not stay blocked.
      yield* Scope.close(subScope, Exit.void)
      const exit = yield* Fiber.join(deliverer).pipe(Effect.timeout("200 millis"), Effect.exit)
      return `batches completed before any read: ${blocked} of 3; first read takes ${firstChunk} events; ` +
        `after it: ${afterRead} of 3; subscriber gone: deliverer ${Exit.isSuccess(exit) ? "released" : "still blocked"}`
    }))

  // Inbox and Mailbox
  const inboxFindings: Record<string, string> = {}
  {
    const inbox = Inbox.make<number>()
    for (let i = 0; i < 2000; i++) inbox.push(i)
    const batch = yield* inbox.takeBatch(512)
    batch.length = 0 // the reader may reuse it: the inbox keeps its own array
    inboxFindings["ours"] = `2 000 pushed: takeBatch(512) returns ${512} (a mutable array of its own), ${inbox.size()} wait; ` +
      `wake without an item: notify()`
    const mailbox = yield* Mailbox.make<number>()
    for (let i = 0; i < 2000; i++) mailbox.unsafeOffer(i)
    const [all] = yield* mailbox.takeAll
    for (let i = 0; i < 2; i++) mailbox.unsafeOffer(i)
    const within = <A>(effect: Effect.Effect<A>) => Effect.timeout(effect, "100 millis").pipe(Effect.option)
    const takeN4 = yield* within(mailbox.takeN(4))
    yield* mailbox.end
    const offeredAfterEnd = mailbox.unsafeOffer(99)
    const takeN4AfterEnd = yield* within(mailbox.takeN(4))
    const drained = yield* mailbox.takeAll
    const after = yield* mailbox.takeAll
    const waits = (taken: { readonly _tag: string }) => taken._tag === "None" ? "still waits after 100 ms" : "returns"
    inboxFindings["Mailbox"] = `2 000 offered: takeAll returns ${all.length} ` +
      `(a Chunk over the mailbox's own array, replaced by a new []); ` +
      `2 waiting: takeN(4) ${waits(takeN4)}; after end: unsafeOffer → ${offeredAfterEnd}, ` +
      `takeN(4) ${waits(takeN4AfterEnd)}, takeAll drains ${drained[0].length} ` +
      `(done ${drained[1]}), then [${after[0].length}, done ${after[1]}]`
  }
  findings.push({ check: "inbox: what one read takes, and the end", results: inboxFindings })
  return findings
})

// ---------------------------------------------------------------------------
// child entry
// ---------------------------------------------------------------------------

const runChild = async (spec: ChildSpec): Promise<unknown> => {
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcStats.count++
      gcStats.ms += entry.duration
    }
  })
  observer.observe({ entryTypes: ["gc"] })
  const c = spec.case
  const rss0 = process.memoryUsage.rss()
  let result: Record<string, unknown>
  switch (c.kind) {
    case "inbox":
      result = { ...(await measure(runInbox(c.impl, c.profile), spec.n, spec.warmup)) }
      break
    case "hub":
      result = { ...(await measure(runHub(c.impl, c.profile, c.subscribers, c.consumer), spec.n, spec.warmup)) }
      break
    case "idle":
      result = { ...(await runIdle(c.impl, c.instances)) }
      break
    case "semantics":
      result = { findings: await Effect.runPromise(semantics) }
      break
  }
  observer.disconnect()
  return {
    ...result,
    startRssMB: rss0 / 1024 / 1024,
    maxRssMB: process.resourceUsage().maxRSS / 1024
  }
}

// ---------------------------------------------------------------------------
// parent
// ---------------------------------------------------------------------------

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const fmt = (x: number | undefined, digits = 0): string =>
  x === undefined || Number.isNaN(x)
    ? "n/a"
    : x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })

const printTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, leftColumns = 1): void => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: ReadonlyArray<string>): string =>
    "| " + cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ") + " |"
  console.log(line(header))
  console.log("|" + widths.map((w, i) => (i < leftColumns ? ":" + "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|") + "|")
  for (const row of rows) console.log(line(row))
}

/**
 * Runs the sections `argv` asks for (the options of the usage line above), prints their tables, writes the
 * JSON and returns what it wrote. `bench/run.ts` may call it as a workload.
 */
export const runPrimitives = async (argv: ReadonlyArray<string>): Promise<Record<string, unknown>> => {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(name)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const quick = argv.includes("--quick")
  const useTsx = argv.includes("--tsx")
  const rounds = Number(flag("--rounds") ?? (quick ? 1 : 5))
  const n = Number(flag("--n") ?? (quick ? 200_000 : 1_000_000))
  const allocN = Number(flag("--alloc-n") ?? 20_000)
  const warmup = Math.min(50_000, Math.round(n / 10))
  const allocWarmup = 10_000
  const idleInstances = 1_000
  const sections = flag("--sections")?.split(",") ?? ["inbox", "hub", "idle", "semantics"]
  const tag = flag("--label") ?? (quick ? "quick" : "full")
  for (const [name, value] of [["--rounds", rounds], ["--n", n], ["--alloc-n", allocN]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`)
  }

  // The children run the compiled JavaScript (see bench/compile.ts), or under tsx with --tsx.
  // bench/.build is shared by everyone benching this checkout and rebuilt (deleted first) by each
  // `compiledClient` call: the children run a private copy, with a link to node_modules for `effect`.
  let entry = fileURLToPath(import.meta.url)
  let privateBuild: string | undefined
  if (!useTsx) {
    const compiled = (await import("./compile.js")).compiledClient("primitives.ts")
    const buildDir = dirname(dirname(compiled))
    const dir = mkdtempSync(join(os.tmpdir(), "primitives-build-"))
    privateBuild = dir
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }))
    cpSync(buildDir, privateBuild, { recursive: true })
    symlinkSync(join(here, "..", "node_modules"), join(privateBuild, "node_modules"), "dir")
    entry = join(privateBuild, relative(buildDir, compiled))
  }
  const child = (spec: ChildSpec): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const flags = ["--expose-gc", ...(useTsx ? ["--import", "tsx"] : [])]
      // A young generation large enough that the measured window runs without a GC: heapUsed growth = bytes allocated.
      if (spec.pass === "alloc") flags.push("--max-semi-space-size=1024", "--min-semi-space-size=1024")
      const proc = spawn(process.execPath, [...flags, entry, "--child", JSON.stringify(spec)], {
        stdio: ["ignore", "pipe", "inherit"]
      })
      let stdout = ""
      proc.stdout.setEncoding("utf8")
      proc.stdout.on("data", (chunk: string) => {
        stdout += chunk
      })
      proc.on("error", reject)
      proc.on("exit", (code) => {
        const line = stdout.split("\n").find((l) => l.startsWith("RESULT "))
        if (code !== 0 || line === undefined) {
          return reject(new Error(`${label(spec.case)} exited ${code}: ${stdout.slice(-2000)}`))
        }
        resolve(JSON.parse(line.slice("RESULT ".length)) as Record<string, unknown>)
      })
    })

  const cpus = os.cpus()
  const effectVersion = (JSON.parse(readFileSync(join(here, "..", "node_modules", "effect", "package.json"), "utf8")) as {
    version: string
  }).version
  const environment = {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpuCount: cpus.length,
    cpuModel: cpus[0]?.model ?? "?",
    effect: effectVersion,
    children: useTsx ? "node --import tsx (TypeScript through the loader)" : "node on bench/.build (compiled JavaScript)"
  }
  const command = `npx tsx bench/primitives.ts ${argv.join(" ")}`.trim()
  console.log(`command: ${command}`)
  console.log(
    `environment: node ${environment.node}, ${environment.platform}, ${environment.cpuCount} CPUs (${environment.cpuModel}); ` +
      `effect ${effectVersion}; children: ${environment.children}`
  )
  console.log(`${rounds} round(s), cases interleaved; timing on ${fmt(n)} items (after ${fmt(warmup)} warm-up), ` +
    `allocation on ${fmt(allocN)} (after ${fmt(allocWarmup)}) without GC`)

  const report: Record<string, unknown> = { command, environment, rounds, n, allocN, warmup }

  /** Runs every case `rounds` times, interleaved (the order rotates each round), each with its allocation pass. */
  const runCases = async (cases: ReadonlyArray<Case>, withAlloc: boolean) => {
    const timing = new Map<Case, Array<Record<string, unknown>>>(cases.map((c) => [c, []]))
    const alloc = new Map<Case, Array<Record<string, unknown>>>(cases.map((c) => [c, []]))
    for (let round = 0; round < rounds; round++) {
      const order = cases.map((_, i) => cases[(i + round * 3) % cases.length]!)
      for (const c of order) {
        const result = await child({ case: c, pass: "timing", n, warmup })
        timing.get(c)!.push(result)
        let allocText = ""
        if (withAlloc) {
          const a = await child({ case: c, pass: "alloc", n: allocN, warmup: allocWarmup })
          alloc.get(c)!.push(a)
          const bytes = fmt((a["heapGrowthBytes"] as number) / allocN, 1)
          allocText = `  ${bytes.padStart(8)} B/item alloc (${a["gcCount"] as number} GC)`
        }
        process.stdout.write(
          `  round ${round + 1} ${label(c).padEnd(44)} ` +
            (c.kind === "idle"
              ? `${fmt(result["totalBytes"] as number)} B/instance\n`
              : `${fmt(((result["cpuMs"] as number) * 1e6) / n, 0).padStart(6)} CPU ns/item  ` +
                `${fmt(result["wallMs"] as number).padStart(6)} ms wall  ` +
                `${fmt(result["maxRssMB"] as number, 1).padStart(6)} MB peak RSS` +
                `${allocText}\n`)
        )
      }
    }
    return cases.map((c) => {
      const runs = timing.get(c)!
      const m = (key: string) => median(runs.map((r) => r[key] as number))
      // Only the allocation passes in which no GC ran: there heapUsed growth is what was allocated.
      const clean = alloc.get(c)!.filter((a) => a["gcCount"] === 0)
      return {
        case: c,
        label: label(c),
        itemsPerSec: n / (m("wallMs") / 1000),
        cpuNsPerItem: (m("cpuMs") * 1e6) / n,
        gcCount: m("gcCount"),
        gcMs: m("gcMs"),
        peakRssMB: m("maxRssMB"),
        startRssMB: m("startRssMB"),
        // Reported only where no GC ran in the window (then heapUsed growth is what was allocated).
        allocBytesPerItem: clean.length === 0
          ? undefined
          : median(clean.map((a) => (a["heapGrowthBytes"] as number) / allocN)),
        allocCleanRounds: clean.length,
        runs,
        alloc: alloc.get(c)!
      }
    })
  }

  if (sections.includes("inbox")) {
    console.log(`\ninbox: ${fmt(n)} frames from setImmediate callbacks (1 or 1..64 per macrotask), one fiber reading`)
    const cases: Array<Case> = inboxProfiles.flatMap((profile) =>
      inboxImpls.map((impl) => ({ kind: "inbox", impl, profile }) as const)
    )
    const summary = await runCases(cases, true)
    report["inbox"] = summary
    console.log(`\ninbox, median of ${rounds}:`)
    printTable(
      [
        "per task", "primitive", "items/s", "CPU ns/item", "− floor", "×inbox (− floor)",
        "alloc B/item", "GCs", "GC ms", "peak RSS MB"
      ],
      summary.map((s) => {
        const c = s.case as Extract<Case, { kind: "inbox" }>
        const floor = summary.find((o) => (o.case as typeof c).profile === c.profile && (o.case as typeof c).impl === "floor")!
        const ours = summary.find((o) => (o.case as typeof c).profile === c.profile && (o.case as typeof c).impl === "inbox")!
        const net = s.cpuNsPerItem - floor.cpuNsPerItem
        return [
          c.profile,
          c.impl,
          fmt(s.itemsPerSec),
          fmt(s.cpuNsPerItem),
          c.impl === "floor" ? "-" : fmt(net),
          c.impl === "floor" ? "-" : fmt(net / (ours.cpuNsPerItem - floor.cpuNsPerItem), 2),
          fmt(s.allocBytesPerItem, 1),
          fmt(s.gcCount),
          fmt(s.gcMs, 1),
          fmt(s.peakRssMB, 1)
        ]
      }),
      2
    )
  }

  if (sections.includes("hub")) {
    console.log(
      `\nhub: ${fmt(n)} events delivered in batches (1..512 or 1..16, one macrotask between batches), ` +
        `capacity ${fmt(hubCapacity)}; "pubsub-replay": replay ${fmt(pubsubReplay)}`
    )
    const cases: Array<Case> = []
    for (const profile of hubProfiles) {
      for (const subscribers of [1, 4]) {
        for (const consumer of ["each", "chunk"] as const) {
          for (const impl of hubImpls) {
            // The floor does not depend on the consumer.
            if (impl === "floor" && consumer === "chunk") continue
            cases.push({ kind: "hub", impl, profile, subscribers, consumer })
          }
        }
      }
    }
    const summary = await runCases(cases, true)
    report["hub"] = summary
    console.log(`\nhub, median of ${rounds} (per event delivered, all subscribers included):`)
    type HubCase = Extract<Case, { kind: "hub" }>
    printTable(
      [
        "batch", "subs", "reader", "primitive", "events/s", "CPU ns/ev", "− floor", "×ours (− floor)",
        "alloc B/ev", "GCs", "GC ms", "peak RSS MB"
      ],
      summary.map((s) => {
        const c = s.case as HubCase
        const same = (o: typeof s, impl: HubImpl, consumer?: string) => {
          const oc = o.case as HubCase
          return oc.profile === c.profile && oc.subscribers === c.subscribers && oc.impl === impl &&
            (consumer === undefined || oc.consumer === consumer)
        }
        const floor = summary.find((o) => same(o, "floor"))!
        const ours = summary.find((o) => same(o, "ours", c.consumer))
        const net = s.cpuNsPerItem - floor.cpuNsPerItem
        return [
          c.profile,
          String(c.subscribers),
          c.impl === "floor" ? "-" : c.consumer,
          c.impl,
          fmt(s.itemsPerSec),
          fmt(s.cpuNsPerItem),
          c.impl === "floor" ? "-" : fmt(net),
          c.impl === "floor" || ours === undefined ? "-" : fmt(net / (ours.cpuNsPerItem - floor.cpuNsPerItem), 2),
          fmt(s.allocBytesPerItem, 1),
          fmt(s.gcCount),
          fmt(s.gcMs, 1),
          fmt(s.peakRssMB, 1)
        ]
      }),
      4
    )
  }

  if (sections.includes("idle")) {
    console.log(`\nidle: ${fmt(idleInstances)} instances, each then with one fiber waiting on it (heapUsed after global.gc())`)
    const cases: Array<Case> = idleImpls.map((impl) => ({ kind: "idle", impl, instances: idleInstances }))
    const summary = (await runCases(cases, false)).map((s) => ({
      case: s.case,
      label: s.label,
      instanceBytes: median(s.runs.map((r) => r["instanceBytes"] as number)),
      waitingFiberBytes: median(s.runs.map((r) => r["waitingFiberBytes"] as number)),
      totalBytes: median(s.runs.map((r) => r["totalBytes"] as number)),
      runs: s.runs
    }))
    report["idle"] = summary
    console.log(`\nidle, median of ${rounds}, bytes retained per instance:`)
    const what: Record<IdleImpl, string> = {
      fiber: "a fiber on Effect.async(() => {}) (baseline)",
      inbox: "Inbox.make + fiber on takeBatch(512)",
      mailbox: "Mailbox.make + fiber on takeAll",
      queue: "Queue.unbounded + fiber on takeBetween(1, 512)",
      hub: `EventHub (capacity ${fmt(hubCapacity)}) + 1 subscriber in runForEach`,
      pubsub: `PubSub.bounded(${fmt(hubCapacity)}) + fromPubSub in runForEach`
    }
    printTable(
      ["primitive", "instance B", "waiting fiber B", "total B"],
      summary.map((s) => {
        const c = s.case as Extract<Case, { kind: "idle" }>
        return [what[c.impl], fmt(s.instanceBytes), fmt(s.waitingFiberBytes), fmt(s.totalBytes)]
      })
    )
  }

  if (sections.includes("semantics")) {
    const result = await child({ case: { kind: "semantics" }, pass: "timing", n: 0, warmup: 0 })
    const findings = result["findings"] as ReadonlyArray<Finding>
    report["semantics"] = findings
    console.log("\nbehaviours, run:")
    for (const finding of findings) {
      console.log(`- ${finding.check}`)
      for (const [who, what] of Object.entries(finding.results)) console.log(`    ${who.padEnd(14)} ${what}`)
    }
  }

  const resultsDir = join(here, "results")
  mkdirSync(resultsDir, { recursive: true })
  const file = join(resultsDir, `${new Date().toISOString().replace(/:/g, "-")}-primitives-${tag}.json`)
  writeFileSync(file, JSON.stringify(report, null, 2) + "\n")
  console.log(`\nresults written to bench/results/${file.slice(resultsDir.length + 1)}`)
  if (privateBuild !== undefined) rmSync(privateBuild, { recursive: true, force: true })
  return report
}

const childIndex = process.argv.indexOf("--child")
if (childIndex >= 0) {
  runChild(JSON.parse(process.argv[childIndex + 1]!) as ChildSpec).then(
    (result) => {
      process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
      process.exit(0)
    },
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    }
  )
} else if (process.argv[1] !== undefined && resolvePath(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runPrimitives(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}
