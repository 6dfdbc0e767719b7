/**
 * Gateway intents: the bit flags sent in Identify that choose which events Discord sends.
 *
 * @since 0.1.0
 */
import { dual } from "effect/Function"

/**
 * Every documented intent flag (events/gateway.mdx, "List of Intents").
 *
 * @since 0.1.0
 * @category models
 */
export const Flags = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildModeration: 1 << 2,
  GuildExpressions: 1 << 3,
  GuildIntegrations: 1 << 4,
  GuildWebhooks: 1 << 5,
  GuildInvites: 1 << 6,
  GuildVoiceStates: 1 << 7,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  GuildMessageReactions: 1 << 10,
  GuildMessageTyping: 1 << 11,
  DirectMessages: 1 << 12,
  DirectMessageReactions: 1 << 13,
  DirectMessageTyping: 1 << 14,
  MessageContent: 1 << 15,
  GuildScheduledEvents: 1 << 16,
  AutoModerationConfiguration: 1 << 20,
  AutoModerationExecution: 1 << 21,
  GuildMessagePolls: 1 << 24,
  DirectMessagePolls: 1 << 25
} as const

/**
 * The name of an intent flag.
 *
 * @since 0.1.0
 * @category models
 */
export type IntentName = keyof typeof Flags

/**
 * The privileged intents, which must be enabled for the app in the Developer Portal.
 *
 * @since 0.1.0
 * @category constants
 */
export const privileged: number = Flags.GuildMembers | Flags.GuildPresences | Flags.MessageContent

/**
 * Every documented intent.
 *
 * @since 0.1.0
 * @category constants
 */
export const all: number = Object.values(Flags).reduce((acc, flag) => acc | flag, 0)

/**
 * Every documented intent that is not privileged.
 *
 * @since 0.1.0
 * @category constants
 */
export const nonPrivileged: number = all & ~privileged

/**
 * Whether `intents` contains every bit of `flag`. Dual: `Intents.has(intents, flag)` or
 * `pipe(intents, Intents.has(flag))`.
 *
 * @example
 * ```ts
 * import { Intents } from "effect-discord-gateway"
 * import { pipe } from "effect"
 *
 * const intents = Intents.fromNames("Guilds", "GuildMessages")
 * Intents.has(intents, Intents.Flags.Guilds) // true
 * pipe(intents, Intents.add(Intents.Flags.MessageContent), Intents.has(Intents.Flags.MessageContent)) // true
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const has: {
  (flag: number): (intents: number) => boolean
  (intents: number, flag: number): boolean
} = dual(2, (intents: number, flag: number): boolean => (intents & flag) === flag)

/**
 * `intents` with `flag` added.
 *
 * @since 0.1.0
 * @category combinators
 */
export const add: {
  (flag: number): (intents: number) => number
  (intents: number, flag: number): number
} = dual(2, (intents: number, flag: number): number => intents | flag)

/**
 * `intents` with `flag` removed.
 *
 * @since 0.1.0
 * @category combinators
 */
export const remove: {
  (flag: number): (intents: number) => number
  (intents: number, flag: number): number
} = dual(2, (intents: number, flag: number): number => intents & ~flag)

/**
 * Combines intent names into one value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromNames = (...names: ReadonlyArray<IntentName>): number =>
  names.reduce((acc, name) => acc | Flags[name], 0)

/**
 * Parses a comma-separated list of intent names (`"Guilds,GuildMessages"`) or a number.
 * Returns the unknown names on failure.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (
  input: string
): { readonly _tag: "Right"; readonly value: number } | { readonly _tag: "Left"; readonly unknown: ReadonlyArray<string> } => {
  const trimmed = input.trim()
  if (/^\d+$/.test(trimmed)) return { _tag: "Right", value: Number(trimmed) }
  const unknown: Array<string> = []
  let value = 0
  for (const raw of trimmed.split(",")) {
    const name = raw.trim()
    if (name === "") continue
    if (name in Flags) value |= Flags[name as IntentName]
    else unknown.push(name)
  }
  return unknown.length > 0 ? { _tag: "Left", unknown } : { _tag: "Right", value }
}

/**
 * The names of the flags set in `intents`.
 *
 * @since 0.1.0
 * @category destructors
 */
export const toNames = (intents: number): ReadonlyArray<IntentName> =>
  (Object.keys(Flags) as Array<IntentName>).filter((name) => has(intents, Flags[name]))

/**
 * The intents that bring each event (events/gateway.mdx, "List of Intents"). An event
 * arrives when any one of its intents is set; events not listed need no intent.
 * Caveats from the docs: GUILD_MEMBER_UPDATE for the bot itself arrives without
 * GuildMembers, and THREAD_MEMBERS_UPDATE carries only the bot's own changes without it.
 *
 * @since 0.1.0
 * @category constants
 */
export const eventIntents: Readonly<Record<string, ReadonlyArray<number>>> = (() => {
  const map: Record<string, Array<number>> = {}
  const add = (flag: number, events: ReadonlyArray<string>) => {
    for (const event of events) (map[event] ??= []).push(flag)
  }
  add(Flags.Guilds, [
    "GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE", "GUILD_ROLE_CREATE", "GUILD_ROLE_UPDATE", "GUILD_ROLE_DELETE",
    "CHANNEL_CREATE", "CHANNEL_UPDATE", "CHANNEL_DELETE", "CHANNEL_PINS_UPDATE", "THREAD_CREATE", "THREAD_UPDATE",
    "THREAD_DELETE", "THREAD_LIST_SYNC", "THREAD_MEMBER_UPDATE", "THREAD_MEMBERS_UPDATE", "STAGE_INSTANCE_CREATE",
    "STAGE_INSTANCE_UPDATE", "STAGE_INSTANCE_DELETE", "VOICE_CHANNEL_STATUS_UPDATE", "VOICE_CHANNEL_START_TIME_UPDATE"
  ])
  add(Flags.GuildMembers, ["GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE", "THREAD_MEMBERS_UPDATE"])
  add(Flags.GuildModeration, ["GUILD_AUDIT_LOG_ENTRY_CREATE", "GUILD_BAN_ADD", "GUILD_BAN_REMOVE"])
  add(Flags.GuildExpressions, [
    "GUILD_EMOJIS_UPDATE", "GUILD_STICKERS_UPDATE", "GUILD_SOUNDBOARD_SOUND_CREATE", "GUILD_SOUNDBOARD_SOUND_UPDATE",
    "GUILD_SOUNDBOARD_SOUND_DELETE", "GUILD_SOUNDBOARD_SOUNDS_UPDATE"
  ])
  add(Flags.GuildIntegrations, ["GUILD_INTEGRATIONS_UPDATE", "INTEGRATION_CREATE", "INTEGRATION_UPDATE", "INTEGRATION_DELETE"])
  add(Flags.GuildWebhooks, ["WEBHOOKS_UPDATE"])
  add(Flags.GuildInvites, ["INVITE_CREATE", "INVITE_DELETE"])
  add(Flags.GuildVoiceStates, ["VOICE_CHANNEL_EFFECT_SEND", "VOICE_STATE_UPDATE"])
  add(Flags.GuildPresences, ["PRESENCE_UPDATE"])
  add(Flags.GuildMessages, ["MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK"])
  const reactions = [
    "MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE", "MESSAGE_REACTION_REMOVE_ALL", "MESSAGE_REACTION_REMOVE_EMOJI"
  ]
  add(Flags.GuildMessageReactions, reactions)
  add(Flags.GuildMessageTyping, ["TYPING_START"])
  add(Flags.DirectMessages, ["MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "CHANNEL_PINS_UPDATE"])
  add(Flags.DirectMessageReactions, reactions)
  add(Flags.DirectMessageTyping, ["TYPING_START"])
  add(Flags.GuildScheduledEvents, [
    "GUILD_SCHEDULED_EVENT_CREATE", "GUILD_SCHEDULED_EVENT_UPDATE", "GUILD_SCHEDULED_EVENT_DELETE",
    "GUILD_SCHEDULED_EVENT_USER_ADD", "GUILD_SCHEDULED_EVENT_USER_REMOVE"
  ])
  add(Flags.AutoModerationConfiguration, [
    "AUTO_MODERATION_RULE_CREATE", "AUTO_MODERATION_RULE_UPDATE", "AUTO_MODERATION_RULE_DELETE"
  ])
  add(Flags.AutoModerationExecution, ["AUTO_MODERATION_ACTION_EXECUTION"])
  add(Flags.GuildMessagePolls, ["MESSAGE_POLL_VOTE_ADD", "MESSAGE_POLL_VOTE_REMOVE"])
  add(Flags.DirectMessagePolls, ["MESSAGE_POLL_VOTE_ADD", "MESSAGE_POLL_VOTE_REMOVE"])
  return map
})()

/**
 * Whether `event` can arrive under `intents` (true for events that need no intent).
 *
 * @since 0.1.0
 * @category predicates
 */
export const canReceive: {
  (event: string): (intents: number) => boolean
  (intents: number, event: string): boolean
} = dual(2, (intents: number, event: string): boolean => {
  const needed = eventIntents[event]
  return needed === undefined || needed.some((flag) => has(intents, flag))
})
