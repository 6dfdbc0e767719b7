/**
 * The user object and its parts (resources/user.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Snowflake } from "./Snowflake.js"

/**
 * Known bits of `user.flags` and `user.public_flags`.
 *
 * @since 0.1.0
 * @category constants
 */
export const UserFlags = {
  Staff: 1 << 0,
  Partner: 1 << 1,
  Hypesquad: 1 << 2,
  BugHunterLevel1: 1 << 3,
  HypesquadOnlineHouse1: 1 << 6,
  HypesquadOnlineHouse2: 1 << 7,
  HypesquadOnlineHouse3: 1 << 8,
  PremiumEarlySupporter: 1 << 9,
  TeamPseudoUser: 1 << 10,
  BugHunterLevel2: 1 << 14,
  VerifiedBot: 1 << 16,
  VerifiedDeveloper: 1 << 17,
  CertifiedModerator: 1 << 18,
  BotHttpInteractions: 1 << 19
} as const

/**
 * Known values of `user.premium_type`.
 *
 * @since 0.1.0
 * @category constants
 */
export const PremiumType = {
  None: 0,
  NitroClassic: 1,
  Nitro: 2,
  NitroBasic: 3
} as const

/**
 * The avatar decoration of a user or member.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AvatarDecorationData = Schema.Struct({
  asset: Schema.String,
  sku_id: Snowflake
})

/**
 * @since 0.1.0
 * @category models
 */
export interface AvatarDecorationData extends Schema.Schema.Type<typeof AvatarDecorationData> {}

/**
 * A nameplate shown behind a user's name.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Nameplate = Schema.Struct({
  sku_id: Snowflake,
  asset: Schema.String,
  label: Schema.String,
  palette: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Nameplate extends Schema.Schema.Type<typeof Nameplate> {}

/**
 * The collectibles of a user or member, other than avatar decorations.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Collectibles = Schema.Struct({
  nameplate: Schema.optional(Nameplate)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Collectibles extends Schema.Schema.Type<typeof Collectibles> {}

/**
 * The guild whose server tag a user displays.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserPrimaryGuild = Schema.Struct({
  identity_guild_id: Schema.NullOr(Snowflake),
  identity_enabled: Schema.NullOr(Schema.Boolean),
  tag: Schema.NullOr(Schema.String),
  badge: Schema.NullOr(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface UserPrimaryGuild extends Schema.Schema.Type<typeof UserPrimaryGuild> {}

/**
 * A Discord user: a person, a bot, or (as a message author) a webhook.
 *
 * @since 0.1.0
 * @category schemas
 */
export const User = Schema.Struct({
  id: Snowflake,
  username: Schema.String,
  discriminator: Schema.String,
  /** Added 2023-05 (new usernames); absent from payloads sent before. */
  global_name: Schema.optional(Schema.NullOr(Schema.String)),
  avatar: Schema.NullOr(Schema.String),
  bot: Schema.optional(Schema.Boolean),
  system: Schema.optional(Schema.Boolean),
  mfa_enabled: Schema.optional(Schema.Boolean),
  banner: Schema.optional(Schema.NullOr(Schema.String)),
  accent_color: Schema.optional(Schema.NullOr(Schema.Int)),
  locale: Schema.optional(Schema.String),
  verified: Schema.optional(Schema.Boolean),
  email: Schema.optional(Schema.NullOr(Schema.String)),
  flags: Schema.optional(Schema.Int),
  premium_type: Schema.optional(Schema.Int),
  public_flags: Schema.optional(Schema.Int),
  avatar_decoration_data: Schema.optional(Schema.NullOr(AvatarDecorationData)),
  collectibles: Schema.optional(Schema.NullOr(Collectibles)),
  primary_guild: Schema.optional(Schema.NullOr(UserPrimaryGuild))
})

/**
 * A Discord user.
 *
 * @since 0.1.0
 * @category models
 */
export interface User extends Schema.Schema.Type<typeof User> {}

/**
 * A user of whom only the `id` is guaranteed, as in PRESENCE_UPDATE and in an
 * application's `bot` and `owner`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PartialUser = Schema.Struct({ id: Snowflake }).pipe(
  Schema.extend(Schema.partialWith(User.omit("id"), { exact: true }))
)

/**
 * A user of whom only the `id` is guaranteed.
 *
 * @since 0.1.0
 * @category models
 */
export interface PartialUser extends Schema.Schema.Type<typeof PartialUser> {}
