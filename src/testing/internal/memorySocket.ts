/**
 * An in-memory WebSocket pair: the client half implements the part of the DOM
 * `WebSocket` interface that `@effect/platform`'s `Socket.fromWebSocket` uses, the
 * server half is a `Transport` handed to the simulator's engine.
 *
 * Delivery in both directions goes through `queueMicrotask`, strictly in order, so
 * tests under `TestClock` see the same interleavings a real socket would give
 * without any timer.
 *
 * @internal
 */
import type { Transport, TransportHost } from "./engine.js"

/** @internal */
export const CONNECTING = 0
/** @internal */
export const OPEN = 1
/** @internal */
export const CLOSING = 2
/** @internal */
export const CLOSED = 3

type EventType = "open" | "message" | "close" | "error"

/** The event objects handed to listeners. @internal */
export interface MemoryEvent {
  readonly type: EventType
  readonly data?: string | Uint8Array
  readonly code?: number
  readonly reason?: string
  readonly wasClean?: boolean
}

type Listener = (event: MemoryEvent) => void

interface Registration {
  readonly listener: Listener
  readonly once: boolean
}

const copy = (frame: string | Uint8Array): string | Uint8Array =>
  typeof frame === "string" ? frame : Buffer.from(frame)

/**
 * The client half. Its `readyState` follows the DOM semantics: CONNECTING until the
 * asynchronous `open`, CLOSING after a local `close()` until the close event,
 * CLOSED afterwards.
 *
 * @internal
 */
export class MemoryWebSocket {
  static readonly CONNECTING = CONNECTING
  static readonly OPEN = OPEN
  static readonly CLOSING = CLOSING
  static readonly CLOSED = CLOSED
  readonly CONNECTING = CONNECTING
  readonly OPEN = OPEN
  readonly CLOSING = CLOSING
  readonly CLOSED = CLOSED

  readonly url: string
  readonly protocol: string = ""
  readonly extensions: string = ""
  readonly bufferedAmount: number = 0
  binaryType: "blob" | "arraybuffer" | "nodebuffer" = "blob"
  readyState: number = CONNECTING

  private readonly listeners = new Map<EventType, Array<Registration>>()
  // Server→client events wait here in order; a message or close whose listener is not
  // registered yet is held (rather than lost) until one is, so a fiber that yields
  // between constructing the socket and subscribing never misses the Hello.
  private readonly inbox: Array<MemoryEvent> = []
  private draining = false
  private serverClosed = false
  // Like a TCP receive window: while paused, nothing is read; the server's frames wait.
  private paused = false
  private readonly server: ServerEnd

  constructor(url: string, host: TransportHost) {
    this.url = url
    this.server = new ServerEnd(this, host)
    queueMicrotask(() => {
      if (this.readyState !== CONNECTING) return
      this.readyState = OPEN
      this.emit({ type: "open" })
      host.onOpen(this.server, url)
    })
  }

  addEventListener(type: string, listener: Listener, options?: { readonly once?: boolean } | boolean): void {
    const key = type as EventType
    const once = typeof options === "object" && options.once === true
    const list = this.listeners.get(key) ?? []
    if (list.some((r) => r.listener === listener)) return
    list.push({ listener, once })
    this.listeners.set(key, list)
    if (this.inbox.length > 0) this.scheduleDrain()
  }

  removeEventListener(type: string, listener: Listener): void {
    const list = this.listeners.get(type as EventType)
    if (list === undefined) return
    const index = list.findIndex((r) => r.listener === listener)
    if (index >= 0) list.splice(index, 1)
  }

  send(data: string | Uint8Array | ArrayBuffer): void {
    if (this.readyState !== OPEN) return
    const frame = typeof data === "string"
      ? data
      : data instanceof Uint8Array
      ? Buffer.from(data)
      : Buffer.from(new Uint8Array(data))
    queueMicrotask(() => this.server.receive(frame))
  }

  close(code?: number, reason?: string): void {
    if (this.readyState === CLOSING || this.readyState === CLOSED) return
    if (this.readyState === CONNECTING) {
      // As in the DOM: closing before the handshake fails the connection
      this.readyState = CLOSED
      this.emit({ type: "error" })
      this.deliver({ type: "close", code: 1006, reason: "", wasClean: false })
      return
    }
    this.readyState = CLOSING
    const sentCode = code ?? 1005
    const sentReason = reason ?? ""
    queueMicrotask(() => {
      this.server.clientClosed(sentCode, sentReason)
      this.deliver({ type: "close", code: sentCode, reason: sentReason, wasClean: true })
    })
  }

  /** Stops reading (as `ws`'s `pause`): frames, the close included, wait in order. */
  pause(): void {
    this.paused = true
  }

  /** Reads again (as `ws`'s `resume`). */
  resume(): void {
    if (!this.paused) return
    this.paused = false
    this.scheduleDrain()
  }

  /** @internal */
  deliver(event: MemoryEvent): void {
    if (this.serverClosed) return
    if (event.type === "close") this.serverClosed = true
    this.inbox.push(event)
    this.scheduleDrain()
  }

  private scheduleDrain(): void {
    if (this.draining) return
    this.draining = true
    queueMicrotask(() => {
      this.draining = false
      this.drain()
    })
  }

  private drain(): void {
    while (this.inbox.length > 0 && !this.paused) {
      const event = this.inbox[0]!
      if ((this.listeners.get(event.type) ?? []).length === 0 && event.type === "message") return
      this.inbox.shift()
      if (event.type === "close") this.readyState = CLOSED
      else if (this.readyState !== OPEN) continue
      this.emit(event)
      if (this.inbox.length > 0) {
        // One event per microtask keeps the order interleaved with client sends
        this.scheduleDrain()
        return
      }
    }
  }

  private emit(event: MemoryEvent): void {
    const list = this.listeners.get(event.type)
    if (list === undefined) return
    for (const registration of [...list]) {
      if (registration.once) this.removeEventListener(event.type, registration.listener)
      registration.listener(event)
    }
  }
}

/** The server half, given to the engine. */
class ServerEnd implements Transport {
  private open = true

  constructor(private readonly client: MemoryWebSocket, private readonly host: TransportHost) {}

  send(frame: string | Uint8Array): void {
    if (!this.open) return
    const data = copy(frame)
    this.client.deliver({ type: "message", data })
  }

  close(code: number, reason: string): void {
    if (!this.open) return
    this.open = false
    this.client.deliver({ type: "close", code, reason, wasClean: true })
  }

  terminate(): void {
    if (!this.open) return
    this.open = false
    this.client.deliver({ type: "close", code: 1006, reason: "", wasClean: false })
  }

  /** @internal */
  receive(frame: string | Uint8Array): void {
    if (this.open) this.host.onMessage(this, frame)
  }

  /** @internal */
  clientClosed(code: number, reason: string): void {
    if (!this.open) return
    this.open = false
    this.host.onClose(this, code, reason)
  }
}

/**
 * A `Socket.WebSocketConstructor`-shaped function that connects to `host` in memory.
 *
 * @internal
 */
export const memoryWebSocketConstructor = (host: TransportHost) => (url: string): MemoryWebSocket =>
  new MemoryWebSocket(url, host)
