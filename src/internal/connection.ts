/**
 * One gateway connection, from opening the socket to its end. `open` returns a handle; its
 * `outcome` reads the connection in the calling fiber (the shard's own: a connection has no fiber
 * of its own) and says why it ended, and the shard loop decides what comes next.
 *
 * The path of a dispatch:
 * 1. `frameReader.ts`, in the socket's message callback: decompress, parse, record ACKs and answer
 *    heartbeat requests, note the sequence, push the payload into the inbox.
 * 2. Here, in the shard's fiber: take what the inbox holds (`Inbox.takeBatch`) and hand each
 *    payload to its step: Hello to `handshake.ts`, dispatches to `dispatchStep.ts`, op 7 / op 9
 *    end the connection.
 * 3. The batch of events goes to the shard's `deliver` (the event hub, `eventHub.ts`), which the
 *    users' streams read.
 *
 * Heartbeats and the handshake deadlines run on the process's scheduler (`scheduler.ts`);
 * commands go out through the shard's outbox (`outbox.ts`) once the connection is live.
 *
 * @internal
 */
import * as Socket from "@effect/platform/Socket"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as MetricLabel from "effect/MetricLabel"
import * as Scope from "effect/Scope"
import type { GatewayConfig } from "../GatewayConfig.js"
import * as GatewayError from "../GatewayError.js"
import * as Metrics from "../GatewayMetrics.js"
import type { GatewayEvent } from "../GatewayEvent.js"
import type * as DecodeFailureLog from "./decodeFailureLog.js"
import * as ConnectionEnded from "./connectionEnded.js"
import * as DispatchStep from "./dispatchStep.js"
import * as Encoding from "./encoding.js"
import * as FrameReader from "./frameReader.js"
import * as Handshake from "./handshake.js"
import * as Heartbeat from "./heartbeat.js"
import * as Inbox from "./inbox.js"
import type * as MemberRequests from "./memberRequests.js"
import type * as Outbox from "./outbox.js"
import { GatewayVersion, Op } from "./protocol.js"
import type * as Scheduler from "./scheduler.js"
import type * as Session from "./session.js"
import * as Tracing from "./tracing.js"
import * as WebSocket from "./webSocket.js"

/** @internal */
export type Status = Handshake.Status

/** What a connection uses of its shard. Nothing here is written by the connection. @internal */
export interface ConnectionContext {
  readonly shard: number
  readonly config: GatewayConfig
  readonly session: Session.Session
  readonly scheduler: Scheduler.Scheduler
  readonly outbox: Outbox.Outbox
  readonly memberRequests: MemberRequests.MemberRequests
  readonly setStatus: (status: Status) => void
  /** Publishes a batch. The array is reused after this returns: copy what is kept. */
  readonly deliver: (events: ReadonlyArray<GatewayEvent>) => Effect.Effect<void>
  /** READY or RESUMED arrived: the session is live. */
  readonly onLive: Effect.Effect<void>
  /** Where this shard's decode failures are logged (short, and at most once a minute per kind). */
  readonly decodeFailureLog: DecodeFailureLog.DecodeFailureLog
  /** The tags of this shard's metric updates. */
  readonly metricTags: ReadonlyArray<MetricLabel.MetricLabel>
  /** Waits until this shard may identify (one Identify per concurrency bucket per 5 s). */
  readonly acquireIdentify: Effect.Effect<void>
}

/** Why a connection ended and whether it got as far as READY/RESUMED. @internal */
export interface Outcome {
  readonly end: ConnectionEnded.ConnectionEnded
  readonly healthy: boolean
  /** Ended by `stop` (pause or shutdown), not by Discord or the network. */
  readonly stopped: boolean
}

/** A connection, as its shard sees it. @internal */
export interface Connection {
  /** Reads the connection in the calling fiber until it ends. */
  readonly outcome: Effect.Effect<Outcome>
  /** The last heartbeat's round trip. */
  readonly latencyMillis: () => number | undefined
  /** Payloads read and not yet published. */
  readonly inboundBacklog: () => number
  /** Ends the connection from this side; the socket closes with `closeCode`. */
  readonly stop: (closeCode: number) => void
  /** The code the socket closes with if the connection's scope closes first (default 4000: resumable). */
  readonly setCloseCode: (closeCode: number) => void
}

/** The URL with the version, encoding and compression query parameters. @internal */
export const connectUrl = (
  base: string,
  compression: GatewayConfig["compression"],
  encoding: GatewayConfig["encoding"] = "json"
): string => {
  const url = new URL(base)
  url.searchParams.set("v", String(GatewayVersion))
  url.searchParams.set("encoding", encoding)
  if (compression === "none") url.searchParams.delete("compress")
  else url.searchParams.set("compress", compression)
  return url.toString()
}

// Said once per process: every connection of every shard would say the same.
let warnedAboutFzstd = false

/**
 * Opens a connection in the current scope (closing the scope closes the socket). `attempt` holds
 * the attempt's spans: the handshake starts its Identify or Resume span, and READY/RESUMED ends
 * them; an attempt that ends before is the caller's to end (tracing.ts `failAttempt`).
 *
 * @internal
 */
export const open = (
  ctx: ConnectionContext,
  plan: Session.Plan,
  attempt: Tracing.Attempt
): Effect.Effect<Connection, never, Scope.Scope | Socket.WebSocketConstructor> =>
  Effect.gen(function*() {
    const { config, session, shard } = ctx
    const tags = ctx.metricTags
    const clock = yield* Effect.clock
    const scope = yield* Effect.scope
    const inbox = Inbox.make<FrameReader.Inbound>()
    const heartbeat = Heartbeat.makeState()
    let closeCode = 4000

    // The first end wins: later ones (the close event after our own close) add nothing.
    let ended: ConnectionEnded.ConnectionEnded | undefined
    let stopped = false
    // Who waits for the end (the wait for an identify bucket): a Deferred would do, at a few
    // hundred bytes more per connection.
    let onEnd: (() => void) | undefined
    const end = (reason: ConnectionEnded.ConnectionEnded) => {
      if (ended !== undefined) return
      ended = reason
      inbox.push(FrameReader.End)
      onEnd?.()
    }

    // The socket, once constructed (`ws` adds `pause`/`resume`, which back-pressure uses). A socket
    // that is not open (closing, closed) takes nothing: the connection is ending, and waiting for
    // it to open would hang.
    let socket: (globalThis.WebSocket & { readonly pause?: unknown; readonly resume?: unknown }) | undefined
    const sendNow = (frame: Encoding.Frame): boolean => {
      if (socket === undefined || socket.readyState !== 1) return false
      socket.send(frame)
      return true
    }
    const reader = FrameReader.make({
      shard,
      config,
      session,
      heartbeat,
      inbox,
      socket: {
        sendNow,
        pause: () => {
          if (typeof socket?.pause !== "function" || typeof socket.resume !== "function") return false
          ;(socket as { pause: () => void }).pause()
          return true
        },
        resume: () => (socket as { resume: () => void }).resume()
      },
      now: () => clock.unsafeCurrentTimeMillis(),
      metricTags: tags,
      ended: () => ended !== undefined,
      end
    })
    if (reader.zstdMode === "fzstd" && !warnedAboutFzstd) {
      warnedAboutFzstd = true
      yield* Effect.logWarning(
        "zstd-stream: this Node has no zstd in node:zlib (Node 22.15 and later do), so the pure-JS fzstd decompresses, at 40-190 µs of CPU per message against 3-10 µs natively; zlib-stream costs 2-3 µs here"
      )
    }

    const handshake = Handshake.make({
      shard,
      config,
      plan,
      session,
      scheduler: ctx.scheduler,
      heartbeat,
      setStatus: ctx.setStatus,
      sendNow,
      encode: (payload) => Encoding.encode(config.encoding, payload),
      acquireIdentify: ctx.acquireIdentify,
      attempt,
      awaitEnd: Effect.async<void>((resume) => {
        if (ended !== undefined) return resume(Effect.void)
        onEnd = () => resume(Effect.void)
        return Effect.sync(() => {
          onEnd = undefined
        })
      }),
      end
    })

    ctx.setStatus("Connecting")
    // The open callback and the Hello handler race: whichever runs first moves on from Connecting.
    let opened = false
    const waitingForHello = () => {
      if (opened) return
      opened = true
      ctx.setStatus("WaitingForHello")
    }
    // The socket's events go straight to the reader's callbacks (see webSocket.ts); its open
    // reaches the fiber through the inbox, as everything else does. One finalizer ends it all:
    // the command writer is stopped (by its own finalizer, which runs first), then the heartbeats,
    // the deadlines and the decompressor, and the socket closes; any code but 1000/1001 keeps
    // the session resumable (shutdown sets 1000).
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        ctx.outbox.detach()
        handshake.stop()
        reader.close()
        socket?.close(closeCode)
      })
    )
    const url = connectUrl(plan.url, config.compression, config.encoding)
    const construct = yield* Socket.WebSocketConstructor
    try {
      const ws = construct(url)
      socket = ws
      WebSocket.attach(ws, {
        onOpen: () => inbox.push(FrameReader.Opened),
        onFrame: reader.onFrame,
        onClose: (code, reason) => end(new ConnectionEnded.ConnectionClosed({ shard, closeCode: code, reason })),
        onError: (reason, cause) => end(new ConnectionEnded.SocketError({ shard, reason, cause }))
      })
    } catch (defect) {
      // A throwing WebSocket constructor ends this connection at once, with its cause logged,
      // instead of leaving it to the Hello timeout.
      yield* Effect.logError("the socket failed with a defect", Cause.die(defect))
      end(new ConnectionEnded.SocketError({ shard, reason: `defect: ${String(defect)}`, cause: defect }))
    }

    let healthy = false
    const becomeLive = Effect.gen(function*() {
      healthy = true
      handshake.complete()
      yield* Tracing.live(attempt, session.id())
      ctx.setStatus("Ready")
      yield* ctx.onLive
      const budget = handshake.budget()
      if (budget !== undefined) yield* ctx.outbox.attach({ write: sendNow, budget }, scope)
    })

    const dispatchContext: DispatchStep.Context = {
      shard,
      decode: config.decode,
      session,
      memberRequests: ctx.memberRequests,
      connectedUrl: plan.url
    }

    // One array for the connection's life, emptied per batch (deliver copies what it keeps): a
    // new literal per batch could be pretenured by V8 (see dispatch.ts).
    const events: Array<GatewayEvent> = []
    const publish = Effect.suspend(() => {
      if (events.length > 0) Metrics.eventsReceived.unsafeUpdate(events.length, tags)
      return ctx.deliver(events)
    })

    const outcome: Effect.Effect<Outcome> = Effect.gen(function*() {
      while (true) {
        const batch = yield* inbox.takeBatch(512)
        let payloads = 0
        for (let item of batch) {
          if (typeof item === "string") {
            // A long frame, queued as text (and counted in the backlog): parsed now.
            payloads++
            const parsed = reader.parse(item)
            if (parsed === undefined) continue
            if (parsed instanceof FrameReader.BadFrame) {
              Metrics.badFrames.unsafeUpdate(1, tags)
              yield* Effect.logWarning(`ignored an inbound frame: ${parsed.reason}`)
              continue
            }
            item = parsed
          } else if (typeof item === "object" && !(item instanceof FrameReader.BadFrame)) {
            payloads++
          }
          if (item === FrameReader.End) {
            yield* publish
            return { end: ended!, healthy, stopped }
          }
          if (item === FrameReader.Opened) {
            waitingForHello()
            continue
          }
          if (item instanceof FrameReader.BadFrame) {
            Metrics.badFrames.unsafeUpdate(1, tags)
            yield* Effect.logWarning(`ignored an inbound frame: ${item.reason}`)
            continue
          }
          switch (item.op) {
            case Op.Dispatch: {
              let event = DispatchStep.step(dispatchContext, item)
              if (event instanceof DispatchStep.Notice) {
                if (event.badFrame) Metrics.badFrames.unsafeUpdate(1, tags)
                yield* event.level === "Debug" ? Effect.logDebug(event.message) : Effect.logWarning(event.message)
                if (event.event === undefined) break
                event = event.event
              }
              if (event.type === "DECODE_FAILURE") {
                Metrics.decodeFailures.unsafeUpdate(1, tags)
                yield* ctx.decodeFailureLog.report(event, clock.unsafeCurrentTimeMillis())
              }
              events.push(event)
              if (item.t === "READY") yield* session.save
              if (item.t === "READY" || item.t === "RESUMED") yield* becomeLive
              break
            }
            case Op.Hello: {
              waitingForHello()
              yield* handshake.onHello(item.d)
              break
            }
            case Op.Reconnect: {
              end(new ConnectionEnded.ReconnectRequest({ shard }))
              break
            }
            case Op.InvalidSession: {
              end(new ConnectionEnded.SessionInvalidated({ shard, resumable: item.d === true }))
              break
            }
            default: {
              yield* Effect.logDebug(`ignored opcode ${item.op}`)
            }
          }
        }
        yield* publish
        // An idle connection waits here for long: hold none of the payloads it has delivered.
        events.length = 0
        batch.length = 0
        if (reader.published(payloads)) {
          yield* Effect.logWarning(
            `subscribers fell behind: reading paused at ${config.inboundBufferCapacity} unpublished payloads until half were published (logged once per connection; nothing is dropped)`
          )
        }
      }
    })

    return {
      outcome,
      latencyMillis: () => heartbeat.latencyMillis,
      inboundBacklog: reader.backlog,
      stop: (code) => {
        closeCode = code
        if (ended === undefined) stopped = true
        end(new ConnectionEnded.ConnectionClosed({ shard, closeCode: code, reason: "closed by this side" }))
      },
      setCloseCode: (code) => {
        closeCode = code
      }
    }
  })
