/**
 * The handshake of one connection (events/gateway.mdx, "Connection Lifecycle"): wait for Hello
 * (op 10) within `helloTimeout`; on Hello start the heartbeats and send Resume (op 6) when there is
 * a session to resume, else wait for the shard's identify bucket and send Identify (op 2); then
 * wait for READY or RESUMED within `readyTimeout`. The deadlines are entries on the process's
 * scheduler, not fibers. From Hello on, the attempt has an Identify or Resume span (tracing.ts),
 * which the connection ends.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import type { GatewayConfig } from "../GatewayConfig.js"
import * as GatewayError from "../GatewayError.js"
import type * as Encoding from "./encoding.js"
import * as ConnectionEnded from "./connectionEnded.js"
import * as Heartbeat from "./heartbeat.js"
import { Op } from "./protocol.js"
import * as RateLimit from "./rateLimit.js"
import type * as Scheduler from "./scheduler.js"
import type * as Session from "./session.js"
import * as Tracing from "./tracing.js"

/**
 * The connection state machine's states.
 *
 * @internal
 */
export type Status =
  | "Connecting"
  | "WaitingForHello"
  | "Identifying"
  | "Resuming"
  | "WaitingForReady"
  | "Ready"
  | "Disconnected"

/** @internal */
export interface Handshake {
  /** Hello arrived: heartbeats start, then Resume or (once the bucket allows) Identify. */
  readonly onHello: (data: unknown) => Effect.Effect<void>
  /** READY or RESUMED arrived: the Ready deadline is off. */
  readonly complete: () => void
  /** The send budget for commands, from Hello's heartbeat interval (none before Hello). */
  readonly budget: () => RateLimit.SendBudget | undefined
  /** The connection ended: heartbeats and deadlines stop. */
  readonly stop: () => void
}

/** @internal */
export const make = (options: {
  readonly shard: number
  readonly config: GatewayConfig
  readonly plan: Session.Plan
  readonly session: Session.Session
  readonly scheduler: Scheduler.Scheduler
  readonly heartbeat: Heartbeat.HeartbeatState
  readonly setStatus: (status: Status) => void
  /** Writes a frame now if the socket is open (heartbeats, Identify and Resume skip the outbox). */
  readonly sendNow: (frame: Encoding.Frame) => void
  readonly encode: (payload: unknown) => Encoding.Frame
  /** Waits until this shard may identify (one Identify per concurrency bucket per 5 s). */
  readonly acquireIdentify: Effect.Effect<void>
  /** The attempt's spans: Hello starts its Identify or Resume span. */
  readonly attempt: Tracing.Attempt
  /** Waits for the connection's end (the wait for the bucket ends with it). */
  readonly awaitEnd: Effect.Effect<void>
  readonly end: (reason: ConnectionEnded.ConnectionEnded) => void
}): Handshake => {
  const { config, scheduler, session, shard } = options
  let helloSeen = false
  let budget: RateLimit.SendBudget | undefined
  let heartbeats: Scheduler.Entry | undefined

  const deadline = (timeout: Duration.Duration, waitingFor: "Hello" | "Ready") => {
    const millis = Duration.toMillis(timeout)
    return scheduler.at(scheduler.now() + millis, () => {
      options.end(new ConnectionEnded.HandshakeTimeout({ shard, waitingFor, timeoutMillis: millis }))
      return undefined
    })
  }
  let timer: Scheduler.Entry | undefined = deadline(config.helloTimeout, "Hello")
  const stopTimer = () => {
    if (timer !== undefined) scheduler.cancel(timer)
    timer = undefined
  }

  const identify = () =>
    options.encode({
      op: Op.Identify,
      d: {
        token: Redacted.value(config.token),
        properties: config.properties,
        compress: false,
        large_threshold: config.largeThreshold,
        shard: config.shard,
        ...(config.presence ? { presence: config.presence } : {}),
        intents: config.intents
      }
    })
  const resume = () =>
    options.encode({
      op: Op.Resume,
      d: { token: Redacted.value(config.token), session_id: session.id(), seq: session.sequence() }
    })

  const onHello = (data: unknown) =>
    Effect.gen(function*() {
      if (helloSeen) return
      const interval = (data as { heartbeat_interval?: unknown } | null)?.heartbeat_interval
      if (typeof interval !== "number" || !(interval > 0)) {
        return yield* Effect.logWarning("ignored a Hello without a valid heartbeat_interval")
      }
      helloSeen = true
      stopTimer()
      budget = RateLimit.make({ reserve: RateLimit.reserveFor(interval) })
      heartbeats = Heartbeat.start({
        scheduler,
        shard,
        intervalMillis: interval,
        jitter: yield* Random.next,
        state: options.heartbeat,
        send: (beat) => {
          session.beat(beat)
          options.sendNow(Heartbeat.frame(config.encoding, session.heartbeatSequence()))
        },
        onZombie: options.end
      })
      const attributes: Record<string, unknown> = {
        [Tracing.Attribute.shardId]: shard,
        [Tracing.Attribute.shardCount]: config.shard[1],
        [Tracing.Attribute.heartbeatInterval]: interval
      }
      const { attempt } = options
      const sessionId = session.id()
      if (options.plan.mode === "resume" && sessionId !== undefined) {
        attributes[Tracing.Attribute.sessionId] = sessionId
        attributes[Tracing.Attribute.sequence] = session.sequence()
        yield* Tracing.startStep(attempt, "resume", attributes)
        options.setStatus("Resuming")
        options.sendNow(resume())
      } else {
        yield* Tracing.startStep(attempt, "identify", attributes)
        options.setStatus("Identifying")
        // The wait for the bucket ends early when the connection does. A limiter that traces
        // its work does it in the Identify span.
        const waitStart = scheduler.now()
        const acquire = attempt.step === undefined
          ? options.acquireIdentify
          : Effect.withParentSpan(options.acquireIdentify, attempt.step)
        const mayIdentify = yield* Effect.raceFirst(Effect.as(acquire, true), Effect.as(options.awaitEnd, false))
        attempt.step?.attribute(Tracing.Attribute.identifyWait, scheduler.now() - waitStart)
        if (!mayIdentify) return
        options.sendNow(identify())
      }
      options.setStatus("WaitingForReady")
      timer = deadline(config.readyTimeout, "Ready")
    })

  return {
    onHello,
    complete: stopTimer,
    budget: () => budget,
    stop: () => {
      stopTimer()
      if (heartbeats !== undefined) scheduler.cancel(heartbeats)
      heartbeats = undefined
    }
  }
}
