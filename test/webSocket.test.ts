import { describe, expect, it } from "vitest"
import * as WebSocket from "../src/internal/webSocket.js"

/** A DOM-style socket whose events the test fires by hand. */
class FakeSocket {
  binaryType = "blob"
  readyState = 0
  readonly listeners = new Map<string, Array<{ fn: (event: unknown) => void; once: boolean }>>()
  addEventListener(type: string, fn: (event: unknown) => void, options?: { once?: boolean }) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), { fn, once: options?.once === true }])
  }
  fire(type: string, event: unknown = {}) {
    if (type === "open") this.readyState = 1
    for (const l of this.listeners.get(type) ?? []) {
      if (l.once) this.listeners.set(type, this.listeners.get(type)!.filter((x) => x !== l))
      l.fn(event)
    }
  }
}

const record = () => {
  const log: Array<unknown> = []
  const handlers: WebSocket.Handlers = {
    onOpen: () => log.push("open"),
    onFrame: (data) => log.push(typeof data === "string" ? data : Array.from(data)),
    onClose: (code, reason) => log.push(["close", code, reason]),
    onError: (reason) => log.push(["error", reason])
  }
  return { log, handlers }
}

describe("webSocket.attach", () => {
  it("reports open once, text as strings and binary (ArrayBuffer or bytes) as bytes, in order", () => {
    const ws = new FakeSocket()
    const { handlers, log } = record()
    WebSocket.attach(ws as unknown as globalThis.WebSocket, handlers)
    expect(ws.binaryType).toBe("arraybuffer")
    ws.fire("open")
    ws.fire("message", { data: "{\"op\":10}" })
    ws.fire("message", { data: new Uint8Array([1, 2]).buffer })
    ws.fire("message", { data: new Uint8Array([3]) })
    ws.fire("close", { code: 4000, reason: "bye" })
    ws.fire("message", { data: "late" })
    expect(log).toEqual(["open", "{\"op\":10}", [1, 2], [3], ["close", 4000, "bye"]])
  })

  it("an error before open is an open failure, after open a read failure, and the close after it adds nothing", () => {
    const early = new FakeSocket()
    const a = record()
    WebSocket.attach(early as unknown as globalThis.WebSocket, a.handlers)
    early.fire("error", { message: "ECONNREFUSED" })
    early.fire("close", { code: 1006, reason: "" })
    expect(a.log).toEqual([["error", "open failed: ECONNREFUSED"]])

    const late = new FakeSocket()
    const b = record()
    WebSocket.attach(late as unknown as globalThis.WebSocket, b.handlers)
    late.fire("open")
    late.fire("error", { error: new Error("ECONNRESET") })
    expect(b.log).toEqual(["open", ["error", "read failed: ECONNRESET"]])
  })

  it("a socket that is already open reports open on the next microtask", async () => {
    const ws = new FakeSocket()
    ws.readyState = 1
    const { handlers, log } = record()
    WebSocket.attach(ws as unknown as globalThis.WebSocket, handlers)
    expect(log).toEqual([])
    await Promise.resolve()
    expect(log).toEqual(["open"])
  })
})
