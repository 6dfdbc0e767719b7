/**
 * Every shard Discord recommends for the bot, in one process:
 *
 * - `Sharding.layer({ shards: "auto" })` asks `GET /gateway/bot` for the shard count, the URL and
 *   the identify limits, and starts the shards in identify buckets (`shard_id % max_concurrency`,
 *   one Identify per bucket per 5 s);
 * - one stream of events from every shard (each event carries its `shard`), with a `RESHARDED`
 *   marker if Discord asks for more shards later (close 4011);
 * - a command routed by guild: `!whois <name>` in a guild asks that guild's shard
 *   (`shardForGuild`) for the members whose name starts with `<name>` (`requestGuildMembers`,
 *   which gathers every GUILD_MEMBERS_CHUNK answering it);
 * - every shard's status once a minute.
 *
 * Run it on Discord: `DISCORD_TOKEN=... npx tsx examples/sharding.ts`. Reading `!whois` needs the
 * privileged intent MessageContent (enable it in the Developer Portal).
 */
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Duration, Effect, Layer, Option, Schedule, Stream } from "effect"
import {
  GatewayConfig,
  type GatewayEvent,
  GatewaySocket,
  IdentifyLimiter,
  Intents,
  SessionStore,
  Sharding
} from "effect-discord-gateway"
import { pathToFileURL } from "node:url"

const describe = (event: GatewayEvent.ShardingEvent): string | undefined => {
  switch (event.type) {
    case "RESHARDED":
      return `resharded: ${event.previousShardCount} → ${event.shardCount} shards`
    case "READY":
      return `shard ${event.shard}: READY, ${event.data.guilds.length} guild(s) to come`
    case "GUILD_CREATE":
      return `shard ${event.shard}: guild ${"name" in event.data ? `"${event.data.name}"` : event.data.id} available`
    case "SESSION_LOST":
      return `shard ${event.shard}: session lost (${event.reason}), a new one follows`
    case "DECODE_FAILURE":
      return `shard ${event.shard}: ${event.name} failed its Schema`
    default:
      return undefined
  }
}

/** Logs the events of every shard that say something about the shards themselves. */
const logShardEvents = (sharding: Sharding.Sharding) =>
  sharding.events.pipe(
    Stream.runForEach((event) => {
      const line = describe(event)
      return line === undefined ? Effect.void : Effect.log(line)
    })
  )

/**
 * `!whois <name>` in a guild: the members whose username or nickname starts with `<name>`, asked of
 * the shard that has the guild.
 */
const whois = (sharding: Sharding.Sharding, guildId: string, name: string) =>
  Effect.gen(function*() {
    const gateway = yield* sharding.shardForGuild(guildId)
    const result = yield* gateway.requestGuildMembers({ guild_id: guildId, query: name, limit: 10 }, {
      timeout: "10 seconds"
    })
    const names = result.members.map((member) => member.nick ?? member.user?.username ?? "?")
    yield* Effect.log(
      `shard ${gateway.shard}: whois "${name}" in guild ${guildId}: ${names.length === 0 ? "nobody" : names.join(", ")}`
    )
  }).pipe(
    // A shard that is not running here (during a reshard), a timeout: log it, keep serving.
    Effect.catchAll((error) => Effect.logWarning(`whois "${name}" in guild ${guildId} failed: ${error.message}`))
  )

/** Answers `!whois` commands from every shard, up to 8 at a time. */
const serveCommands = (sharding: Sharding.Sharding) =>
  sharding.on("MESSAGE_CREATE").pipe(
    Stream.filterMap((event) => {
      const match = /^!whois\s+(\S+)/.exec(event.data.content)
      return event.data.guild_id !== undefined && match !== null
        ? Option.some([event.data.guild_id, match[1]!] as const)
        : Option.none()
    }),
    Stream.mapEffect(([guildId, name]) => whois(sharding, guildId, name), { concurrency: 8, unordered: true }),
    Stream.runDrain
  )

/** Every shard's status, once a minute. */
const logStatuses = (sharding: Sharding.Sharding) =>
  Effect.gen(function*() {
    for (const shard of yield* sharding.statuses) {
      const latency = Option.match(shard.latency, { onNone: () => "-", onSome: Duration.format })
      yield* Effect.log(`shard ${shard.shard}: ${shard.status}, heartbeat latency ${latency}`)
    }
  }).pipe(Effect.repeat(Schedule.spaced("1 minute")), Effect.delay("1 minute"))

/**
 * The bot: runs until interrupted, or fails with the first fatal error of any shard.
 */
export const program = Effect.gen(function*() {
  const sharding = yield* Sharding.Sharding
  yield* Effect.log(`${yield* sharding.shardCount} shard(s) READY`)
  yield* Effect.all([logShardEvents(sharding), serveCommands(sharding), logStatuses(sharding)], {
    concurrency: "unbounded",
    discard: true
  })
})

/**
 * The shards on Discord. The configuration comes from the environment (`DISCORD_TOKEN`, and
 * `DISCORD_INTENTS` to override the intents below); the presence is sent in every shard's
 * Identify, so shards started by a reshard get it too.
 */
export const ShardingLive = Sharding.layer({ shards: "auto" }).pipe(
  Layer.provide([
    GatewayConfig.layerFromEnv({
      intents: Intents.fromNames("Guilds", "GuildMessages", "MessageContent"),
      presence: { since: null, activities: [{ name: "!whois <name>", type: 0 }], status: "online", afk: false }
    }),
    GatewaySocket.layerWebSocketConstructor,
    NodeHttpClient.layerUndici,
    SessionStore.layerMemory,
    IdentifyLimiter.layerMemory()
  ])
)

// Run only when executed directly (`npx tsx examples/sharding.ts`), never when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  program.pipe(Effect.provide(ShardingLive), NodeRuntime.runMain)
}
