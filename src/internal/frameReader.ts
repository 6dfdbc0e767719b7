/**
 * The first step of the pipeline, run synchronously in the socket's message callback: a frame is
 * decompressed (zlib-stream, zstd-stream), decoded (JSON, ETF) and looked at once, without waiting
 * for any fiber:
 *
 * - a Heartbeat ACK (op 11) is recorded, and a heartbeat request (op 1) answered, right here, so a
 *   busy event pipeline never makes a connection look dead;
 * - a dispatch's sequence is noted in the session (what the next heartbeat sends);
 * - every other payload goes into the connection's inbox, in order, for its fiber.
 *
 * It also owns back-pressure: when `inboundBufferCapacity` payloads wait unpublished, reading
 * stops (`ws` can pause) until half of them are published.
 *
 * @internal
 */
import type * as MetricLabel from "effect/MetricLabel"
import type { GatewayConfig } from "../GatewayConfig.js"
import * as GatewayError from "../GatewayError.js"
import * as Metrics from "../GatewayMetrics.js"
import * as ConnectionEnded from "./connectionEnded.js"
import * as Encoding from "./encoding.js"
import * as Etf from "./etf.js"
import * as Heartbeat from "./heartbeat.js"
import type * as Inbox from "./inbox.js"
import * as Inflate from "./inflate.js"
import { Op } from "./protocol.js"
import * as Session from "./session.js"
import * as Zstd from "./zstd.js"

/** A parsed gateway payload, queued as it came (no copy): only `op` is known to be a number. @internal */
export interface Payload {
  readonly op: number
  readonly d?: unknown
  readonly s?: unknown
  readonly t?: unknown
}

/** A frame that was not a gateway payload, with why. @internal */
export class BadFrame {
  constructor(readonly reason: string) {}
}

/** The connection ended: its fiber stops at this item. @internal */
export const End: unique symbol = Symbol("End")

/** The socket opened. @internal */
export const Opened: unique symbol = Symbol("Opened")

/**
 * What the connection's fiber reads from its inbox. A string is an uncompressed JSON frame of more
 * than `ParseInCallbackBelow` characters, parsed by the fiber (`FrameReader.parse`).
 *
 * @internal
 */
export type Inbound = Payload | string | BadFrame | typeof End | typeof Opened

/**
 * Uncompressed JSON frames shorter than this are parsed in the socket callback; longer ones (only
 * dispatches are that long) are queued as text and parsed by the connection's fiber when it takes
 * them. Everything that must not wait (ACK, heartbeat request, Hello, op 7, op 9) is far shorter.
 * Why: frames wait in the inbox while the fiber is busy, and a parsed frame is hundreds of small
 * objects that the young-generation GC must trace and promote, where its text is one flat string
 * (measured in `npm run bench`, json workload; see the README, "Performance").
 *
 * @internal
 */
export const ParseInCallbackBelow = 1024

/** The socket, as the reader uses it. @internal */
export interface ReaderSocket {
  /** Writes a frame now if the socket is open (a closing socket takes nothing). */
  readonly sendNow: (frame: Encoding.Frame) => void
  /** Stops reading; `false` when the socket cannot pause. */
  readonly pause: () => boolean
  readonly resume: () => void
}

/** @internal */
export interface FrameReader {
  /** The socket's message callback. */
  readonly onFrame: (data: string | Uint8Array) => void
  /**
   * The connection's fiber published `count` payloads from the inbox. Returns `true` when this
   * resumed reading after the connection's first pause (worth one warning).
   */
  readonly published: (count: number) => boolean
  /** Parses a frame queued as text, with the same checks as the callback; `undefined` when it was an ACK or heartbeat request, handled already. */
  readonly parse: (text: string) => Payload | BadFrame | undefined
  /** Payloads read and not yet published. */
  readonly backlog: () => number
  /** Which zstd decoder runs, when the connection uses zstd-stream. */
  readonly zstdMode: Zstd.Decompressor["mode"] | undefined
  /** Frees the decompression context. */
  readonly close: () => void
}

const decoder = new TextDecoder()

/** @internal */
export const make = (options: {
  readonly shard: number
  readonly config: GatewayConfig
  readonly session: Session.Session
  readonly heartbeat: Heartbeat.HeartbeatState
  readonly inbox: Inbox.Inbox<Inbound>
  readonly socket: ReaderSocket
  readonly now: () => number
  readonly metricTags: ReadonlyArray<MetricLabel.MetricLabel>
  /** Whether the connection has ended (frames after that are ignored). */
  readonly ended: () => boolean
  readonly end: (reason: ConnectionEnded.ConnectionEnded) => void
}): FrameReader => {
  const { config, heartbeat, inbox, session, shard, socket } = options
  const tags = options.metricTags

  let backlog = 0
  let readPaused = false
  let pauses = 0

  // A message that does not decode: from a decompressor, the shared context is off and every
  // later message (ACKs included) would decode wrong too, so the connection must be replaced;
  // an uncompressed frame is only ignored.
  const undecodable = (reason: string, decompressed: boolean) => {
    if (decompressed) options.end(new ConnectionEnded.DecodeError({ shard, reason: `${config.compression}: ${reason}` }))
    else inbox.push(new BadFrame(reason))
  }

  // What a parsed frame is: a payload for the inbox, a bad frame, or `undefined` when it was
  // handled here (an ACK, a heartbeat request).
  const classify = (payload: unknown): Payload | BadFrame | undefined => {
    if (typeof payload !== "object" || payload === null || typeof (payload as { op?: unknown }).op !== "number") {
      return new BadFrame("frame is not a gateway payload (no numeric op)")
    }
    const { op, s } = payload as Payload
    if (op === Op.HeartbeatAck) {
      Heartbeat.ack(heartbeat, options.now())
      if (heartbeat.latencyMillis !== undefined) Metrics.heartbeatLatency.unsafeUpdate(heartbeat.latencyMillis, tags)
      return undefined
    }
    if (op === Op.Heartbeat) {
      socket.sendNow(Heartbeat.frame(config.encoding, session.heartbeatSequence()))
      return undefined
    }
    if (op === Op.Dispatch && Session.isSequence(s)) session.noteReceived(s)
    return payload as Payload
  }

  const queued = () => {
    if (++backlog >= config.inboundBufferCapacity && !readPaused && socket.pause()) {
      readPaused = true
      pauses++
      Metrics.readPauses.unsafeUpdate(1, tags)
      Heartbeat.setReadPaused(heartbeat, true)
    }
  }

  const onPayload = (payload: unknown) => {
    const item = classify(payload)
    if (item === undefined) return
    inbox.push(item)
    if (!(item instanceof BadFrame)) queued()
  }

  const onText = (text: string, decompressed: boolean) => {
    if (!decompressed && text.length >= ParseInCallbackBelow) {
      inbox.push(text)
      queued()
      return
    }
    let payload: unknown
    try {
      payload = JSON.parse(text)
    } catch {
      return undecodable(decompressed ? "a message decompressed to non-JSON" : "frame is not JSON", decompressed)
    }
    onPayload(payload)
  }
  const onEtf = (bytes: Uint8Array, decompressed: boolean) => {
    const decoded = Etf.decode(bytes, { maxBytes: config.maxMessageBytes })
    if (decoded._tag === "Left") return undecodable(`frame is not ETF: ${decoded.left.reason}`, decompressed)
    onPayload(decoded.right)
  }

  // One decompression context per connection; a message is decompressed in the socket callback.
  const decompressorOptions = {
    ...(config.encoding === "etf"
      ? { onBytes: (bytes: Uint8Array) => onEtf(bytes, true) }
      : { onMessage: (text: string) => onText(text, true) }),
    onError: (reason: string) => options.end(new ConnectionEnded.DecodeError({ shard, reason: `${config.compression}: ${reason}` })),
    maxMessageBytes: config.maxMessageBytes
  }
  const zstd = config.compression === "zstd-stream" ? Zstd.make(decompressorOptions) : undefined
  const inflater = config.compression === "zlib-stream" ? Inflate.make(decompressorOptions) : zstd

  const onFrame = (data: string | Uint8Array): void => {
    if (options.ended()) return
    if (inflater !== undefined) {
      if (typeof data === "string") inbox.push(new BadFrame(`text frame on a ${config.compression} connection`))
      else inflater.push(data)
      return
    }
    // A UTF-16 length is at most the UTF-8 byte length: over the bound either way.
    const size = typeof data === "string" ? data.length : data.byteLength
    if (size > config.maxMessageBytes) {
      options.end(
        new ConnectionEnded.DecodeError({
          shard,
          reason: `a message of ${size} bytes exceeds maxMessageBytes (${config.maxMessageBytes})`
        })
      )
      return
    }
    if (config.encoding === "etf") {
      if (typeof data === "string") inbox.push(new BadFrame("text frame on an ETF connection"))
      else onEtf(data, false)
      return
    }
    onText(typeof data === "string" ? data : decoder.decode(data), false)
  }

  return {
    onFrame,
    published: (count) => {
      backlog -= count
      if (!readPaused || backlog > config.inboundBufferCapacity / 2) return false
      readPaused = false
      Heartbeat.setReadPaused(heartbeat, false)
      socket.resume()
      return pauses === 1
    },
    parse: (text) => {
      let payload: unknown
      try {
        payload = JSON.parse(text)
      } catch {
        return new BadFrame("frame is not JSON")
      }
      return classify(payload)
    },
    backlog: () => backlog,
    zstdMode: zstd?.mode,
    close: () => inflater?.close()
  }
}
