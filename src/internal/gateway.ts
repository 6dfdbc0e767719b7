/**
 * The gateway of one shard: the loop that opens connection after connection and
 * decides after each one whether to resume, identify anew or stop; the event
 * hub; the command outbox; the session store.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as Socket from "@effect/platform/Socket"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as HashMap from "effect/HashMap"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Subscribable from "effect/Subscribable"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type * as Commands from "../Commands.js"
import { GatewayConfig } from "../GatewayConfig.js"
import * as GatewayError from "../GatewayError.js"
import * as Metrics from "../GatewayMetrics.js"
import type { KnownEventName } from "../Events.js"
import type { Dispatch, GatewayEvent } from "../GatewayEvent.js"
import * as IdentifyLimiter from "../IdentifyLimiter.js"
import * as SessionStore from "../SessionStore.js"
import * as AllocationSites from "./allocationSites.js"
import * as CloseCodes from "./closeCodes.js"
import * as Connection from "./connection.js"
import * as DecodeFailureLog from "./decodeFailureLog.js"
import * as Encoding from "./encoding.js"
import * as EventHub from "./eventHub.js"
import * as GatewayBot from "./gatewayBot.js"
import * as IntentCheck from "./intentCheck.js"
import * as StartupReplay from "./startupReplay.js"
import { MaxPayloadBytes, Op } from "./protocol.js"

/** The members gathered by one Request Guild Members. @internal */
export interface GuildMembersResult {
  readonly guildId: string
  readonly members: ReadonlyArray<unknown>
  readonly presences: ReadonlyArray<unknown>
  readonly notFound: ReadonlyArray<string>
}

/** How a subscriber starts. @internal */
export interface SubscribeOptions {
  /**
   * `true`: start with the replay (READY and the GUILD_CREATEs of the current session; the first
   * such subscriber gets every event delivered before it came). `false`: live events only.
   */
  readonly replay: boolean
}

/** Why a command was not sent. @internal */
export type CommandError = GatewayError.PayloadTooLarge | GatewayError.GatewayClosed | GatewayError.GatewayFatalError

/** @internal */
export interface GatewayShape {
  readonly shard: number
  readonly events: Stream.Stream<GatewayEvent, GatewayError.GatewayFatalError>
  readonly subscribe: Effect.Effect<Stream.Stream<GatewayEvent, GatewayError.GatewayFatalError>, never, Scope.Scope>
  readonly subscribeWith: (
    options: SubscribeOptions
  ) => Effect.Effect<Stream.Stream<GatewayEvent, GatewayError.GatewayFatalError>, never, Scope.Scope>
  readonly on: <K extends KnownEventName>(
    ...types: readonly [K, ...Array<K>]
  ) => Stream.Stream<Dispatch<K>, GatewayError.GatewayFatalError>
  readonly status: Subscribable.Subscribable<Connection.Status>
  readonly ready: Effect.Effect<void, GatewayError.GatewayFatalError>
  readonly latency: Effect.Effect<Option.Option<Duration.Duration>>
  readonly inboundBacklog: Effect.Effect<number>
  readonly sessionId: Effect.Effect<Option.Option<string>>
  readonly sequence: Effect.Effect<Option.Option<number>>
  readonly send: (command: Commands.GatewayCommand) => Effect.Effect<void, CommandError>
  readonly updatePresence: (presence: Commands.UpdatePresence) => Effect.Effect<void, CommandError>
  readonly updateVoiceState: (voiceState: Commands.UpdateVoiceState) => Effect.Effect<void, CommandError>
  readonly requestSoundboardSounds: (request: Commands.RequestSoundboardSounds) => Effect.Effect<void, CommandError>
  readonly requestGuildMembers: (
    request: Omit<Commands.RequestGuildMembers, "nonce">,
    options?: { readonly timeout?: Duration.DurationInput }
  ) => Effect.Effect<GuildMembersResult, CommandError | GatewayError.RequestTimeout>
  readonly pause: Effect.Effect<void>
  readonly resume: Effect.Effect<void>
  readonly awaitFatal: Effect.Effect<never, GatewayError.GatewayFatalError>
}

interface MemberCollector {
  readonly guildId: string
  readonly members: Array<unknown>
  readonly presences: Array<unknown>
  readonly notFound: Array<string>
  received: number
  readonly done: Deferred.Deferred<void>
}


/** What one shard runs with. @internal */
export interface ShardOptions {
  readonly config: GatewayConfig["Type"]
  /** Publishes the shard's events. The array is reused after this returns: copy what is kept. */
  readonly deliver: (events: ReadonlyArray<GatewayEvent>) => Effect.Effect<void>
  /** The shard's own event stream (of a hub shared by several shards: only this shard's events). */
  readonly subscribeWith: (
    replay: EventHub.Replay
  ) => Effect.Effect<Stream.Stream<GatewayEvent, GatewayError.GatewayFatalError>, never, Scope.Scope>
  /**
   * Whether `subscribe`'s streams already end with the shard's fatal error (a hub of its own,
   * failed by `onFatal`). Otherwise each stream is raced against the error, which costs a
   * fiber per read.
   */
  readonly streamsEndOnFatal: boolean
  /** Awaited before the first connection (`Sharding` starts the shards of a bucket in order). */
  readonly startGate: Effect.Effect<void>
  readonly limiter: IdentifyLimiter.IdentifyLimiterShape
  readonly store: SessionStore.SessionStoreShape
  /** Called once when the shard stops for good. */
  readonly onFatal: (error: GatewayError.GatewayFatalError) => Effect.Effect<void>
}

/**
 * Log annotations for the rest of the current fiber. For a fiber forked to run one piece of work,
 * this is what `Effect.annotateLogs` does, without the frames that restore the old annotations,
 * which a long-lived fiber would keep on its stack for its whole life.
 */
const annotateFiber = (annotations: Record<string, string | number>): Effect.Effect<void> =>
  FiberRef.update(FiberRef.currentLogAnnotations, (current) => {
    let next = current
    for (const [key, value] of Object.entries(annotations)) next = HashMap.set(next, key, value)
    return next
  })

/**
 * Builds a single gateway in the current scope and starts connecting.
 *
 * @internal
 */
export const make: Effect.Effect<
  GatewayShape,
  GatewayError.GatewayFatalError,
  Scope.Scope | GatewayConfig | Socket.WebSocketConstructor
> = Effect.gen(function*() {
  const config = yield* GatewayConfig
  const hub = yield* EventHub.make<GatewayEvent>({
    capacity: config.eventBufferCapacity,
    startupCapacity: config.startupBufferCapacity,
    retention: StartupReplay.retentionFor(config.startupReplay)
  })
  const providedLimiter = yield* Effect.serviceOption(IdentifyLimiter.IdentifyLimiter)
  const limiter = Option.isSome(providedLimiter) ? providedLimiter.value : yield* IdentifyLimiter.makeMemory()
  const store = Option.getOrElse(yield* Effect.serviceOption(SessionStore.SessionStore), SessionStore.makeMemory)
  const shape = yield* makeShard({
    config,
    deliver: hub.deliver,
    subscribeWith: hub.subscribeWith,
    streamsEndOnFatal: true,
    startGate: Effect.void,
    limiter,
    store,
    onFatal: hub.fail
  })
  if (config.waitForReady) {
    yield* shape.ready
  }
  return shape
})

/**
 * Builds one shard in the current scope and starts connecting: the reconnect loop,
 * the session, the command outbox. Its events go to `options.deliver`.
 *
 * @internal
 */
export const makeShard = (options: ShardOptions): Effect.Effect<
  GatewayShape,
  never,
  Scope.Scope | Socket.WebSocketConstructor
> => Effect.gen(function*() {
  AllocationSites.settleChunkSite()
  const { config, limiter, store } = options
  const shard = config.shard[0]
  const httpClient = yield* Effect.serviceOption(HttpClient.HttpClient)

  const status = yield* SubscriptionRef.make<Connection.Status>("Disconnected")
  const fatal = yield* Deferred.make<never, GatewayError.GatewayFatalError>()
  const ready = yield* Deferred.make<void, GatewayError.GatewayFatalError>()
  const closed = yield* Deferred.make<void>()
  const deliver = options.deliver

  const stored = yield* store.get(config.shard)
  const session: Connection.SessionRuntime = {
    sessionId: Option.isSome(stored) ? stored.value.sessionId : undefined,
    resumeUrl: Option.isSome(stored) ? stored.value.resumeUrl : undefined,
    sequence: Option.isSome(stored) ? stored.value.sequence : Connection.NoSequence,
    receivedSequence: Option.isSome(stored) ? stored.value.sequence : Connection.NoSequence
  }
  const saveSession = Effect.suspend(() =>
    session.sessionId !== undefined && session.resumeUrl !== undefined
      ? store.set(config.shard, { sessionId: session.sessionId, resumeUrl: session.resumeUrl, sequence: session.sequence })
      : store.clear(config.shard)
  )

  const collectors = new Map<string, MemberCollector>()
  const outbox: Connection.Outbox = {
    queue: yield* Queue.unbounded<Connection.PendingCommand>(),
    inFlight: undefined,
    wake: undefined
  }

  const ctx: Connection.ConnectionContext = {
    shard,
    config,
    session,
    status,
    outbox,
    deliver,
    heartbeat: undefined,
    closeCode: 4000,
    inboundBacklog: 0,
    decodeFailureLog: DecodeFailureLog.make(),
    metricTags: [MetricLabel.make("shard", String(shard))],
    acquireIdentify: limiter.acquire(shard),
    onReady: () => saveSession,
    onLive: Deferred.succeed(ready, undefined),
    onMemberChunk: (raw, event) => {
      const chunk = raw as {
        nonce?: unknown
        chunk_count?: unknown
        members?: unknown
        presences?: unknown
        not_found?: unknown
      } | null
      if (typeof chunk?.nonce !== "string") return
      const collector = collectors.get(chunk.nonce)
      if (collector === undefined) return
      const data = (event.type === "GUILD_MEMBERS_CHUNK" ? event.data : chunk) as typeof chunk
      if (Array.isArray(data.members)) collector.members.push(...data.members)
      if (Array.isArray(data.presences)) collector.presences.push(...data.presences)
      if (Array.isArray(data.not_found)) collector.notFound.push(...data.not_found.map(String))
      collector.received++
      if (typeof chunk.chunk_count === "number" && collector.received >= chunk.chunk_count) {
        Deferred.unsafeDone(collector.done, Exit.void)
      }
    }
  }

  const resolveGatewayUrl: Effect.Effect<string, GatewayError.GatewayFatalError> = Effect.suspend(() => {
    if (config.gatewayUrl !== undefined) return Effect.succeed(config.gatewayUrl)
    if (Option.isNone(httpClient)) {
      return Effect.fail(
        new GatewayError.GatewayUrlUnavailable({ shard, reason: "no gatewayUrl configured and no HttpClient provided" })
      )
    }
    return GatewayBot.fetchOrFail(config.apiBaseUrl, config.token, shard).pipe(
      Effect.provideService(HttpClient.HttpClient, httpClient.value),
      Effect.map((bot) => bot.url)
    )
  })

  const sessionLost = (reason: string) =>
    Effect.gen(function*() {
      const lost = session.sessionId
      const lastSequence = session.sequence
      session.sessionId = undefined
      session.resumeUrl = undefined
      session.sequence = Connection.NoSequence
      session.receivedSequence = Connection.NoSequence
      yield* saveSession
      if (lost !== undefined) {
        Metrics.sessionsLost.unsafeUpdate(1, ctx.metricTags)
        yield* Effect.logWarning(`session ${lost} lost after sequence ${lastSequence}: ${reason}; identifying anew`)
        yield* deliver([{ type: "SESSION_LOST", shard, sessionId: lost, lastSequence, reason }])
      }
    })

  // Pausing closes the live connection resumably and holds the loop until `resume`.
  const running = yield* Effect.makeLatch(true)
  let paused = false
  let current: Fiber.RuntimeFiber<Connection.Outcome> | undefined

  const loop = Effect.gen(function*() {
    yield* options.startGate
    const gatewayUrl = yield* resolveGatewayUrl
    const driver = yield* Schedule.driver(config.reconnectSchedule)
    let failures = 0
    while (true) {
      yield* running.await
      const plan: Connection.Plan = session.sessionId !== undefined && session.resumeUrl !== undefined
        ? { mode: "resume", url: session.resumeUrl }
        : { mode: "identify", url: gatewayUrl }
      const fiber = yield* Effect.fork(
        Effect.zipRight(annotateFiber({ session: session.sessionId ?? "new", mode: plan.mode }), Connection.run(ctx, plan))
      )
      current = fiber
      const exit = yield* Fiber.await(fiber)
      current = undefined
      if (Exit.isFailure(exit)) {
        if (Cause.isInterruptedOnly(exit.cause)) {
          // Interrupted by `pause`: wait for `resume`, then resume the session.
          yield* saveSession
          continue
        }
        // A defect (a bug) in the connection: say so, and retry like any failed attempt.
        yield* Effect.logError("the connection failed with a defect; reconnecting", exit.cause)
      }
      const { end, healthy } = Exit.isSuccess(exit)
        ? exit.value
        : {
          end: new GatewayError.SocketError({ shard, reason: "defect in the connection", cause: Cause.squash(exit.cause) }),
          healthy: false
        }
      yield* Effect.logInfo(end.message)
      Metrics.connectionsEnded.unsafeUpdate(1, [
        ...ctx.metricTags,
        MetricLabel.make("reason", end._tag),
        ...(end._tag === "ConnectionClosed" ? [MetricLabel.make("close_code", String(end.closeCode))] : [])
      ])
      let waitMillis = 0
      switch (end._tag) {
        case "ConnectionClosed": {
          const decision = CloseCodes.decide(shard, end.closeCode, end.reason)
          if (decision._tag === "Fatal") return yield* Effect.fail(decision.error)
          if (decision._tag === "Reidentify") yield* sessionLost(`close ${end.closeCode}`)
          break
        }
        case "SessionInvalidated": {
          if (!end.resumable) {
            yield* sessionLost("invalid session (op 9)")
            // Discord: wait a random 1-5 s before identifying again.
            waitMillis = yield* Random.nextIntBetween(1000, 5001)
          }
          break
        }
        default:
          break
      }
      yield* saveSession
      // op 9 is an answer from a working gateway, with its own wait: not a failed attempt.
      if (healthy || waitMillis > 0) {
        failures = 0
        yield* driver.reset
      } else {
        failures++
        const next = yield* Effect.either(driver.next(end))
        if (next._tag === "Left") {
          return yield* new GatewayError.ReconnectExhausted({ shard, attempts: failures, lastReason: end.message })
        }
      }
      if (waitMillis > 0) yield* Effect.sleep(waitMillis)
    }
  })

  const supervisor = yield* Effect.forkScoped(Effect.zipRight(
    annotateFiber({ shard }),
    loop.pipe(
      Effect.tapError((error) => Effect.logError(error.message)),
      Effect.onError(() => Deferred.succeed(closed, undefined)),
      Effect.catchAll((error) =>
        Deferred.fail(ready, error).pipe(
          Effect.zipRight(Deferred.fail(fatal, error)),
          Effect.zipRight(options.onFatal(error))
        )
      )
    )
  ))

  // Shutdown ends the session: close 1000 and forget it. A paused gateway keeps
  // its session in the store, so a restarted process can resume it.
  yield* Effect.addFinalizer(() =>
    Effect.gen(function*() {
      if (!paused) ctx.closeCode = 1000
      yield* Deferred.succeed(closed, undefined)
      yield* Fiber.interrupt(supervisor)
      yield* paused ? saveSession : store.clear(config.shard)
      const pending = outbox.inFlight ? [outbox.inFlight] : []
      for (const command of [...pending, ...(yield* Queue.takeAll(outbox.queue))]) {
        yield* Deferred.interrupt(command.done)
      }
    })
  )

  const awaitFatal = Deferred.await(fatal)

  const subscribeTo = (replay: EventHub.Replay) =>
    options.streamsEndOnFatal
      ? options.subscribeWith(replay)
      : Effect.map(options.subscribeWith(replay), Stream.interruptWhen(awaitFatal))
  const subscribe: GatewayShape["subscribe"] = subscribeTo("all")
  const events: Stream.Stream<GatewayEvent, GatewayError.GatewayFatalError> = Stream.unwrapScoped(subscribe)
  // `on` streams replay the snapshot (so `on("GUILD_CREATE")` started late still sees them) but
  // never take the events kept for the first `events` subscriber.
  const on: GatewayShape["on"] = IntentCheck.makeOn(config.intents, subscribeTo("snapshot"))

  const send = (command: Commands.GatewayCommand) =>
    Effect.gen(function*() {
      const frame = Encoding.encode(config.encoding, command)
      const bytes = Encoding.byteLength(frame)
      if (bytes > MaxPayloadBytes) {
        return yield* new GatewayError.PayloadTooLarge({ op: command.op, bytes, limit: MaxPayloadBytes })
      }
      if (yield* Deferred.isDone(fatal)) return yield* awaitFatal
      if (yield* Deferred.isDone(closed)) return yield* new GatewayError.GatewayClosed({ shard })
      const done = yield* Deferred.make<void>()
      yield* Queue.offer(outbox.queue, { frame, done })
      outbox.wake?.()
      yield* Effect.raceFirst(
        Deferred.await(done).pipe(Effect.catchAllCause(() => new GatewayError.GatewayClosed({ shard }))),
        awaitFatal
      )
    })

  let nonceCounter = 0
  const requestGuildMembers: GatewayShape["requestGuildMembers"] = (request, options) =>
    Effect.gen(function*() {
      const suffix = yield* Random.nextIntBetween(0, 1 << 30)
      const nonce = `${(++nonceCounter).toString(36)}.${suffix.toString(36)}`
      const collector: MemberCollector = {
        guildId: request.guild_id,
        members: [],
        presences: [],
        notFound: [],
        received: 0,
        done: yield* Deferred.make<void>()
      }
      const timeout = Duration.decode(options?.timeout ?? "30 seconds")
      return yield* Effect.gen(function*() {
        collectors.set(nonce, collector)
        yield* send({ op: Op.RequestGuildMembers, d: { ...request, nonce } }).pipe(
          Effect.zipRight(Deferred.await(collector.done)),
          Effect.timeoutFail({
            duration: timeout,
            onTimeout: () =>
              new GatewayError.RequestTimeout({
                request: `Request Guild Members for guild ${request.guild_id}`,
                timeoutMillis: Duration.toMillis(timeout)
              })
          })
        )
        return {
          guildId: collector.guildId,
          members: collector.members,
          presences: collector.presences,
          notFound: collector.notFound
        }
      }).pipe(Effect.ensuring(Effect.sync(() => collectors.delete(nonce))))
    })

  const shape: GatewayShape = {
    shard,
    events,
    subscribe,
    subscribeWith: (options) => subscribeTo(options.replay ? "all" : "none"),
    on,
    status: Subscribable.make({ get: SubscriptionRef.get(status), changes: status.changes }),
    ready: Deferred.await(ready),
    latency: Effect.sync(() => {
      const millis = ctx.heartbeat?.latencyMillis
      return millis === undefined ? Option.none() : Option.some(Duration.millis(millis))
    }),
    inboundBacklog: Effect.sync(() => ctx.inboundBacklog),
    sessionId: Effect.sync(() => Option.fromNullable(session.sessionId)),
    sequence: Effect.sync(() => (session.sequence === Connection.NoSequence ? Option.none() : Option.some(session.sequence))),
    send,
    updatePresence: (d) => send({ op: Op.PresenceUpdate, d }),
    updateVoiceState: (d) => send({ op: Op.VoiceStateUpdate, d }),
    requestSoundboardSounds: (d) => send({ op: Op.RequestSoundboardSounds, d }),
    requestGuildMembers,
    pause: Effect.gen(function*() {
      if (paused) return
      paused = true
      yield* running.close
      ctx.closeCode = 4000
      if (current) yield* Fiber.interrupt(current)
    }),
    resume: Effect.suspend(() => {
      paused = false
      return running.open
    }),
    awaitFatal
  }

  return shape
})
