/**
 * @discordjs/ws: a WebSocketManager with one shard, pointed at the simulator. Its `rest`
 * option is only used for `GET /gateway/bot`, so a stub answering that route stands in
 * for `@discordjs/rest` and no HTTP request is made. With zlib-stream it uses
 * `CompressionMethod.ZlibNative` (node:zlib's Inflate stream): its other method,
 * `ZlibSync`, needs the native `zlib-sync` addon, which is not installed.
 */
import { CompressionMethod, WebSocketManager, WebSocketShardEvents } from "@discordjs/ws"
import { env, fail, Meter } from "./common.js"

const { compression, n, token, url } = env()
const meter = new Meter("@discordjs/ws", n)

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
  // Guilds | GuildMessages, the same as the other clients (the type only names single bits)
  intents: 513 as unknown as 0,
  shardCount: 1,
  compression: compression === "zlib-stream" ? CompressionMethod.ZlibNative : null,
  rest: rest as unknown as ConstructorParameters<typeof WebSocketManager>[0]["rest"]
})

manager.on(WebSocketShardEvents.Ready, () => meter.ready())
manager.on(WebSocketShardEvents.Dispatch, (payload) => {
  if (payload.t === "MESSAGE_CREATE") meter.tick()
})
manager.on(WebSocketShardEvents.Error, (error) => fail(String(error)))

manager.connect().catch((error: unknown) => fail(String(error)))
