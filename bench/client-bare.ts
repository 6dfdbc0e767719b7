/**
 * Baseline client: `ws` + `JSON.parse` only. Answers Hello (heartbeat + Identify) and
 * heartbeat requests, then counts MESSAGE_CREATE dispatches. With zlib-stream it inflates
 * with this package's inflater (`src/internal/inflate.ts`), the same one the Gateway uses,
 * so the row is the floor of transport + parse.
 */
import WebSocket from "ws"
import * as Inflate from "../src/internal/inflate.js"
import { env, fail, Meter } from "./common.js"

const { compression, n, token, url } = env()
const meter = new Meter("bare", n)
const ws = new WebSocket(`${url}/?v=10&encoding=json${compression === "zlib-stream" ? "&compress=zlib-stream" : ""}`)
let seq: number | null = null
let heartbeat: NodeJS.Timeout | undefined

const sendHeartbeat = (): void => ws.send(JSON.stringify({ op: 1, d: seq }))

const onText = (text: string): void => {
  const payload = JSON.parse(text) as { op: number; d: any; s: number | null; t: string | null }
  if (payload.s !== null && payload.s !== undefined) seq = payload.s
  switch (payload.op) {
    case 0: {
      if (payload.t === "MESSAGE_CREATE") {
        if (meter.tick()) {
          clearInterval(heartbeat)
          ws.close(1000)
        }
      } else if (payload.t === "READY") {
        meter.ready()
      }
      break
    }
    case 10: {
      heartbeat = setInterval(sendHeartbeat, payload.d.heartbeat_interval)
      ws.send(JSON.stringify({
        op: 2,
        d: {
          token,
          intents: 513, // Guilds | GuildMessages, the same as the other clients
          properties: { os: process.platform, browser: "bench-bare", device: "bench-bare" }
        }
      }))
      break
    }
    case 1: {
      sendHeartbeat()
      break
    }
    case 9: {
      fail("the simulator answered with Invalid Session")
      break
    }
  }
}

const inflater = compression === "zlib-stream"
  ? Inflate.make({ onMessage: onText, onError: (reason) => fail(`corrupt zlib-stream: ${reason}`) })
  : undefined

ws.on("message", (data: WebSocket.RawData, isBinary: boolean) => {
  if (inflater === undefined || !isBinary) onText(data.toString())
  else inflater.push(data as Buffer) // binaryType "nodebuffer": one Buffer per message
})
ws.on("close", (code) => {
  if (meter.count < n) fail(`connection closed with ${code} after ${meter.count} messages`)
})
ws.on("error", (error) => fail(String(error)))
