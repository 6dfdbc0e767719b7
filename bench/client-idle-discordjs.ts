/**
 * Idle shards, @discordjs/ws: a WebSocketManager with `shardCount: N` (SimpleShardingStrategy,
 * every shard in this process), uncompressed. Its `rest` option is only used for
 * `GET /gateway/bot`; the stub here forwards that one route to the simulator over HTTP
 * (global fetch), so the manager gets the simulator's URL and `max_concurrency`.
 */
import { WebSocketManager, WebSocketShardEvents } from "@discordjs/ws"
import { failIdle, IdleMeter, idleEnv } from "./idle-common.js"

const { apiBaseUrl, shards, token } = idleEnv()
const meter = new IdleMeter("@discordjs/ws", shards)

const rest = {
  get: async (route: string) => {
    if (route !== "/gateway/bot") throw new Error(`unexpected REST call ${route}`)
    const response = await fetch(`${apiBaseUrl}/gateway/bot`, { headers: { authorization: `Bot ${token}` } })
    if (!response.ok) throw new Error(`GET /gateway/bot answered ${response.status}`)
    return response.json()
  }
}

const manager = new WebSocketManager({
  token,
  // Guilds | GuildMessages, the same as the other clients (the type only names single bits)
  intents: 513 as unknown as 0,
  shardCount: shards,
  compression: null,
  rest: rest as unknown as ConstructorParameters<typeof WebSocketManager>[0]["rest"]
})

manager.on(WebSocketShardEvents.Ready, (_data, shardId) => meter.shardReady(shardId))
manager.on(WebSocketShardEvents.Dispatch, () => {
  meter.events++
})
manager.on(WebSocketShardEvents.Error, (error, shardId) => failIdle(`shard ${shardId}: ${String(error)}`))
manager.on(WebSocketShardEvents.Closed, (code, shardId) => failIdle(`shard ${shardId} closed with ${code}`))

manager.connect().catch((error: unknown) => failIdle(String(error)))
