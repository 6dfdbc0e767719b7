/**
 * The gateway of one shard: the loop that opens connection after connection (each read on the
 * loop's own fiber, see connection.ts) and decides after each one whether to resume, identify
 * anew or stop (closeCodes.ts, the reconnect schedule). It holds what outlives connections: the
 * session (session.ts), the command outbox (outbox.ts), member requests (memberRequests.ts) and
 * the status (status.ts); `make` adds the event hub and the timer of a single-shard gateway.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as Socket from "@effect/platform/Socket"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as HashMap from "effect/HashMap"
import * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Subscribable from "effect/Subscribable"
import type * as Tracer from "effect/Tracer"
import type * as Commands from "../Commands.js"
import type { Gateway, Requirements } from "../Gateway.js"
import { GatewayConfig } from "../GatewayConfig.js"
import * as GatewayError from "../GatewayError.js"
import * as Metrics from "../GatewayMetrics.js"
import type { KnownEventName } from "../Events.js"
import type { Dispatch, GatewayEvent } from "../GatewayEvent.js"
import * as IdentifyLimiter from "../IdentifyLimiter.js"
import * as SessionStore from "../SessionStore.js"
import * as ConnectionEnded from "./connectionEnded.js"
import * as CloseCodes from "./closeCodes.js"
import * as Connection from "./connection.js"
import * as DecodeFailureLog from "./decodeFailureLog.js"
import * as Encoding from "./encoding.js"
import * as EventHub from "./eventHub.js"
import * as GatewayBot from "./gatewayBot.js"
import * as IntentCheck from "./intentCheck.js"
import * as MemberRequests from "./memberRequests.js"
import * as Outbox from "./outbox.js"
import * as Scheduler from "./scheduler.js"
import * as Session from "./session.js"
import * as Status from "./status.js"
import { MaxPayloadBytes, Op } from "./protocol.js"
import * as Tracing from "./tracing.js"

/** @internal */
export type GatewayShape = Gateway

/** What one shard runs with. @internal */
export interface ShardOptions {
  readonly config: GatewayConfig
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
  readonly limiter: IdentifyLimiter.IdentifyLimiter
  /** Discord's identify limits, passed to the limiter; `undefined`: ask `GET /gateway/bot` when it is asked anyway, else 1. */
  readonly identifyLimits: IdentifyLimiter.IdentifyLimits | undefined
  readonly store: SessionStore.SessionStore
  /** Called once when the shard stops for good. */
  readonly onFatal: (error: GatewayError.GatewayFatalError) => Effect.Effect<void>
  /** The timer shared by the shards of this process (heartbeats, handshake deadlines). */
  readonly scheduler: Scheduler.Scheduler
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
  Scope.Scope | Requirements
> = Effect.gen(function*() {
  const config = yield* GatewayConfig
  const hub = yield* EventHub.fromConfig<GatewayEvent>(config)
  const limiter = yield* IdentifyLimiter.IdentifyLimiter
  const store = yield* SessionStore.SessionStore
  const shape = yield* makeShard({
    config,
    scheduler: yield* Scheduler.make,
    deliver: hub.deliver,
    subscribeWith: hub.subscribeWith,
    streamsEndOnFatal: true,
    startGate: Effect.void,
    limiter,
    identifyLimits: undefined,
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
 * The shard runs on one fiber: the loop below, which opens each connection and reads it
 * (`Connection.open(...).outcome`) itself. Heartbeats and deadlines are entries on the
 * process's scheduler, and a command writer runs only while commands wait.
 *
 * @internal
 */
export const makeShard = (options: ShardOptions): Effect.Effect<
  GatewayShape,
  never,
  Scope.Scope | Socket.WebSocketConstructor | HttpClient.HttpClient
> => Effect.gen(function*() {
  const { config, limiter, store } = options
  const shard = config.shard[0]
  const httpClient = yield* HttpClient.HttpClient
  // Discord's limits as last reported (a shard that asks `GET /gateway/bot` itself learns them there).
  let identifyLimits: IdentifyLimiter.IdentifyLimits = options.identifyLimits ?? { maxConcurrency: 1 }

  const status = Status.make("Disconnected")
  const fatal = yield* Deferred.make<never, GatewayError.GatewayFatalError>()
  const ready = yield* Deferred.make<void, GatewayError.GatewayFatalError>()
  // The shard stopped (shutdown or a fatal error): commands are refused.
  let closed = false
  const deliver = options.deliver
  const metricTags = [MetricLabel.make("shard", String(shard))]

  const session = yield* Session.make(store, config.shard)
  const outbox = Outbox.make(metricTags)
  const memberRequests = MemberRequests.make()

  const ctx: Connection.ConnectionContext = {
    shard,
    config,
    session,
    scheduler: options.scheduler,
    outbox,
    memberRequests,
    setStatus: status.set,
    deliver,
    onLive: Deferred.succeed(ready, undefined),
    decodeFailureLog: DecodeFailureLog.make(),
    metricTags,
    acquireIdentify: Effect.suspend(() => limiter.acquire(shard, identifyLimits))
  }

  const resolveGatewayUrl: Effect.Effect<string, GatewayError.GatewayFatalError> = Effect.suspend(() => {
    if (config.gatewayUrl !== undefined) return Effect.succeed(config.gatewayUrl)
    return GatewayBot.fetchOrFail(config.apiBaseUrl, config.token, shard).pipe(
      Effect.provideService(HttpClient.HttpClient, httpClient),
      Effect.map((bot) => {
        if (options.identifyLimits === undefined) identifyLimits = GatewayBot.identifyLimits(bot)
        return bot.url
      })
    )
  })

  const sessionLost = (reason: string) =>
    Effect.gen(function*() {
      const lost = session.lose()
      yield* session.save
      if (lost !== undefined) {
        Metrics.sessionsLost.unsafeUpdate(1, metricTags)
        yield* Effect.logWarning(`session ${lost.sessionId} lost after sequence ${lost.lastSequence}: ${reason}; identifying anew`)
        yield* deliver([{ type: "SESSION_LOST", shard, sessionId: lost.sessionId, lastSequence: lost.lastSequence, reason }])
      }
    })

  // Pausing closes the live connection resumably and holds the loop until `resume`.
  const running = yield* Effect.makeLatch(true)
  let paused = false
  let current: Connection.Connection | undefined

  // One connection, opened and read in this fiber; its scope (socket, reader, handshake) closes
  // when it ends. A defect in it is a failed attempt like any other. The attempt's spans end at
  // READY/RESUMED (in the connection), else here, with the scope's exit: the connection's outcome.
  const connect = (
    plan: Session.Plan,
    attempt: Tracing.Attempt
  ): Effect.Effect<Connection.Outcome, never, Socket.WebSocketConstructor> =>
    Effect.scoped(Effect.gen(function*() {
      yield* Effect.addFinalizer((exit) =>
        Effect.zipRight(
          Effect.sync(() => {
            current = undefined
            status.set("Disconnected")
          }),
          // The scope's exit is the connection's: its outcome, or how it failed.
          Tracing.failAttempt(attempt, exit as Exit.Exit<Connection.Outcome, unknown>)
        )
      )
      const connection = yield* Connection.open(ctx, plan, attempt)
      current = connection
      if (paused) connection.stop(4000)
      return yield* connection.outcome
    })).pipe(
      Effect.catchAllDefect((defect) =>
        Effect.as(
          Effect.logError("the connection failed with a defect; reconnecting", Cause.die(defect)),
          {
            end: new ConnectionEnded.SocketError({ shard, reason: "defect in the connection", cause: defect }),
            healthy: false,
            stopped: false
          }
        )
      )
    )

  // The reconnect schedule's state, from the first failed attempt until a healthy connection.
  let driver: Schedule.ScheduleDriver<unknown, unknown, never> | undefined
  let failures = 0

  // After a connection ended (not by `pause`): counts it, then resumes, identifies anew after
  // losing the session, waits per the reconnect schedule or op 9, or stops with a fatal error.
  // Runs in the `reconnect` span, which it returns for the next attempt to belong to.
  const afterConnection = (
    end: ConnectionEnded.ConnectionEnded,
    healthy: boolean,
    gatewayUrl: string,
    span: Tracer.Span
  ): Effect.Effect<Tracer.Span, GatewayError.GatewayFatalError> =>
    Effect.gen(function*() {
      yield* Effect.logInfo(end.message)
      Metrics.connectionsEnded.unsafeUpdate(1, [
        ...metricTags,
        MetricLabel.make("reason", end._tag),
        ...(end._tag === "ConnectionClosed" ? [MetricLabel.make("close_code", String(end.closeCode))] : [])
      ])
      let waitMillis = 0
      switch (end._tag) {
        case "ConnectionClosed": {
          const decision = CloseCodes.decide(shard, end.closeCode, end.reason)
          if (decision._tag === "Fatal") {
            span.attribute(Tracing.Attribute.decision, "fatal")
            return yield* Effect.fail(decision.error)
          }
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
      yield* session.save
      const waitStart = yield* Clock.currentTimeMillis
      // op 9 is an answer from a working gateway, with its own wait: not a failed attempt.
      if (healthy || waitMillis > 0) {
        failures = 0
        driver = undefined
      } else {
        failures++
        driver ??= yield* Schedule.driver(config.reconnectSchedule)
        const next = yield* Effect.either(driver.next(end))
        if (next._tag === "Left") {
          span.attribute(Tracing.Attribute.decision, "exhausted")
          return yield* new GatewayError.ReconnectExhausted({ shard, attempts: failures, lastReason: end.message })
        }
      }
      if (waitMillis > 0) yield* Effect.sleep(waitMillis)
      span.attribute(Tracing.Attribute.backoffMillis, (yield* Clock.currentTimeMillis) - waitStart)
      span.attribute(Tracing.Attribute.decision, session.plan(gatewayUrl).mode)
      return span
    })

  const loop = Effect.gen(function*() {
    yield* options.startGate
    const gatewayUrl = yield* resolveGatewayUrl
    // The connection before the next attempt (its span tells of it; none after a pause), and the
    // `reconnect` span the attempt belongs to; after a pause, a trace of its own.
    let previous: ConnectionEnded.ConnectionEnded | undefined
    let parent: Tracer.Span | undefined
    let root = false
    while (true) {
      yield* running.await
      const plan = session.plan(gatewayUrl)
      // The connection's lines also carry its session and mode. Set and restored rather than
      // `Effect.annotateLogs`, whose restoring frames would sit on this fiber's stack for as long
      // as the connection lives.
      const annotations = yield* FiberRef.get(FiberRef.currentLogAnnotations)
      yield* annotateFiber({ session: session.id() ?? "new", mode: plan.mode })
      const attempt = yield* Tracing.startAttempt({
        shard: config.shard,
        mode: plan.mode,
        url: plan.url,
        sessionId: plan.mode === "resume" ? session.id() : undefined,
        attempt: failures + 1,
        previousCloseCode: previous?._tag === "ConnectionClosed" ? previous.closeCode : undefined,
        previousReason: previous?._tag,
        parent,
        root
      })
      parent = undefined
      const { end, healthy, stopped } = yield* connect(plan, attempt)
      yield* FiberRef.set(FiberRef.currentLogAnnotations, annotations)
      if (stopped) {
        // Stopped by `pause`: wait for `resume`, then resume the session.
        yield* session.save
        previous = undefined
        root = true
        continue
      }
      // What happens between two connections, in a span (a root: see tracing.ts) that the next
      // attempt's span is a child of.
      parent = yield* Effect.useSpan(
        Tracing.SpanName.reconnect,
        Tracing.spanOptions({
          root: true,
          attributes: Tracing.reconnectAttributes(config.shard, failures + 1, healthy, end, session.id())
        }),
        (span) => Effect.withParentSpan(afterConnection(end, healthy, gatewayUrl, span), span)
      )
      previous = end
      root = false
    }
  })

  const supervisor = yield* Effect.forkScoped(Effect.zipRight(
    annotateFiber({ shard }),
    loop.pipe(
      Effect.tapError((error) => Effect.logError(error.message)),
      Effect.onError(() =>
        Effect.sync(() => {
          closed = true
        })
      ),
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
      if (!paused) current?.setCloseCode(1000)
      closed = true
      yield* Fiber.interrupt(supervisor)
      yield* paused ? session.save : session.clearStored
      yield* outbox.close
    })
  )

  const awaitFatal = Deferred.await(fatal)

  const subscribeTo = (replay: EventHub.Replay) =>
    options.streamsEndOnFatal
      ? options.subscribeWith(replay)
      : Effect.map(options.subscribeWith(replay), Stream.interruptWhen(awaitFatal))
  // `on` streams replay the snapshot (so `on("GUILD_CREATE")` started late still sees them) but
  // never take the events kept for the first `events` subscriber. Made at first use: it keeps
  // which missing intents it warned about.
  let on: GatewayShape["on"] | undefined

  const send = (command: Commands.GatewayCommand) =>
    Effect.gen(function*() {
      const frame = Encoding.encode(config.encoding, command)
      const bytes = Encoding.byteLength(frame)
      if (bytes > MaxPayloadBytes) {
        return yield* new GatewayError.PayloadTooLarge({ op: command.op, bytes, limit: MaxPayloadBytes })
      }
      if (yield* Deferred.isDone(fatal)) return yield* awaitFatal
      if (closed) return yield* new GatewayError.GatewayClosed({ shard })
      yield* Effect.raceFirst(
        outbox.send(frame).pipe(Effect.catchAllCause(() => new GatewayError.GatewayClosed({ shard }))),
        awaitFatal
      )
    })

  // The streams and effects are made when read (getters), not per shard up front: a shard
  // nobody reads from would otherwise keep a dozen built streams and effects.
  const shape: GatewayShape = {
    shard,
    get events() {
      return Stream.unwrapScoped(subscribeTo("all"))
    },
    get subscribe() {
      return subscribeTo("all")
    },
    subscribeWith: (options) => subscribeTo(options.replay ? "all" : "none"),
    get on() {
      return on ??= IntentCheck.makeOn(config.intents, subscribeTo("snapshot"))
    },
    status: status.subscribable,
    get ready() {
      return Deferred.await(ready)
    },
    get latency() {
      return Effect.sync(() => {
        const millis = current?.latencyMillis()
        return millis === undefined ? Option.none() : Option.some(Duration.millis(millis))
      })
    },
    get inboundBacklog() {
      return Effect.sync(() => current?.inboundBacklog() ?? 0)
    },
    get sessionId() {
      return Effect.sync(() => Option.fromNullable(session.id()))
    },
    get sequence() {
      return Effect.sync(() => {
        const sequence = session.sequence()
        return sequence === Session.NoSequence ? Option.none() : Option.some(sequence)
      })
    },
    send,
    updatePresence: (d) => send({ op: Op.PresenceUpdate, d }),
    updateVoiceState: (d) => send({ op: Op.VoiceStateUpdate, d }),
    requestSoundboardSounds: (d) => send({ op: Op.RequestSoundboardSounds, d }),
    requestGuildMembers: (request, options) =>
      memberRequests.request(
        request.guild_id,
        (nonce) => send({ op: Op.RequestGuildMembers, d: { ...request, nonce } }),
        options?.timeout ?? "30 seconds"
      ).pipe(
        Effect.withSpan(
          Tracing.SpanName.requestGuildMembers,
          Tracing.spanOptions({ kind: "client", attributes: Tracing.memberRequestAttributes(config.shard, request) })
        )
      ),
    get pause() {
      return Effect.suspend(() => {
        if (paused) return Effect.void
        paused = true
        return Effect.map(running.close, () => current?.stop(4000))
      })
    },
    get resume() {
      return Effect.suspend(() => {
        paused = false
        return running.open
      })
    },
    get awaitFatal() {
      return Deferred.await(fatal)
    }
  }

  return shape
})
