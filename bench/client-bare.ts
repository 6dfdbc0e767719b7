/**
 * Baseline client: `ws` + `JSON.parse` only. Answers Hello (heartbeat + Identify) and
 * heartbeat requests, then counts MESSAGE_CREATE dispatches.
 */
import WebSocket from "ws"
import { env, fail, Meter } from "./common.js"

const { url, n, token } = env()
const meter = new Meter("bare", n)
const ws = new WebSocket(`${url}/?v=10&encoding=json`)
let seq: number | null = null
let heartbeat: NodeJS.Timeout | undefined

const sendHeartbeat = (): void => ws.send(JSON.stringify({ op: 1, d: seq }))

ws.on("message", (data: WebSocket.RawData) => {
  const payload = JSON.parse(data.toString()) as { op: number; d: any; s: number | null; t: string | null }
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
})
ws.on("close", (code) => {
  if (meter.count < n) fail(`connection closed with ${code} after ${meter.count} messages`)
})
ws.on("error", (error) => fail(String(error)))
