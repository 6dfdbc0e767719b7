/**
 * Idle shards, the floor: N raw `ws` connections, each doing Hello → Identify (with its
 * `shard`) and heartbeats on a timer (first one jittered, as Discord asks), answering op 1,
 * and `JSON.parse` of every frame. No reconnects, no ACK check, no validation.
 */
import WebSocket from "ws"
import { failIdle, IdleMeter, idleEnv } from "./idle-common.js"

const { shards, token, url } = idleEnv()
const meter = new IdleMeter("bare", shards)

const connect = (id: number): void => {
  const ws = new WebSocket(`${url}/?v=10&encoding=json`)
  let seq: number | null = null
  let heartbeat: NodeJS.Timeout | undefined
  const sendHeartbeat = (): void => ws.send(JSON.stringify({ op: 1, d: seq }))
  ws.on("message", (data: WebSocket.RawData) => {
    const payload = JSON.parse(data.toString()) as { op: number; d: any; s: number | null; t: string | null }
    if (payload.s !== null && payload.s !== undefined) seq = payload.s
    switch (payload.op) {
      case 0: {
        meter.events++
        if (payload.t === "READY") meter.shardReady(id)
        break
      }
      case 10: {
        const interval = payload.d.heartbeat_interval as number
        setTimeout(() => {
          sendHeartbeat()
          heartbeat = setInterval(sendHeartbeat, interval)
        }, Math.random() * interval)
        ws.send(JSON.stringify({
          op: 2,
          d: {
            token,
            intents: 513, // Guilds | GuildMessages, the same as the other clients
            shard: [id, shards],
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
        failIdle(`shard ${id}: the simulator answered with Invalid Session`)
        break
      }
    }
  })
  ws.on("close", (code) => {
    clearInterval(heartbeat)
    failIdle(`shard ${id}: connection closed with ${code}`)
  })
  ws.on("error", (error) => failIdle(`shard ${id}: ${String(error)}`))
}

for (let id = 0; id < shards; id++) connect(id)
