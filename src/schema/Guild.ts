/**
 * The guild object, unavailable guilds and the guild of GUILD_CREATE
 * (resources/guild.mdx, events/gateway-events.mdx "Guild Create").
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Channel } from "./Channel.js"
import { Emoji } from "./Emoji.js"
import { Member } from "./Member.js"
import { PartialPresence } from "./Presence.js"
import { Role } from "./Role.js"
import { GuildScheduledEvent } from "./ScheduledEvent.js"
import { Snowflake } from "./Snowflake.js"
import { SoundboardSound } from "./Soundboard.js"
import { StageInstance } from "./StageInstance.js"
import { Sticker } from "./Sticker.js"
import { IsoTimestamp } from "./Timestamp.js"
import { VoiceState } from "./VoiceState.js"

/**
 * Known values of `guild.default_message_notifications`.
 *
 * @since 0.1.0
 * @category constants
 */
export const DefaultMessageNotificationLevel = {
  AllMessages: 0,
  OnlyMentions: 1
} as const

/**
 * Known values of `guild.explicit_content_filter`.
 *
 * @since 0.1.0
 * @category constants
 */
export const ExplicitContentFilterLevel = {
  Disabled: 0,
  MembersWithoutRoles: 1,
  AllMembers: 2
} as const

/**
 * Known values of `guild.mfa_level`.
 *
 * @since 0.1.0
 * @category constants
 */
export const MfaLevel = {
  None: 0,
  Elevated: 1
} as const

/**
 * Known values of `guild.verification_level`.
 *
 * @since 0.1.0
 * @category constants
 */
export const VerificationLevel = {
  None: 0,
  Low: 1,
  Medium: 2,
  High: 3,
  VeryHigh: 4
} as const

/**
 * Known values of `guild.nsfw_level`.
 *
 * @since 0.1.0
 * @category constants
 */
export const GuildNsfwLevel = {
  Default: 0,
  Explicit: 1,
  Safe: 2,
  AgeRestricted: 3
} as const

/**
 * Known values of `guild.premium_tier`.
 *
 * @since 0.1.0
 * @category constants
 */
export const PremiumTier = {
  None: 0,
  Tier1: 1,
  Tier2: 2,
  Tier3: 3
} as const

/**
 * Known bits of `guild.system_channel_flags`.
 *
 * @since 0.1.0
 * @category constants
 */
export const SystemChannelFlags = {
  SuppressJoinNotifications: 1 << 0,
  SuppressPremiumSubscriptions: 1 << 1,
  SuppressGuildReminderNotifications: 1 << 2,
  SuppressJoinNotificationReplies: 1 << 3,
  SuppressRoleSubscriptionPurchaseNotifications: 1 << 4,
  SuppressRoleSubscriptionPurchaseNotificationReplies: 1 << 5
} as const

/**
 * Known entries of `guild.features`. Decoding accepts any string.
 *
 * @since 0.1.0
 * @category constants
 */
export const GuildFeature = {
  AnimatedBanner: "ANIMATED_BANNER",
  AnimatedIcon: "ANIMATED_ICON",
  ApplicationCommandPermissionsV2: "APPLICATION_COMMAND_PERMISSIONS_V2",
  AutoModeration: "AUTO_MODERATION",
  Banner: "BANNER",
  Community: "COMMUNITY",
  CreatorMonetizableProvisional: "CREATOR_MONETIZABLE_PROVISIONAL",
  CreatorStorePage: "CREATOR_STORE_PAGE",
  DeveloperSupportServer: "DEVELOPER_SUPPORT_SERVER",
  Discoverable: "DISCOVERABLE",
  Featurable: "FEATURABLE",
  InvitesDisabled: "INVITES_DISABLED",
  InviteSplash: "INVITE_SPLASH",
  MemberVerificationGateEnabled: "MEMBER_VERIFICATION_GATE_ENABLED",
  MoreSoundboard: "MORE_SOUNDBOARD",
  MoreStickers: "MORE_STICKERS",
  News: "NEWS",
  Partnered: "PARTNERED",
  PreviewEnabled: "PREVIEW_ENABLED",
  RaidAlertsDisabled: "RAID_ALERTS_DISABLED",
  RoleIcons: "ROLE_ICONS",
  RoleSubscriptionsAvailableForPurchase: "ROLE_SUBSCRIPTIONS_AVAILABLE_FOR_PURCHASE",
  RoleSubscriptionsEnabled: "ROLE_SUBSCRIPTIONS_ENABLED",
  Soundboard: "SOUNDBOARD",
  TicketedEventsEnabled: "TICKETED_EVENTS_ENABLED",
  VanityUrl: "VANITY_URL",
  Verified: "VERIFIED",
  VipRegions: "VIP_REGIONS",
  WelcomeScreenEnabled: "WELCOME_SCREEN_ENABLED",
  GuestsEnabled: "GUESTS_ENABLED",
  GuildTags: "GUILD_TAGS",
  EnhancedRoleColors: "ENHANCED_ROLE_COLORS"
} as const

/**
 * A channel shown on a guild's welcome screen.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WelcomeScreenChannel = Schema.Struct({
  channel_id: Snowflake,
  description: Schema.String,
  emoji_id: Schema.NullOr(Snowflake),
  emoji_name: Schema.NullOr(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface WelcomeScreenChannel extends Schema.Schema.Type<typeof WelcomeScreenChannel> {}

/**
 * The welcome screen a Community guild shows to new members.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WelcomeScreen = Schema.Struct({
  description: Schema.NullOr(Schema.String),
  welcome_channels: Schema.Array(WelcomeScreenChannel)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface WelcomeScreen extends Schema.Schema.Type<typeof WelcomeScreen> {}

/**
 * The raid and spam incidents of a guild.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IncidentsData = Schema.Struct({
  invites_disabled_until: Schema.NullOr(IsoTimestamp),
  dms_disabled_until: Schema.NullOr(IsoTimestamp),
  dm_spam_detected_at: Schema.optional(Schema.NullOr(IsoTimestamp)),
  raid_detected_at: Schema.optional(Schema.NullOr(IsoTimestamp))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface IncidentsData extends Schema.Schema.Type<typeof IncidentsData> {}

/**
 * A guild (a "server"). The extra fields of GUILD_CREATE are in `AvailableGuild`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Guild = Schema.Struct({
  id: Snowflake,
  name: Schema.String,
  icon: Schema.NullOr(Schema.String),
  icon_hash: Schema.optional(Schema.NullOr(Schema.String)),
  splash: Schema.NullOr(Schema.String),
  discovery_splash: Schema.NullOr(Schema.String),
  owner: Schema.optional(Schema.Boolean),
  owner_id: Snowflake,
  permissions: Schema.optional(Schema.String),
  region: Schema.optional(Schema.NullOr(Schema.String)),
  afk_channel_id: Schema.NullOr(Snowflake),
  afk_timeout: Schema.Int,
  widget_enabled: Schema.optional(Schema.Boolean),
  widget_channel_id: Schema.optional(Schema.NullOr(Snowflake)),
  verification_level: Schema.Int,
  default_message_notifications: Schema.Int,
  explicit_content_filter: Schema.Int,
  roles: Schema.Array(Role),
  emojis: Schema.Array(Emoji),
  features: Schema.Array(Schema.String),
  mfa_level: Schema.Int,
  /** Absent from the guilds of Spacebar (an independent Discord-compatible server). */
  application_id: Schema.optional(Schema.NullOr(Snowflake)),
  system_channel_id: Schema.NullOr(Snowflake),
  system_channel_flags: Schema.Int,
  rules_channel_id: Schema.NullOr(Snowflake),
  max_presences: Schema.optional(Schema.NullOr(Schema.Int)),
  max_members: Schema.optional(Schema.Int),
  /** Absent from the guilds of Spacebar (an independent Discord-compatible server). */
  vanity_url_code: Schema.optional(Schema.NullOr(Schema.String)),
  description: Schema.NullOr(Schema.String),
  banner: Schema.NullOr(Schema.String),
  premium_tier: Schema.Int,
  premium_subscription_count: Schema.optional(Schema.Int),
  preferred_locale: Schema.String,
  /** Added 2020-02 (Community guilds); absent from payloads sent before. */
  public_updates_channel_id: Schema.optional(Schema.NullOr(Snowflake)),
  max_video_channel_users: Schema.optional(Schema.Int),
  max_stage_video_channel_users: Schema.optional(Schema.Int),
  approximate_member_count: Schema.optional(Schema.Int),
  approximate_presence_count: Schema.optional(Schema.Int),
  welcome_screen: Schema.optional(WelcomeScreen),
  /** Added 2021-07 (guild NSFW levels); absent from payloads sent before. */
  nsfw_level: Schema.optional(Schema.Int),
  stickers: Schema.optional(Schema.Array(Sticker)),
  /** Added 2021-11 (boost progress bar); absent from payloads sent before. */
  premium_progress_bar_enabled: Schema.optional(Schema.Boolean),
  /** Added 2023-05 (raid alerts); absent from payloads sent before. */
  safety_alerts_channel_id: Schema.optional(Schema.NullOr(Snowflake)),
  /** Added 2024 (security actions: paused invites and DMs); absent from payloads sent before. */
  incidents_data: Schema.optional(Schema.NullOr(IncidentsData))
})

/**
 * A guild.
 *
 * @since 0.1.0
 * @category models
 */
export interface Guild extends Schema.Schema.Type<typeof Guild> {}

/**
 * A guild whose data has not been sent yet (READY) or that is down in an outage.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnavailableGuild = Schema.Struct({
  id: Snowflake,
  unavailable: Schema.optional(Schema.Boolean)
})

/**
 * A guild known only by its id.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnavailableGuild extends Schema.Schema.Type<typeof UnavailableGuild> {}

/**
 * A guild of which only the `id` is guaranteed, as in an interaction or an
 * application.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PartialGuild = Schema.Struct({ id: Snowflake }).pipe(
  Schema.extend(Schema.partialWith(Guild.omit("id"), { exact: true }))
)

/**
 * A guild of which only the `id` is guaranteed.
 *
 * @since 0.1.0
 * @category models
 */
export interface PartialGuild extends Schema.Schema.Type<typeof PartialGuild> {}

/**
 * An available guild as sent in GUILD_CREATE: the guild object plus the state
 * a client needs to start (members, channels, threads, presences, voice states...).
 *
 * @since 0.1.0
 * @category schemas
 */
export const AvailableGuild = Schema.Struct({
  ...Guild.fields,
  joined_at: IsoTimestamp,
  large: Schema.Boolean,
  // `true` is the `{ id, unavailable: true }` form of GUILD_CREATE; allowing it
  // here would let a value of this type decode as that form and lose its fields.
  unavailable: Schema.optional(Schema.Literal(false)),
  member_count: Schema.Int,
  voice_states: Schema.Array(VoiceState),
  members: Schema.Array(Member),
  channels: Schema.Array(Channel),
  /** Added 2021-04 (threads, API v9); absent from payloads sent before. */
  threads: Schema.optional(Schema.Array(Channel)),
  presences: Schema.Array(PartialPresence),
  /** Added 2021-06 (stage instances); absent from payloads sent before. */
  stage_instances: Schema.optional(Schema.Array(StageInstance)),
  /** Added 2021-11 (guild scheduled events); absent from payloads sent before. */
  guild_scheduled_events: Schema.optional(Schema.Array(GuildScheduledEvent)),
  /** Added 2024-09 (soundboard API); absent from payloads sent before. */
  soundboard_sounds: Schema.optional(Schema.Array(SoundboardSound))
})

/**
 * A guild with the extra fields of GUILD_CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface AvailableGuild extends Schema.Schema.Type<typeof AvailableGuild> {}
