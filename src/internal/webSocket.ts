/**
 * Drives a DOM-style `WebSocket` (what `Socket.WebSocketConstructor` makes: `ws` under
 * `NodeSocket`, the global one, or the simulator's in-memory socket) with plain callbacks.
 *
 * The connection already reads every frame in a synchronous callback and queues it for its
 * own fiber, so it does not need `Socket.fromWebSocket`'s `runRaw`: that adds, per
 * connection, a fiber, a `FiberSet` with its scope, a latch, an open-timeout race and a
 * merged context, which an idle shard keeps for as long as it is connected (measured with
 * heap snapshots of the idle bench, see the README). Here a connection keeps four listeners.
 *
 * @internal
 */

/** What the connection is told, synchronously, from the socket's events. @internal */
export interface Handlers {
  readonly onOpen: () => void
  /** A text frame as a string, a binary frame as bytes. */
  readonly onFrame: (data: string | Uint8Array) => void
  readonly onClose: (code: number, reason: string) => void
  /** The socket failed (the close event, if any, is not waited for). */
  readonly onError: (reason: string, cause: unknown) => void
}

interface EventLike {
  readonly data?: unknown
  readonly code?: unknown
  readonly reason?: unknown
  readonly message?: unknown
  readonly error?: unknown
}

/**
 * Attaches the handlers to a freshly constructed socket (before it can have emitted
 * anything: DOM sockets emit from later tasks). After an error or a close, nothing more is
 * reported.
 *
 * @internal
 */
export const attach = (ws: globalThis.WebSocket, handlers: Handlers): void => {
  // Binary frames as ArrayBuffer rather than Blob (the DOM default), which reads asynchronously
  // and could reorder frames; `ws` gives Buffers either way.
  if (ws.binaryType === "blob") ws.binaryType = "arraybuffer"
  let done = false
  let opened = false
  const onMessage = (event: EventLike): void => {
    if (done) return
    const data = event.data
    if (typeof data === "string" || data instanceof Uint8Array) handlers.onFrame(data)
    else if (data instanceof ArrayBuffer) handlers.onFrame(new Uint8Array(data))
    // Anything else (a Blob from a socket that ignores binaryType) is read as an empty frame: a bad frame
    else handlers.onFrame(new Uint8Array(0))
  }
  const onOpen = (): void => {
    if (done || opened) return
    opened = true
    handlers.onOpen()
  }
  const onClose = (event: EventLike): void => {
    if (done) return
    done = true
    handlers.onClose(
      typeof event.code === "number" ? event.code : 1006,
      typeof event.reason === "string" ? event.reason : ""
    )
  }
  const onError = (event: EventLike): void => {
    if (done) return
    done = true
    const cause = event.error ?? event
    const detail = typeof event.message === "string" && event.message !== ""
      ? event.message
      : cause instanceof Error
      ? cause.message
      : "error event"
    handlers.onError(opened ? `read failed: ${detail}` : `open failed: ${detail}`, cause)
  }
  ws.addEventListener("message", onMessage as (event: MessageEvent) => void)
  ws.addEventListener("close", onClose as (event: CloseEvent) => void)
  ws.addEventListener("error", onError as (event: Event) => void)
  if (ws.readyState === 1) queueMicrotask(onOpen)
  else ws.addEventListener("open", onOpen, { once: true })
}
