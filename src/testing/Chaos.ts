/**
 * Chaos mode for the simulator: seeded scripts of the ways Discord misbehaves
 * (dropped connections, op 7, op 9, close codes, missing heartbeat ACKs, delayed
 * frames, garbage, discarded sessions) interleaved with bursts of dispatches, and a
 * checker that holds what the client delivered against the simulator's ground truth.
 *
 * A script is plain data, so a failing one can be printed, shrunk and replayed.
 *
 * @example
 * ```ts
 * import { Effect, TestClock } from "effect"
 * import { Chaos, Simulator } from "effect-discord-gateway/testing"
 *
 * const script = Chaos.generate(200, { seed: 42 })
 * const program = Chaos.run(script, { advance: (millis) => TestClock.adjust(millis) })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import type { GatewayEvent } from "../GatewayEvent.js"
import { type ControlTarget, type SimulatedSession, Simulator } from "./Simulator.js"

/**
 * Close codes after which the client must resume.
 *
 * @since 0.1.0
 * @category constants
 */
export const resumableCloseCodes = [4000, 4001, 4002, 4003, 4005, 4008, 1001] as const

/**
 * Close codes after which the client must start a new session (the simulator ends the old one).
 *
 * @since 0.1.0
 * @category constants
 */
export const sessionEndingCloseCodes = [4007, 4009] as const

/**
 * Every non-fatal close code chaos mode uses.
 *
 * @since 0.1.0
 * @category constants
 */
export const closeCodes: ReadonlyArray<CloseCode> = [...resumableCloseCodes, ...sessionEndingCloseCodes]

/**
 * A non-fatal close code.
 *
 * @since 0.1.0
 * @category models
 */
export type CloseCode = typeof resumableCloseCodes[number] | typeof sessionEndingCloseCodes[number]

/**
 * The kinds of bad frames chaos mode sends. None of them is a dispatch, so none may
 * disturb the session: a client must log and ignore them (a binary frame on a
 * zlib-stream connection corrupts the stream, which must lead to a resume).
 *
 * @since 0.1.0
 * @category models
 */
export type Garbage = "not-json" | "wrong-shape" | "op-as-string" | "array" | "unknown-op" | "binary"

/**
 * @since 0.1.0
 * @category constants
 */
export const garbageKinds: ReadonlyArray<Garbage> = [
  "not-json",
  "wrong-shape",
  "op-as-string",
  "array",
  "unknown-op",
  "binary"
]

/**
 * One step of a chaos script.
 *
 * - `Dispatch`: `count` dispatches to the newest session.
 * - `Advance`: lets `millis` pass (the runner's `advance`: `TestClock.adjust` in tests, a sleep when live).
 * - `Yield`: lets the client run `times` scheduler turns without time passing, so the next
 *   action lands while it is halfway through something (a reconnect, a handshake).
 * - `Drop`: the connection ends without a close frame.
 * - `Flap`: a drop, `yields` scheduler turns, and another drop: the second one often
 *   lands while the client is reconnecting or in the middle of its handshake.
 * - `Reconnect`: op 7.
 * - `InvalidSession`: op 9 (`false` also ends the session).
 * - `Close`: a close frame with a non-fatal code.
 * - `StopAcks`: no heartbeat ACKs for `millis`.
 * - `Delay`: every outbound frame is held for `millis`, then sent in order.
 * - `Garbage`: a frame that is not a valid gateway payload.
 * - `DiscardSession`: Discord forgets the session and drops the connection, so the resume is answered with op 9 `false`.
 * - `RequestHeartbeat`: op 1.
 *
 * @since 0.1.0
 * @category models
 */
export type Action =
  | { readonly _tag: "Dispatch"; readonly count: number }
  | { readonly _tag: "Advance"; readonly millis: number }
  | { readonly _tag: "Yield"; readonly times: number }
  | { readonly _tag: "Drop" }
  | { readonly _tag: "Flap"; readonly yields: number }
  | { readonly _tag: "Reconnect" }
  | { readonly _tag: "InvalidSession"; readonly resumable: boolean }
  | { readonly _tag: "Close"; readonly code: CloseCode }
  | { readonly _tag: "StopAcks"; readonly millis: number }
  | { readonly _tag: "Delay"; readonly millis: number }
  | { readonly _tag: "Garbage"; readonly kind: Garbage }
  | { readonly _tag: "DiscardSession" }
  | { readonly _tag: "RequestHeartbeat" }

/**
 * Relative weights of each action kind; a kind left out keeps its default, 0 turns it off.
 *
 * @since 0.1.0
 * @category models
 */
export type Rates = { readonly [K in Action["_tag"]]?: number }

/**
 * The default weights: mostly traffic and time, with a disruption every few steps.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRates: { readonly [K in Action["_tag"]]: number } = {
  Dispatch: 40,
  Advance: 25,
  Yield: 10,
  Drop: 3,
  Flap: 3,
  Reconnect: 3,
  InvalidSession: 3,
  Close: 5,
  StopAcks: 2,
  Delay: 3,
  Garbage: 4,
  DiscardSession: 1,
  RequestHeartbeat: 2
}

/**
 * How scripts are generated.
 *
 * @since 0.1.0
 * @category models
 */
export interface GenerateOptions {
  /** The seed of the random source: the same seed gives the same actions. */
  readonly seed?: number | undefined
  /** Relative weights of the actions (missing ones take their default). */
  readonly rates?: Rates | undefined
  /** The largest dispatch burst. Default 20. */
  readonly maxBurst?: number | undefined
  /** The longest `Advance`, `StopAcks` or `Delay`, in milliseconds. Default 15 000. */
  readonly maxMillis?: number | undefined
}

/**
 * A small deterministic PRNG (mulberry32): the same seed gives the same numbers on
 * every platform, which `Math.random` cannot.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRandom = (seed: number): () => number => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const weightsOf = (rates: Rates | undefined): ReadonlyArray<readonly [Action["_tag"], number]> =>
  (Object.keys(defaultRates) as Array<Action["_tag"]>)
    .map((tag) => [tag, Math.max(0, rates?.[tag] ?? defaultRates[tag])] as const)
    .filter(([, weight]) => weight > 0)

const build = (
  tag: Action["_tag"],
  int: (min: number, max: number) => number,
  maxBurst: number,
  maxMillis: number
): Action => {
  switch (tag) {
    case "Dispatch":
      return { _tag: "Dispatch", count: int(1, maxBurst) }
    case "Advance":
      return { _tag: "Advance", millis: int(1, maxMillis) }
    case "Yield":
      return { _tag: "Yield", times: int(1, 20) }
    case "Flap":
      return { _tag: "Flap", yields: int(0, 30) }
    case "InvalidSession":
      return { _tag: "InvalidSession", resumable: int(0, 1) === 1 }
    case "Close":
      return { _tag: "Close", code: closeCodes[int(0, closeCodes.length - 1)]! }
    case "StopAcks":
      return { _tag: "StopAcks", millis: int(1, maxMillis) }
    case "Delay":
      return { _tag: "Delay", millis: int(1, maxMillis) }
    case "Garbage":
      return { _tag: "Garbage", kind: garbageKinds[int(0, garbageKinds.length - 1)]! }
    case "Drop":
    case "Reconnect":
    case "DiscardSession":
    case "RequestHeartbeat":
      return { _tag: tag }
  }
}

/**
 * An endless seeded source of actions, for long runs (the soak test).
 *
 * @since 0.1.0
 * @category constructors
 */
export const generator = (options: GenerateOptions = {}): () => Action => {
  const random = makeRandom(options.seed ?? 1)
  const weights = weightsOf(options.rates)
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0)
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1))
  const maxBurst = options.maxBurst ?? 20
  const maxMillis = options.maxMillis ?? 15_000
  return () => {
    let pick = random() * total
    let tag: Action["_tag"] = "Dispatch"
    for (const [candidate, weight] of weights) {
      tag = candidate
      pick -= weight
      if (pick < 0) break
    }
    return build(tag, int, maxBurst, maxMillis)
  }
}

/**
 * A seeded script of `steps` actions.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generate = (steps: number, options: GenerateOptions = {}): ReadonlyArray<Action> => {
  const next = generator(options)
  return Array.from({ length: steps }, next)
}

/**
 * A fast-check arbitrary of chaos scripts, for property tests (fast-check shrinks a
 * failing script to a short one).
 *
 * @since 0.1.0
 * @category constructors
 */
export const arbitrary = (
  options: Omit<GenerateOptions, "seed"> & { readonly maxSteps?: number | undefined } = {}
): FastCheck.Arbitrary<ReadonlyArray<Action>> => {
  const maxBurst = options.maxBurst ?? 20
  const maxMillis = options.maxMillis ?? 15_000
  const of = (tag: Action["_tag"]): FastCheck.Arbitrary<Action> => {
    switch (tag) {
      case "Dispatch":
        return FastCheck.integer({ min: 1, max: maxBurst }).map((count) => ({ _tag: "Dispatch", count }))
      case "Advance":
        return FastCheck.integer({ min: 1, max: maxMillis }).map((millis) => ({ _tag: "Advance", millis }))
      case "Yield":
        return FastCheck.integer({ min: 1, max: 20 }).noBias().map((times) => ({ _tag: "Yield", times }))
      case "Flap":
        return FastCheck.integer({ min: 0, max: 30 }).noBias().map((yields) => ({ _tag: "Flap", yields }))
      case "InvalidSession":
        return FastCheck.boolean().map((resumable) => ({ _tag: "InvalidSession", resumable }))
      case "Close":
        return FastCheck.constantFrom(...closeCodes).map((code) => ({ _tag: "Close", code }))
      case "StopAcks":
        return FastCheck.integer({ min: 1, max: maxMillis }).map((millis) => ({ _tag: "StopAcks", millis }))
      case "Delay":
        return FastCheck.integer({ min: 1, max: maxMillis }).map((millis) => ({ _tag: "Delay", millis }))
      case "Garbage":
        return FastCheck.constantFrom(...garbageKinds).map((kind) => ({ _tag: "Garbage", kind }))
      case "Drop":
      case "Reconnect":
      case "DiscardSession":
      case "RequestHeartbeat":
        return FastCheck.constant({ _tag: tag })
    }
  }
  const action = FastCheck.oneof(
    ...weightsOf(options.rates).map(([tag, weight]) => ({ arbitrary: of(tag), weight }))
  )
  return FastCheck.array(action, { maxLength: options.maxSteps ?? 200 })
}

/**
 * How a script is run.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  /** Lets time pass. Default `Effect.sleep`; tests pass `TestClock.adjust`. */
  readonly advance?: ((millis: number) => Effect.Effect<void>) | undefined
  /** The `n`-th dispatch of the run. Default: an event the client has no Schema for, `CHAOS_EVENT` `{ n }`. */
  readonly event?: ((n: number) => { readonly t: string; readonly d: unknown }) | undefined
  /**
   * The connection that `Drop`, `Flap`, `Close`, `InvalidSession` and `Garbage` hit, chosen per
   * action. Default: the newest live connection. (`Reconnect`, `RequestHeartbeat` and
   * `DiscardSession` always act on the newest.) With several shards, `randomTarget` spreads the
   * disruptions over all of them.
   */
  readonly target?: Effect.Effect<ControlTarget, never, Simulator> | undefined
}

/**
 * A target that picks one of the live connections at random (seeded), for `RunOptions.target`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const randomTarget = (seed: number): Effect.Effect<ControlTarget, never, Simulator> => {
  const random = makeRandom(seed)
  return Effect.map(
    Effect.flatMap(Simulator, (sim) => sim.liveConnections),
    (ids): ControlTarget => ids.length === 0 ? {} : { connection: ids[Math.floor(random() * ids.length)] }
  )
}

/**
 * What a run did: how many of each action, and how many dispatches.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  /** Actions run. */
  steps: number
  /** Dispatches sent. */
  dispatched: number
  /** How many of each action ran, by tag. */
  readonly actions: { [K in Action["_tag"]]?: number }
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const makeStats = (): Stats => ({ steps: 0, dispatched: 0, actions: {} })

const textEncoder = new TextEncoder()

/**
 * The frame a garbage kind sends.
 *
 * @since 0.1.0
 * @category constructors
 */
export const garbageFrame = (kind: Garbage): string | Uint8Array => {
  switch (kind) {
    case "not-json":
      return "{\"op\": 0, \"d\": {"
    case "wrong-shape":
      return JSON.stringify({ hello: "world" })
    case "op-as-string":
      return JSON.stringify({ op: "0", s: 1, t: "READY", d: {} })
    case "array":
      return JSON.stringify([0, null, 1, "READY"])
    case "unknown-op":
      return JSON.stringify({ op: 42, d: { chaos: true }, s: null, t: null })
    case "binary":
      return textEncoder.encode("\u0000\u0001chaos\u00ff")
  }
}

const defaultEvent = (n: number) => ({ t: "CHAOS_EVENT", d: { n } })

const newest: Effect.Effect<ControlTarget> = Effect.succeed({})

/** A connection opened after `connection` (its shard's reconnect), or none: a target that hits nothing. */
const newestAfter = (sim: Simulator, connection: number): Effect.Effect<ControlTarget> =>
  Effect.map(sim.liveConnections, (ids) => {
    const later = ids.filter((id) => id > connection)
    return later.length === 0 ? { connection: -1 } : { connection: later[later.length - 1] }
  })

/**
 * Performs one action against the simulator in the context.
 *
 * @since 0.1.0
 * @category combinators
 */
export const step = (
  action: Action,
  options: RunOptions = {},
  stats: Stats = makeStats()
): Effect.Effect<void, never, Simulator> =>
  Effect.gen(function*() {
    const sim = yield* Simulator
    const advance = options.advance ?? ((millis: number) => Effect.sleep(millis))
    const event = options.event ?? defaultEvent
    const target = options.target ?? newest
    stats.steps++
    stats.actions[action._tag] = (stats.actions[action._tag] ?? 0) + 1
    switch (action._tag) {
      case "Dispatch": {
        for (let i = 0; i < action.count; i++) {
          const { d, t } = event(stats.dispatched++)
          yield* sim.dispatch(t, d)
        }
        return
      }
      case "Advance":
        return yield* advance(action.millis)
      case "Yield": {
        for (let i = 0; i < action.times; i++) yield* Effect.yieldNow()
        return
      }
      case "Drop":
        return yield* sim.dropConnection(yield* target)
      case "Flap": {
        const hit = yield* target
        yield* sim.dropConnection(hit)
        for (let i = 0; i < action.yields; i++) yield* Effect.yieldNow()
        // The shard that was hit is reconnecting now: hit its new connection (the newest) again.
        return yield* sim.dropConnection(hit.connection === undefined ? {} : yield* newestAfter(sim, hit.connection))
      }
      case "Reconnect":
        return yield* sim.reconnect
      case "InvalidSession":
        return yield* sim.invalidSession(action.resumable, yield* target)
      case "Close":
        return yield* sim.close(action.code, "chaos", yield* target)
      case "StopAcks": {
        yield* sim.setAckHeartbeats(false)
        yield* advance(action.millis)
        return yield* sim.setAckHeartbeats(true)
      }
      case "Delay": {
        yield* sim.holdFrames(true)
        yield* advance(action.millis)
        return yield* sim.holdFrames(false)
      }
      case "Garbage":
        return yield* sim.sendRaw(garbageFrame(action.kind), yield* target)
      case "DiscardSession": {
        yield* sim.invalidateSessions
        return yield* sim.drop
      }
      case "RequestHeartbeat":
        return yield* sim.requestHeartbeat
    }
  })

/**
 * Runs a script against the simulator in the context and returns what it did.
 *
 * @since 0.1.0
 * @category combinators
 */
export const run = (
  script: ReadonlyArray<Action>,
  options: RunOptions = {}
): Effect.Effect<Stats, never, Simulator> =>
  Effect.suspend(() => {
    const stats = makeStats()
    return Effect.as(Effect.forEach(script, (action) => step(action, options, stats), { discard: true }), stats)
  })

/**
 * Ends every lasting disruption: ACKs on, frames flowing, connections accepted, no stalls.
 *
 * @since 0.1.0
 * @category combinators
 */
export const heal: Effect.Effect<void, never, Simulator> = Effect.gen(function*() {
  const sim = yield* Simulator
  yield* sim.setAckHeartbeats(true)
  yield* sim.holdFrames(false)
  yield* sim.stall(undefined)
  yield* sim.refuseConnections(undefined)
})

/**
 * What the client delivered for one session it was told about (by READY).
 *
 * @since 0.1.0
 * @category models
 */
export interface DeliveredSession {
  /** The session id. */
  readonly sessionId: string
  /** The last sequence delivered in order. */
  delivered: number
  /** The event names, in delivery order (only when the checker records them). */
  readonly names: Array<string>
  /** The `lastSequence` of its SESSION_LOST, if one came. */
  lostAt: number | undefined
}

/**
 * The verdict on a run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Verdict {
  /** Every broken guarantee, one sentence each. Empty when the run was clean. */
  readonly violations: ReadonlyArray<string>
  /** Sessions the client saw READY for. */
  readonly sessions: number
  /** Of those, how many ended with SESSION_LOST. */
  readonly lost: number
  /** Sessions the simulator created whose READY never reached the client (connection gone first). */
  readonly orphans: number
  /** Dispatch events delivered (READY, RESUMED and the rest). */
  readonly delivered: number
}

/**
 * An incremental checker of the delivery guarantees: feed it every event of one
 * subscription (from the start, READY included), then ask for a verdict against the
 * simulator's sessions.
 *
 * Guarantees checked: within a session every dispatch arrives once and in sequence
 * order (1, 2, 3, ...) with the name the simulator sent; a session is only left
 * behind with a SESSION_LOST carrying its last delivered sequence, before the next
 * READY; the live session, once settled, has delivered everything sent to it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Checker {
  /** Records one event the client delivered. */
  readonly observe: (event: GatewayEvent) => void
  /**
   * Feeds the checker what `observe` reads of an event, for a client that runs in
   * another process and ships its events as plain records (see `Observation`).
   */
  readonly record: (observation: Observation) => void
  /** The session being delivered, if any. */
  readonly current: () => DeliveredSession | undefined
  /** What was observed so far. */
  readonly counters: () => {
    readonly delivered: number
    readonly readies: number
    readonly resumes: number
    readonly sessionsLost: number
    readonly duplicates: number
    readonly gaps: number
    readonly violations: number
  }
  /**
   * `settled`: the client has had time to catch up, so the live session must be
   * complete. Without it, only what was delivered is checked.
   */
  readonly verify: (sessions: ReadonlyArray<SimulatedSession>, options: { readonly settled: boolean }) => Verdict
}

/**
 * What the checker reads of one event: a dispatch's name, sequence and (for READY)
 * session id, or a SESSION_LOST's session id and last sequence. Plain data, so it can
 * cross a process boundary.
 *
 * @since 0.1.0
 * @category models
 */
export type Observation =
  | {
    readonly _tag: "Dispatch"
    readonly name: string
    readonly sequence: number
    /** READY's `session_id`, when it has one. */
    readonly sessionId?: string | undefined
  }
  | { readonly _tag: "SessionLost"; readonly sessionId: string; readonly lastSequence: number }

/**
 * The `Observation` of an event.
 *
 * @since 0.1.0
 * @category constructors
 */
export const observation = (event: GatewayEvent): Observation =>
  event.type === "SESSION_LOST"
    ? { _tag: "SessionLost", sessionId: event.sessionId, lastSequence: event.lastSequence }
    : { _tag: "Dispatch", name: nameOf(event), sequence: event.sequence, sessionId: readySessionId(event) }

const nameOf = (event: GatewayEvent): string =>
  event.type === "UNKNOWN_EVENT" || event.type === "DECODE_FAILURE" ? event.name : event.type

const readySessionId = (event: GatewayEvent): string | undefined => {
  if (event.type === "READY") return event.data.session_id
  if (event.type === "DECODE_FAILURE" && event.name === "READY") {
    const raw = event.raw as { session_id?: unknown } | null
    return typeof raw?.session_id === "string" ? raw.session_id : undefined
  }
  return undefined
}

/**
 * Makes a checker. `recordNames` keeps every event name (for exact comparison with
 * the ground truth); long runs turn it off to keep memory flat.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeChecker = (options: { readonly recordNames?: boolean | undefined } = {}): Checker => {
  const recordNames = options.recordNames ?? true
  const segments: Array<DeliveredSession> = []
  const seen = new Set<string>()
  const violations: Array<string> = []
  let current: DeliveredSession | undefined
  let delivered = 0
  let readies = 0
  let resumes = 0
  let sessionsLost = 0
  let duplicates = 0
  let gaps = 0
  // A long run keeps only the first violations in full.
  const violation = (message: string) => {
    if (violations.length < 1000) violations.push(message)
  }

  const record = (event: Observation): void => {
    if (event._tag === "SessionLost") {
      sessionsLost++
      if (current === undefined) {
        violation(`SESSION_LOST for ${event.sessionId} (lastSequence ${event.lastSequence}) with no session live`)
        return
      }
      if (event.sessionId !== current.sessionId) {
        violation(`SESSION_LOST names ${event.sessionId}, but the live session is ${current.sessionId}`)
      }
      if (event.lastSequence !== current.delivered) {
        violation(
          `SESSION_LOST for ${current.sessionId} reports lastSequence ${event.lastSequence}, ` +
            `but ${current.delivered} was the last delivered`
        )
      }
      current.lostAt = event.lastSequence
      current = undefined
      return
    }
    delivered++
    const name = event.name
    const sessionId = event.sessionId
    if (name === "READY") {
      readies++
      if (sessionId === undefined) {
        violation(`READY (s=${event.sequence}) without a session_id`)
        return
      }
      if (current !== undefined) {
        violation(
          `READY of ${sessionId} while ${current.sessionId} (delivered up to ${current.delivered}) ` +
            `was never reported lost`
        )
      }
      if (seen.has(sessionId)) violation(`READY of ${sessionId} delivered twice`)
      seen.add(sessionId)
      // A session's numbering starts at READY's sequence (1 on Discord, 0 on some other servers).
      current = { sessionId, delivered: event.sequence - 1, names: [], lostAt: undefined }
      segments.push(current)
    }
    if (name === "RESUMED") resumes++
    if (current === undefined) {
      violation(`${name} (s=${event.sequence}) delivered outside any session (after SESSION_LOST, before READY)`)
      return
    }
    const expected = current.delivered + 1
    if (event.sequence !== expected) {
      if (event.sequence <= current.delivered) {
        duplicates++
        violation(
          `${current.sessionId}: duplicate or out of order: s=${event.sequence} (${name}) after s=${current.delivered}`
        )
        return
      }
      gaps++
      violation(
        `${current.sessionId}: gap: s=${event.sequence} (${name}) after s=${current.delivered}; ` +
          `s=${expected}..${event.sequence - 1} missing`
      )
    }
    current.delivered = event.sequence
    if (recordNames) current.names.push(name)
  }

  const verify = (sessions: ReadonlyArray<SimulatedSession>, options: { readonly settled: boolean }): Verdict => {
    const found: Array<string> = [...violations]
    const byId = new Map(sessions.map((session) => [session.id, session] as const))
    for (const segment of segments) {
      const truth = byId.get(segment.sessionId)
      if (truth === undefined) {
        found.push(`${segment.sessionId}: delivered, but the simulator has no such session`)
        continue
      }
      // The last sequence sent: the log's length when READY is 1 (Discord), one less when it is 0.
      const lastSent = truth.log.at(-1)?.s ?? 0
      if (segment.delivered > lastSent) {
        found.push(`${segment.sessionId}: delivered up to s=${segment.delivered}, but the last sent was s=${lastSent}`)
      }
      if (recordNames) {
        // With gaps the names no longer line up by index; the gap is already reported.
        const sent = truth.log.slice(0, segment.names.length).map((entry) => entry.t)
        const mismatch = segment.names.findIndex((name, i) => name !== sent[i])
        if (mismatch >= 0 && gaps === 0 && duplicates === 0) {
          found.push(
            `${segment.sessionId}: s=${truth.log[mismatch]!.s} was sent as ${sent[mismatch]} but delivered as ${
              segment.names[mismatch]
            }`
          )
        }
      }
      const live = segment === segments[segments.length - 1] && segment.lostAt === undefined
      if (live && options.settled && segment.delivered < lastSent) {
        found.push(
          `${segment.sessionId}: live session settled at s=${segment.delivered}, ` +
            `but s=${segment.delivered + 1}..${lastSent} were sent and never delivered`
        )
      }
    }
    return {
      violations: found,
      sessions: segments.length,
      lost: segments.filter((segment) => segment.lostAt !== undefined).length,
      orphans: sessions.filter((session) => !seen.has(session.id)).length,
      delivered
    }
  }

  return {
    observe: (event) => record(observation(event)),
    record,
    current: () => current,
    counters: () => ({
      delivered,
      readies,
      resumes,
      sessionsLost,
      duplicates,
      gaps,
      violations: violations.length
    }),
    verify
  }
}
