/**
 * Guild workload, @discordjs/ws: one shard (see bench/client-discordjs.ts for the REST stub).
 * ACK latency from its HeartbeatComplete event.
 */
import { WebSocketManager, WebSocketShardEvents } from "@discordjs/ws"
import { ackStats, failGuild, GuildMeter, guildEnv } from "./guild-common.js"

const { token, url } = guildEnv()
const latencies: Array<number> = []
let ready = false
const meter = new GuildMeter("@discordjs/ws", () => Promise.resolve({ ack: ackStats(latencies, "HeartbeatComplete event") }))

const gatewayBot = {
  url,
  shards: 1,
  session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 }
}
const rest = {
  get: async (route: string) => {
    if (route !== "/gateway/bot") throw new Error(`unexpected REST call ${route}`)
    return gatewayBot
  }
}

const manager = new WebSocketManager({
  token,
  intents: 513 as unknown as 0, // Guilds | GuildMessages, as the other clients
  shardCount: 1,
  compression: null,
  rest: rest as unknown as ConstructorParameters<typeof WebSocketManager>[0]["rest"]
})

manager.on(WebSocketShardEvents.Ready, () => {
  ready = true
  meter.ready()
})
manager.on(WebSocketShardEvents.HeartbeatComplete, (stats) => {
  if (ready) latencies.push(stats.latency)
})
manager.on(WebSocketShardEvents.Dispatch, (payload) => {
  if (payload.t === "GUILD_CREATE") meter.guildCreate(payload.d)
})
manager.on(WebSocketShardEvents.Error, (error) => failGuild(String(error)))
manager.on(WebSocketShardEvents.Debug, (messages) => {
  const text = Array.isArray(messages) ? messages.join(" ") : String(messages)
  if (/zombie|destroy|resum/i.test(text)) process.stdout.write(`debug: ${text}\n`)
})

manager.connect().catch((error: unknown) => failGuild(String(error)))
