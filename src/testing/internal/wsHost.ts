/**
 * Serves a simulator engine on a real localhost WebSocket (node:http + `ws`), plus
 * Discord's `GET /api/v10/gateway/bot` endpoint on the same port.
 *
 * @internal
 */
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { WebSocket, WebSocketServer } from "ws"
import type { Transport, TransportHost } from "./engine.js"


/** @internal */
export interface WsHost {
  readonly port: number
  readonly url: string
  readonly httpUrl: string
  /** Plugs the engine in once it exists (the engine needs the URL first). */
  readonly attach: (host: TransportHost) => void
  readonly stop: () => Promise<void>
}

const json = (res: Http.ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
  res.end(text)
}

// `ws` only accepts the close codes RFC 6455 allows an endpoint to send
const sendableCloseCode = (code: number): boolean =>
  (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
  (code >= 3000 && code <= 4999)

class WsTransport implements Transport {
  constructor(private readonly socket: WebSocket) {}

  send(frame: string | Uint8Array): void {
    if (this.socket.readyState !== WebSocket.OPEN) return
    this.socket.send(frame, { binary: typeof frame !== "string" })
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState !== WebSocket.OPEN) return
    if (sendableCloseCode(code)) this.socket.close(code, reason)
    else this.socket.terminate()
  }

  terminate(): void {
    this.socket.terminate()
  }
}

/**
 * Starts the HTTP + WebSocket server on 127.0.0.1 (`port` 0 picks a free one).
 *
 * @internal
 */
export const start = (
  port: number,
  token: string,
  gatewayBot: () => unknown
): Promise<WsHost> =>
  new Promise((resolve, reject) => {
    let host: TransportHost | undefined
    let url = ""
    const server = Http.createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0]
      if (req.method === "GET" && path === "/api/v10/gateway/bot") {
        if (req.headers.authorization !== `Bot ${token}`) {
          return json(res, 401, { message: "401: Unauthorized", code: 0 })
        }
        const body = gatewayBot()
        if (body === undefined) return json(res, 503, { message: "starting", code: 0 })
        return json(res, 200, body)
      }
      json(res, 404, { message: "404: Not Found", code: 0 })
    })
    const wss = new WebSocketServer({ server })
    wss.on("connection", (socket, request) => {
      const transport = new WsTransport(socket)
      socket.on("message", (data, isBinary) => {
        const bytes = Array.isArray(data)
          ? Buffer.concat(data)
          : data instanceof ArrayBuffer
          ? Buffer.from(data)
          : data
        host?.onMessage(transport, isBinary ? new Uint8Array(bytes) : bytes.toString("utf8"))
      })
      socket.on("close", (code, reason) => {
        host?.onClose(transport, code, reason.toString("utf8"))
      })
      socket.on("error", () => {
        socket.terminate()
      })
      host?.onOpen(transport, `${url}${request.url ?? "/"}`)
    })
    server.once("error", reject)
    server.listen(port, "127.0.0.1", () => {
      const address = server.address() as AddressInfo
      url = `ws://127.0.0.1:${address.port}`
      resolve({
        port: address.port,
        url,
        httpUrl: `http://127.0.0.1:${address.port}`,
        attach: (h) => {
          host = h
        },
        stop: () =>
          new Promise<void>((done) => {
            for (const client of wss.clients) client.terminate()
            wss.close()
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })
