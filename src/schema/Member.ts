/**
 * The guild member object (resources/guild.mdx, "Guild Member Object").
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Snowflake } from "./Snowflake.js"
import { IsoTimestamp } from "./Timestamp.js"
import { AvatarDecorationData, Collectibles, User } from "./User.js"

/**
 * Known bits of `member.flags`.
 *
 * @since 0.1.0
 * @category constants
 */
export const GuildMemberFlags = {
  DidRejoin: 1 << 0,
  CompletedOnboarding: 1 << 1,
  BypassesVerification: 1 << 2,
  StartedOnboarding: 1 << 3,
  IsGuest: 1 << 4,
  StartedHomeActions: 1 << 5,
  CompletedHomeActions: 1 << 6,
  AutomodQuarantinedUsername: 1 << 7,
  DmSettingsUpsellAcknowledged: 1 << 9,
  AutomodQuarantinedGuildTag: 1 << 10
} as const

const memberFields = {
  nick: Schema.optional(Schema.NullOr(Schema.String)),
  avatar: Schema.optional(Schema.NullOr(Schema.String)),
  banner: Schema.optional(Schema.NullOr(Schema.String)),
  roles: Schema.Array(Snowflake),
  joined_at: Schema.NullOr(IsoTimestamp),
  premium_since: Schema.optional(Schema.NullOr(IsoTimestamp)),
  deaf: Schema.Boolean,
  mute: Schema.Boolean,
  /** Added 2023-01 (guild member flags, with onboarding); absent from payloads sent before. */
  flags: Schema.optional(Schema.Int),
  pending: Schema.optional(Schema.Boolean),
  permissions: Schema.optional(Schema.String),
  communication_disabled_until: Schema.optional(Schema.NullOr(IsoTimestamp)),
  avatar_decoration_data: Schema.optional(Schema.NullOr(AvatarDecorationData)),
  collectibles: Schema.optional(Schema.NullOr(Collectibles))
}

/**
 * A user's membership of a guild.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Member = Schema.Struct({
  user: Schema.optional(User),
  ...memberFields
})

/**
 * A user's membership of a guild.
 *
 * @since 0.1.0
 * @category models
 */
export interface Member extends Schema.Schema.Type<typeof Member> {}

/**
 * The partial member attached to MESSAGE_CREATE, MESSAGE_UPDATE, mentions and
 * interaction resolved data: no `user`, and `deaf` and `mute` may be missing.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PartialMember = Schema.Struct({
  ...memberFields,
  deaf: Schema.optional(Schema.Boolean),
  mute: Schema.optional(Schema.Boolean)
})

/**
 * A member without its user.
 *
 * @since 0.1.0
 * @category models
 */
export interface PartialMember extends Schema.Schema.Type<typeof PartialMember> {}
