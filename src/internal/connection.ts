/**
 * One gateway connection, from opening the socket to its end: Hello, heartbeats,
 * Identify or Resume, then dispatches until Discord (or we) end it. Returns why
 * it ended; the gateway loop decides what comes next.
 *
 * The socket reader is a synchronous callback that handles heartbeat ACKs and
 * heartbeat requests the moment they arrive and queues everything else, so a
 * slow event pipeline never delays an ACK.
 *
 * @internal
 */
import * as Socket from "@effect/platform/Socket"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as MetricLabel from "effect/MetricLabel"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type { GatewayConfigShape } from "../GatewayConfig.js"
import * as GatewayError from "../GatewayError.js"
import * as Metrics from "../GatewayMetrics.js"
import type { GatewayEvent } from "../GatewayEvent.js"
import type * as DecodeFailureLog from "./decodeFailureLog.js"
import * as Dispatch from "./dispatch.js"
import * as Encoding from "./encoding.js"
import * as Etf from "./etf.js"
import * as Heartbeat from "./heartbeat.js"
import * as Inbox from "./inbox.js"
import * as Inflate from "./inflate.js"
import { GatewayVersion, Op } from "./protocol.js"
import * as RateLimit from "./rateLimit.js"
import * as WebSocket from "./webSocket.js"
import * as Zstd from "./zstd.js"

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

/** The session as the gateway tracks it across connections. @internal */
export interface SessionRuntime {
  sessionId: string | undefined
  resumeUrl: string | undefined
  /** The last sequence delivered to the event stream (`NoSequence` = none): what Resume sends. */
  sequence: number
  /** The last sequence received (`NoSequence` = none): what heartbeats send. */
  receivedSequence: number
}

/** A command waiting for the socket and the rate limit. @internal */
export interface PendingCommand {
  /** The command, encoded in the connection's encoding. */
  readonly frame: Encoding.Frame
  readonly done: Deferred.Deferred<void>
}

/** Commands outlive connections: one outbox per gateway. @internal */
export interface Outbox {
  readonly queue: Queue.Queue<PendingCommand>
  /** Taken from the queue, not yet written: the next connection sends it first. */
  inFlight: PendingCommand | undefined
  /** Set by the live connection: starts sending what the queue holds. */
  wake: (() => void) | undefined
}

/** What a connection needs from its gateway. @internal */
export interface ConnectionContext {
  readonly shard: number
  readonly config: GatewayConfigShape
  readonly session: SessionRuntime
  readonly status: SubscriptionRef.SubscriptionRef<Status>
  readonly outbox: Outbox
  /** Publishes a batch. The array is reused after this returns: copy what is kept. */
  readonly deliver: (events: ReadonlyArray<GatewayEvent>) => Effect.Effect<void>
  /** READY arrived with a new session. */
  readonly onReady: (sessionId: string, resumeUrl: string) => Effect.Effect<void>
  /** READY or RESUMED arrived: the session is live. */
  readonly onLive: Effect.Effect<void>
  /** GUILD_MEMBERS_CHUNK arrived (for request collectors). */
  readonly onMemberChunk: (raw: unknown, event: GatewayEvent) => void
  /** Heartbeat state of the live connection, for `latency`. */
  heartbeat: Heartbeat.HeartbeatState | undefined
  /** The close code used when this side closes the live connection. */
  closeCode: number
  /** Payloads read from the live connection and not yet published. */
  inboundBacklog: number
  /** Where this shard's decode failures are logged (short, and at most once a minute per kind). */
  readonly decodeFailureLog: DecodeFailureLog.DecodeFailureLog
  /** The tags of this shard's metric updates. */
  readonly metricTags: ReadonlyArray<MetricLabel.MetricLabel>
  /** Waits until this shard may identify (one Identify per concurrency bucket per 5 s). */
  readonly acquireIdentify: Effect.Effect<void>
}

/** How to open the next connection. @internal */
export interface Plan {
  readonly mode: "identify" | "resume"
  readonly url: string
}

/** Why a connection ended and whether it got as far as READY/RESUMED. @internal */
export interface Outcome {
  readonly end: GatewayError.ConnectionEnded
  readonly healthy: boolean
}

/** A parsed gateway payload, queued as it came (no copy): only `op` is known to be a number. */
interface Payload {
  readonly op: number
  readonly d?: unknown
  readonly s?: unknown
  readonly t?: unknown
}

/** A frame that was not a gateway payload, with why. */
class BadFrame {
  constructor(readonly reason: string) {}
}

/** The connection ended: the reader stops here. */
const End: unique symbol = Symbol("End")

/** The socket opened. */
const Opened: unique symbol = Symbol("Opened")

type Inbound = Payload | BadFrame | typeof End | typeof Opened

/** The URL with the version, encoding and compression query parameters. @internal */
export const connectUrl = (
  base: string,
  compression: GatewayConfigShape["compression"],
  encoding: GatewayConfigShape["encoding"] = "json"
): string => {
  const url = new URL(base)
  url.searchParams.set("v", String(GatewayVersion))
  url.searchParams.set("encoding", encoding)
  if (compression === "none") url.searchParams.delete("compress")
  else url.searchParams.set("compress", compression)
  return url.toString()
}

const decoder = new TextDecoder()

// Said once per process: every connection of every shard would say the same.
let warnedAboutFzstd = false

/**
 * No sequence seen yet. Discord numbers a session's first dispatch 1, but other servers speaking
 * the protocol start at 0 (Spacebar numbers READY 0), so "none" must be below every sequence.
 *
 * @internal
 */
export const NoSequence = -1

// A sequence a server could send: a non-negative safe integer. Anything else (1e400 parses to
// Infinity) would become the last sequence and make every later dispatch look replayed.
const isSequence = (s: unknown): s is number => typeof s === "number" && Number.isSafeInteger(s) && s >= 0

/**
 * Runs one connection to its end.
 *
 * @internal
 */
export const run = (
  ctx: ConnectionContext,
  plan: Plan
): Effect.Effect<Outcome, never, Socket.WebSocketConstructor> =>
  Effect.scoped(Effect.gen(function*() {
    const { config, session, shard } = ctx
    const tags = ctx.metricTags
    const clock = yield* Effect.clock
    const inbound = Inbox.make<Inbound>()
    const heartbeat = Heartbeat.makeState()
    ctx.heartbeat = heartbeat
    ctx.closeCode = 4000

    // The first end wins: later ones (the close event after our own close) add nothing.
    let ended: GatewayError.ConnectionEnded | undefined
    const endSignal = yield* Deferred.make<void>()
    const end = (reason: GatewayError.ConnectionEnded) => {
      if (ended === undefined) ended = reason
      inbound.push(End)
      Deferred.unsafeDone(endSignal, Exit.void)
    }

    let budget: RateLimit.SendBudget | undefined
    // The socket, for what the reader does synchronously: pause/resume and answering op 1.
    let raw: { pause?: unknown; resume?: unknown; send?: unknown; readyState?: unknown } | undefined
    // Heartbeats, Identify and Resume go straight to the open socket: no queue, no fiber.
    // A socket that is not open (closing, closed) takes nothing: the connection is ending,
    // and waiting for it to open would hang the loop.
    const openSocket = (): { readonly send: (data: Encoding.Frame) => void } | undefined =>
      typeof raw?.send === "function" && raw.readyState === 1
        ? raw as { send: (data: Encoding.Frame) => void }
        : undefined
    const sendNow = (frame: Encoding.Frame): void => {
      const socket = openSocket()
      if (socket === undefined) return
      socket.send(frame)
    }
    const heartbeatFrame = () =>
      Encoding.encode(config.encoding, {
        op: Op.Heartbeat,
        d: session.receivedSequence === NoSequence ? null : session.receivedSequence
      })
    // op 1: heartbeat now, from the reader itself (no fiber, no queue).
    const answerHeartbeatRequest = () => sendNow(heartbeatFrame())

    // A message that does not decode: from a decompressor, the shared context is off and every
    // later message (ACKs included) would decode wrong too, so the connection must be replaced;
    // an uncompressed frame is only ignored.
    const undecodable = (reason: string, decompressed: boolean) => {
      if (decompressed) end(new GatewayError.DecodeError({ shard, reason: `${config.compression}: ${reason}` }))
      else inbound.push(new BadFrame(reason))
    }
    const onText = (text: string, decompressed = false) => {
      let payload: unknown
      try {
        payload = JSON.parse(text)
      } catch {
        return undecodable(decompressed ? "a message decompressed to non-JSON" : "frame is not JSON", decompressed)
      }
      onPayload(payload)
    }
    const onEtf = (bytes: Uint8Array, decompressed = false) => {
      const decoded = Etf.decode(bytes, { maxBytes: config.maxMessageBytes })
      if (decoded._tag === "Left") return undecodable(`frame is not ETF: ${decoded.left.reason}`, decompressed)
      onPayload(decoded.right)
    }
    const onPayload = (payload: unknown) => {
      if (typeof payload !== "object" || payload === null || typeof (payload as { op?: unknown }).op !== "number") {
        inbound.push(new BadFrame("frame is not a gateway payload (no numeric op)"))
        return
      }
      const { op, s } = payload as Payload
      if (op === Op.HeartbeatAck) {
        Heartbeat.ack(heartbeat, clock.unsafeCurrentTimeMillis())
        if (heartbeat.latencyMillis !== undefined) Metrics.heartbeatLatency.unsafeUpdate(heartbeat.latencyMillis, tags)
        return
      }
      if (op === Op.Heartbeat) {
        answerHeartbeatRequest()
        return
      }
      if (op === Op.Dispatch && isSequence(s) && s > session.receivedSequence) {
        session.receivedSequence = s
      }
      inbound.push(payload as Payload)
      ctx.inboundBacklog = ++backlog
      if (backlog >= config.inboundBufferCapacity) pauseReading()
    }

    // One decompression context per connection; a message is decompressed in the socket callback.
    const decompressorOptions = {
      ...(config.encoding === "etf"
        ? { onBytes: (bytes: Uint8Array) => onEtf(bytes, true) }
        : { onMessage: (text: string) => onText(text, true) }),
      onError: (reason: string) => end(new GatewayError.DecodeError({ shard, reason: `${config.compression}: ${reason}` })),
      maxMessageBytes: config.maxMessageBytes
    }
    const inflater = config.compression === "zlib-stream"
      ? Inflate.make(decompressorOptions)
      : config.compression === "zstd-stream"
      ? Zstd.make(decompressorOptions)
      : undefined
    if (inflater) yield* Effect.addFinalizer(() => Effect.sync(() => inflater.close()))
    if (inflater?.mode === "fzstd" && !warnedAboutFzstd) {
      warnedAboutFzstd = true
      yield* Effect.logWarning(
        "zstd-stream: this Node has no zstd in node:zlib (Node 22.15 and later do), so the pure-JS fzstd decompresses, at 40-190 µs of CPU per message against 3-10 µs natively; zlib-stream costs 2-3 µs here"
      )
    }

    const onFrame = (data: string | Uint8Array): void => {
      if (ended !== undefined) return
      if (inflater !== undefined) {
        if (typeof data === "string") {
          inbound.push(new BadFrame(`text frame on a ${config.compression} connection`))
          return
        }
        inflater.push(data)
        return
      }
      // A UTF-16 length is at most the UTF-8 byte length: over the bound either way.
      const size = typeof data === "string" ? data.length : data.byteLength
      if (size > config.maxMessageBytes) {
        end(
          new GatewayError.DecodeError({
            shard,
            reason: `a message of ${size} bytes exceeds maxMessageBytes (${config.maxMessageBytes})`
          })
        )
        return
      }
      if (config.encoding === "etf") {
        if (typeof data === "string") inbound.push(new BadFrame("text frame on an ETF connection"))
        else onEtf(data)
        return
      }
      onText(typeof data === "string" ? data : decoder.decode(data))
    }

    // Back-pressure: when `inboundBufferCapacity` payloads wait unpublished, stop reading
    // the socket (if it can pause, as `ws` does) until half of them are published.
    let backlog = 0
    let readPaused = false
    let pauses = 0
    const canPause = () => typeof raw?.pause === "function" && typeof raw.resume === "function"
    const pauseReading = () => {
      if (readPaused || !canPause()) return
      readPaused = true
      pauses++
      Metrics.readPauses.unsafeUpdate(1, tags)
      Heartbeat.setReadPaused(heartbeat, true)
      ;(raw as { pause: () => void }).pause()
    }
    const resumeReading = () => {
      if (!readPaused) return
      readPaused = false
      Heartbeat.setReadPaused(heartbeat, false)
      ;(raw as { resume: () => void }).resume()
    }

    yield* SubscriptionRef.set(ctx.status, "Connecting")
    // The open callback and the Hello handler race: whichever runs first moves on from Connecting.
    let opened = false
    const waitingForHello = Effect.suspend(() => {
      if (opened) return Effect.void
      opened = true
      return SubscriptionRef.set(ctx.status, "WaitingForHello")
    })
    const url = connectUrl(plan.url, config.compression, config.encoding)
    // The socket's events go straight to the reader's callbacks (see webSocket.ts); its open
    // reaches the loop through the inbox, as everything else does.
    const opening = yield* Effect.acquireRelease(
      Effect.flatMap(Socket.WebSocketConstructor, (construct) =>
        Effect.try({
          try: () => {
            const ws = construct(url)
            raw = ws as unknown as typeof raw
            WebSocket.attach(ws, {
              onOpen: () => inbound.push(Opened),
              onFrame,
              onClose: (closeCode, reason) => end(new GatewayError.ConnectionClosed({ shard, closeCode, reason })),
              onError: (reason, cause) => end(new GatewayError.SocketError({ shard, reason, cause }))
            })
            return ws
          },
          catch: (defect) => defect
        })),
      // Any code but 1000/1001 keeps the session resumable; shutdown sets 1000.
      (ws) => Effect.sync(() => ws.close(ctx.closeCode))
    ).pipe(Effect.either)
    if (opening._tag === "Left") {
      // A throwing WebSocket constructor ends this connection at once, with its cause logged,
      // instead of leaving it to the Hello timeout.
      const defect = opening.left
      yield* Effect.logError("the socket failed with a defect", Cause.die(defect))
      end(new GatewayError.SocketError({ shard, reason: `defect: ${String(defect)}`, cause: defect }))
    }
    // Commands go out only while the connection is live; a socket that is not open takes nothing.
    const write = (frame: Encoding.Frame) =>
      Effect.suspend(() => {
        const socket = openSocket()
        if (socket === undefined) {
          return Effect.fail(new GatewayError.SocketError({ shard, reason: "write failed: the socket is not open", cause: undefined }))
        }
        socket.send(frame)
        return Effect.void
      })

    const sendPriority = (payload: unknown) => Effect.sync(() => sendNow(Encoding.encode(config.encoding, payload)))
    const sendHeartbeat = Effect.sync(() => sendNow(heartbeatFrame()))

    // Commands: a fiber runs only while the outbox holds something, so an idle shard keeps none.
    // It is started by `send` (through `outbox.wake`) or when the connection becomes live, and
    // interrupted when the connection ends.
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    // The running drain, if any; its fiber is known once `runFork` has returned.
    let sender: { fiber: Fiber.RuntimeFiber<void> | undefined } | undefined
    let closing = false
    const outboxWaiting = () =>
      ctx.outbox.inFlight !== undefined || Option.getOrElse(ctx.outbox.queue.unsafeSize(), () => 0) > 0
    const drainOutbox = (limit: RateLimit.SendBudget) =>
      Effect.gen(function*() {
        while (true) {
          let command = ctx.outbox.inFlight
          if (command === undefined) {
            const next = yield* Queue.poll(ctx.outbox.queue)
            if (Option.isNone(next)) return
            command = next.value
          }
          ctx.outbox.inFlight = command
          let wait = limit.waitMillis(clock.unsafeCurrentTimeMillis())
          while (wait > 0) {
            yield* Effect.sleep(wait)
            wait = limit.waitMillis(clock.unsafeCurrentTimeMillis())
          }
          limit.recordCommand(clock.unsafeCurrentTimeMillis())
          yield* write(command.frame)
          Metrics.commandsSent.unsafeUpdate(1, tags)
          ctx.outbox.inFlight = undefined
          yield* Deferred.succeed(command.done, undefined)
        }
      })
    // `runFork` runs the fiber synchronously until it first suspends, so a drain with nothing to
    // wait for (every write is synchronous) can end, and a next one start, before `runFork`
    // returns: the record, not the returned fiber, says which drain is current.
    const startSender = (): void => {
      if (sender !== undefined || closing || !healthy || budget === undefined || !outboxWaiting()) return
      const current: { fiber: Fiber.RuntimeFiber<void> | undefined } = { fiber: undefined }
      sender = current
      current.fiber = runFork(drainOutbox(budget).pipe(
        // The socket failed: this connection is ending, and the command in flight goes first on the next.
        Effect.catchAll(() =>
          Effect.sync(() => {
            closing = true
          })
        ),
        Effect.ensuring(Effect.sync(() => {
          if (sender === current) sender = undefined
          // A command queued while the drain was ending.
          startSender()
        }))
      ))
    }
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        closing = true
        if (ctx.outbox.wake === startSender) ctx.outbox.wake = undefined
        return sender?.fiber === undefined ? Effect.void : Fiber.interrupt(sender.fiber)
      })
    )

    const timer = (duration: Duration.Duration, waitingFor: "Hello" | "Ready") =>
      Effect.forkScoped(
        Effect.sleep(duration).pipe(
          Effect.andThen(() =>
            end(
              new GatewayError.HandshakeTimeout({ shard, waitingFor, timeoutMillis: Duration.toMillis(duration) })
            )
          )
        )
      )

    // Dropped once stopped: a live connection would otherwise keep the dead fiber for its whole life.
    let handshakeTimer: Fiber.RuntimeFiber<void> | undefined = yield* timer(config.helloTimeout, "Hello")
    const stopHandshakeTimer = Effect.suspend(() => {
      const fiber = handshakeTimer
      handshakeTimer = undefined
      return fiber === undefined ? Effect.void : Fiber.interrupt(fiber)
    })
    let helloSeen = false
    let healthy = false

    const identifyPayload = () => ({
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
    const resumePayload = () => ({
      op: Op.Resume,
      d: { token: Redacted.value(config.token), session_id: session.sessionId, seq: session.sequence }
    })

    const becomeReady = Effect.gen(function*() {
      healthy = true
      yield* stopHandshakeTimer
      yield* SubscriptionRef.set(ctx.status, "Ready")
      yield* ctx.onLive
      ctx.outbox.wake = startSender
      startSender()
    })

    // One array for the connection's life, emptied per batch (deliver copies what it keeps): a
    // new literal per batch could be pretenured by V8 (see dispatch.ts).
    const events: Array<GatewayEvent> = []
    while (true) {
      const batch = yield* inbound.takeBatch(512)
      for (const item of batch) if (item !== End && item !== Opened && !(item instanceof BadFrame)) backlog--
      ctx.inboundBacklog = backlog
      for (const item of batch) {
        if (item === End) {
          if (events.length > 0) Metrics.eventsReceived.unsafeUpdate(events.length, tags)
          yield* ctx.deliver(events)
          return { end: ended!, healthy }
        }
        if (item === Opened) {
          yield* waitingForHello
          continue
        }
        if (item instanceof BadFrame) {
          Metrics.badFrames.unsafeUpdate(1, tags)
          yield* Effect.logWarning(`ignored an inbound frame: ${item.reason}`)
          continue
        }
        switch (item.op) {
          case Op.Hello: {
            if (helloSeen) break
            const interval = (item.d as { heartbeat_interval?: unknown } | null)?.heartbeat_interval
            if (typeof interval !== "number" || !(interval > 0)) {
              yield* Effect.logWarning("ignored a Hello without a valid heartbeat_interval")
              break
            }
            helloSeen = true
            yield* waitingForHello
            yield* stopHandshakeTimer
            budget = RateLimit.make({ reserve: RateLimit.reserveFor(interval) })
            yield* Effect.forkScoped(
              Heartbeat.run({ shard, intervalMillis: interval, state: heartbeat, send: sendHeartbeat }).pipe(
                Effect.catchAll((zombie) => Effect.sync(() => end(zombie)))
              )
            )
            if (plan.mode === "resume" && session.sessionId !== undefined) {
              yield* SubscriptionRef.set(ctx.status, "Resuming")
              yield* sendPriority(resumePayload())
            } else {
              yield* SubscriptionRef.set(ctx.status, "Identifying")
              // The wait for the bucket ends early when the connection does.
              const mayIdentify = yield* Effect.raceFirst(
                Effect.as(ctx.acquireIdentify, true),
                Effect.as(Deferred.await(endSignal), false)
              )
              if (!mayIdentify) break
              yield* sendPriority(identifyPayload())
            }
            yield* SubscriptionRef.set(ctx.status, "WaitingForReady")
            handshakeTimer = yield* timer(config.readyTimeout, "Ready")
            break
          }
          case Op.Dispatch: {
            const { d, s, t } = item
            if (typeof t !== "string" || !isSequence(s)) {
              Metrics.badFrames.unsafeUpdate(1, tags)
              yield* Effect.logWarning("ignored a dispatch without a name or a valid sequence")
              break
            }
            if (s <= session.sequence) {
              // A replayed event that was already delivered, or a sequence going backwards.
              yield* Effect.logDebug(`dropped ${t} with sequence ${s}: already at ${session.sequence}`)
              break
            }
            let newSession = false
            if (t === "READY") {
              // Read from the raw data: a READY that fails its Schema must still start the session.
              const ready = d as { session_id?: unknown; resume_gateway_url?: unknown } | null
              if (typeof ready?.session_id === "string") {
                session.sessionId = ready.session_id
                session.resumeUrl = typeof ready.resume_gateway_url === "string"
                  ? ready.resume_gateway_url
                  : plan.url
                newSession = true
              }
            } else if (session.sequence !== NoSequence && s > session.sequence + 1) {
              yield* Effect.logWarning(`sequence jumped from ${session.sequence} to ${s} (${t})`)
            }
            session.sequence = s
            const event: GatewayEvent = config.decode === "full"
              ? Dispatch.toEvent(t, shard, s, d)
              : Dispatch.unknownEvent(t, shard, s, d)
            if (event.type === "DECODE_FAILURE") {
              Metrics.decodeFailures.unsafeUpdate(1, tags)
              yield* ctx.decodeFailureLog.report(event, clock.unsafeCurrentTimeMillis())
            }
            if (t === "GUILD_MEMBERS_CHUNK") ctx.onMemberChunk(d, event)
            events.push(event)
            if (newSession) yield* ctx.onReady(session.sessionId!, session.resumeUrl!)
            if (t === "READY" || t === "RESUMED") yield* becomeReady
            break
          }
          case Op.Reconnect: {
            end(new GatewayError.ReconnectRequest({ shard }))
            break
          }
          case Op.InvalidSession: {
            end(new GatewayError.SessionInvalidated({ shard, resumable: item.d === true }))
            break
          }
          default: {
            yield* Effect.logDebug(`ignored opcode ${item.op}`)
          }
        }
      }
      if (events.length > 0) Metrics.eventsReceived.unsafeUpdate(events.length, tags)
      yield* ctx.deliver(events)
      // An idle connection waits here for long: hold none of the payloads it has delivered.
      events.length = 0
      batch.length = 0
      if (readPaused && backlog <= config.inboundBufferCapacity / 2) {
        if (pauses === 1) {
          yield* Effect.logWarning(
            `subscribers fell behind: reading paused at ${config.inboundBufferCapacity} unpublished payloads until half were published (logged once per connection; nothing is dropped)`
          )
        }
        resumeReading()
      }
    }
  })).pipe(
    Effect.ensuring(Effect.suspend(() => {
      ctx.heartbeat = undefined
      ctx.inboundBacklog = 0
      return SubscriptionRef.set(ctx.status, "Disconnected")
    }))
  )
