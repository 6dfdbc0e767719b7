/**
 * A small moderation bot. Three rules, all on gateway events:
 *
 * - a message with a banned word is deleted;
 * - a member who posts more than `maxMessages` messages in a guild within `window` is timed out
 *   (slow mode per member, on Effect's `Clock`, so `TestClock` drives it in the test);
 * - a member whose account was younger than `minAccountAge` when they joined is flagged for review.
 *
 * This library only speaks the Gateway, so the bot does not call Discord's REST API itself: it
 * hands each decision to the `Moderation` service. `ModerationConsole` prints them; a real bot
 * would implement `Moderation` with REST calls (DELETE message, PATCH member), and the test
 * (`moderation-bot.test.ts`) records them.
 *
 * Run it on Discord: `DISCORD_TOKEN=... npx tsx examples/moderation-bot.ts`. The bot needs the
 * privileged intents GuildMembers and MessageContent (enable them in the Developer Portal).
 */
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Clock, Console, Context, Data, Duration, Effect, Layer, type Scope, Stream } from "effect"
import {
  type Events,
  Gateway,
  GatewayConfig,
  GatewaySocket,
  IdentifyLimiter,
  Intents,
  SessionStore
} from "effect-discord-gateway"
import { snowflakeTimestamp } from "effect-discord-gateway/schema/Snowflake"
import { pathToFileURL } from "node:url"

/**
 * What the bot decided to do.
 */
export type ModerationAction = Data.TaggedEnum<{
  DeleteMessage: {
    readonly guildId: string
    readonly channelId: string
    readonly messageId: string
    readonly userId: string
    readonly reason: string
  }
  Timeout: {
    readonly guildId: string
    readonly userId: string
    readonly duration: Duration.Duration
    readonly reason: string
  }
  FlagMember: {
    readonly guildId: string
    readonly userId: string
    readonly reason: string
  }
}>

/**
 * The constructors of `ModerationAction`: `ModerationAction.DeleteMessage({ ... })`, ...
 */
export const ModerationAction = Data.taggedEnum<ModerationAction>()

/**
 * Carries out the bot's decisions (REST calls in a real bot).
 */
export interface Moderation {
  readonly apply: (action: ModerationAction) => Effect.Effect<void>
}

/**
 * The `Moderation` service tag.
 */
export const Moderation = Context.GenericTag<Moderation>("examples/Moderation")

/**
 * `Moderation` that prints every action.
 */
export const ModerationConsole: Layer.Layer<Moderation> = Layer.succeed(Moderation, {
  apply: (action) =>
    Console.log(
      ModerationAction.$match(action, {
        DeleteMessage: ({ guildId, messageId, reason, userId }) =>
          `delete message ${messageId} of user ${userId} in guild ${guildId}: ${reason}`,
        Timeout: ({ duration, guildId, reason, userId }) =>
          `time out user ${userId} in guild ${guildId} for ${Duration.format(duration)}: ${reason}`,
        FlagMember: ({ guildId, reason, userId }) => `flag user ${userId} in guild ${guildId} for review: ${reason}`
      })
    )
})

/**
 * The bot's rules.
 */
export interface Rules {
  /** Words (case-insensitive, whole words) whose messages are deleted. */
  readonly bannedWords: ReadonlyArray<string>
  /** More messages than this from one member in one guild within `window` earn a timeout. */
  readonly maxMessages: number
  readonly window: Duration.DurationInput
  /** How long the timeout lasts. */
  readonly timeout: Duration.DurationInput
  /** Members whose account was younger than this when they joined are flagged. */
  readonly minAccountAge: Duration.DurationInput
}

/**
 * Rules for a friendly server.
 */
export const defaultRules: Rules = {
  bannedWords: ["spoilers", "freenitro"],
  maxMessages: 5,
  window: "10 seconds",
  timeout: "10 minutes",
  minAccountAge: "7 days"
}

const escapeRegExp = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * Subscribes to the gateway now (no event published after this returns is missed) and moderates
 * in a fiber of the current scope, until the scope closes or the gateway stops for good.
 */
export const start = (
  rules: Rules = defaultRules
): Effect.Effect<void, never, Gateway.Gateway | Moderation | Scope.Scope> =>
  Effect.gen(function*() {
    const gateway = yield* Gateway.Gateway
    const moderation = yield* Moderation
    const banned = new RegExp(`\\b(${rules.bannedWords.map(escapeRegExp).join("|")})\\b`, "i")
    const window = Duration.toMillis(rules.window)
    const timeout = Duration.decode(rules.timeout)
    const minAccountAge = Duration.toMillis(rules.minAccountAge)
    // Per guild and member: when their recent messages came (ms, oldest first).
    const recent = new Map<string, Array<number>>()

    const onMessage = (message: Events.MessageCreate) =>
      Effect.gen(function*() {
        const guildId = message.guild_id
        if (guildId === undefined || message.author.bot === true) return
        const userId = message.author.id
        const word = banned.exec(message.content)?.[1]
        if (word !== undefined) {
          return yield* moderation.apply(ModerationAction.DeleteMessage({
            guildId,
            channelId: message.channel_id,
            messageId: message.id,
            userId,
            reason: `banned word "${word.toLowerCase()}"`
          }))
        }
        const now = yield* Clock.currentTimeMillis
        const key = `${guildId}/${userId}`
        const times = (recent.get(key) ?? []).filter((at) => at > now - window)
        times.push(now)
        recent.set(key, times)
        if (times.length > rules.maxMessages) {
          recent.delete(key)
          yield* moderation.apply(ModerationAction.Timeout({
            guildId,
            userId,
            duration: timeout,
            reason: `${times.length} messages within ${Duration.format(rules.window)}`
          }))
        }
        // Forget members who went quiet, so the map stays as small as the active crowd.
        if (recent.size > 10_000) {
          for (const [member, at] of recent) if (at[at.length - 1]! <= now - window) recent.delete(member)
        }
      })

    const onMemberAdd = (member: Events.GuildMemberAdd) =>
      Effect.gen(function*() {
        const user = member.user
        if (user === undefined || user.bot === true) return
        const joinedAt = member.joined_at === null ? yield* Clock.currentTimeMillis : Date.parse(member.joined_at)
        const age = joinedAt - snowflakeTimestamp(user.id)
        if (age < minAccountAge) {
          yield* moderation.apply(ModerationAction.FlagMember({
            guildId: member.guild_id,
            userId: user.id,
            reason: `account was ${Duration.format(Duration.millis(Math.max(0, age)))} old when it joined`
          }))
        }
      })

    // Live events only: what happened before the bot started is not its business.
    const events = yield* gateway.subscribeWith({ replay: false })
    yield* events.pipe(
      Stream.runForEach((event) => {
        switch (event.type) {
          case "MESSAGE_CREATE":
            return onMessage(event.data)
          case "GUILD_MEMBER_ADD":
            return onMemberAdd(event.data)
          default:
            return Effect.void
        }
      }),
      Effect.catchAll((error) => Effect.logError("moderation stopped: the gateway stopped for good", error)),
      Effect.forkScoped
    )
  })

/**
 * The bot as a layer: building it subscribes; closing it stops the bot.
 */
export const layer = (rules: Rules = defaultRules): Layer.Layer<never, never, Gateway.Gateway | Moderation> =>
  Layer.scopedDiscard(start(rules))

/**
 * The gateway on Discord: configuration from the environment (`DISCORD_TOKEN`, ...), with the
 * intents the rules need unless `DISCORD_INTENTS` says otherwise.
 */
export const GatewayLive = Gateway.layer.pipe(
  Layer.provide([
    GatewayConfig.layerFromEnv({
      intents: Intents.fromNames("Guilds", "GuildMessages", "MessageContent", "GuildMembers")
    }),
    GatewaySocket.layerWebSocketConstructor,
    NodeHttpClient.layerUndici,
    SessionStore.layerMemory,
    IdentifyLimiter.layerMemory()
  ])
)

/**
 * The bot on Discord: moderates until interrupted (Ctrl-C), and fails with the gateway's error
 * if Discord refuses it for good (a bad token, a privileged intent not enabled).
 */
export const main = Effect.gen(function*() {
  yield* start(defaultRules)
  const gateway = yield* Gateway.Gateway
  yield* Effect.log(`moderating on shard ${gateway.shard}; Ctrl-C to stop`)
  return yield* gateway.awaitFatal
}).pipe(
  Effect.scoped,
  Effect.provide([GatewayLive, ModerationConsole])
)

// Run only when executed directly (`npx tsx examples/moderation-bot.ts`), never when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  NodeRuntime.runMain(main)
}
