/**
 * Guild workload, bare: `ws` + `JSON.parse` only (the floor). Heartbeats every
 * `heartbeat_interval` from Hello and records each send → ACK round trip.
 */
import WebSocket from "ws"
import { ackStats, failGuild, GuildMeter, guildEnv } from "./guild-common.js"

const { token, url } = guildEnv()
const latencies: Array<number> = []
let ready = false
const meter = new GuildMeter("bare", () => Promise.resolve({ ack: ackStats(latencies, "own heartbeat send → op 11") }))
const ws = new WebSocket(`${url}/?v=10&encoding=json`)
let seq: number | null = null
let heartbeat: NodeJS.Timeout | undefined
let sentAt: number | undefined

const sendHeartbeat = (): void => {
  sentAt = performance.now()
  ws.send(JSON.stringify({ op: 1, d: seq }))
}

ws.on("message", (data: WebSocket.RawData) => {
  const payload = JSON.parse(data.toString()) as { op: number; d: any; s: number | null; t: string | null }
  if (payload.s !== null && payload.s !== undefined) seq = payload.s
  switch (payload.op) {
    case 0: {
      if (payload.t === "GUILD_CREATE") meter.guildCreate(payload.d)
      else if (payload.t === "READY") {
        ready = true
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
    case 11: {
      if (ready && sentAt !== undefined) latencies.push(performance.now() - sentAt)
      break
    }
    case 1: {
      sendHeartbeat()
      break
    }
    case 9: {
      failGuild("the simulator answered with Invalid Session")
      break
    }
  }
})
ws.on("close", (code) => {
  clearInterval(heartbeat)
  failGuild(`connection closed with ${code}`)
})
ws.on("error", (error) => failGuild(String(error)))
