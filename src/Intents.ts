/**
 * Gateway intents: the bit flags sent in Identify that choose which events Discord sends.
 *
 * @since 0.1.0
 */

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
 * Whether `intents` contains every bit of `flag`.
 *
 * @since 0.1.0
 * @category predicates
 */
export const has = (intents: number, flag: number): boolean => (intents & flag) === flag

/**
 * `intents` with `flag` added.
 *
 * @since 0.1.0
 * @category combinators
 */
export const add = (intents: number, flag: number): number => intents | flag

/**
 * `intents` with `flag` removed.
 *
 * @since 0.1.0
 * @category combinators
 */
export const remove = (intents: number, flag: number): number => intents & ~flag

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
