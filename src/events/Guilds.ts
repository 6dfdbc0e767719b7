/**
 * Schemas of the data (`d`) of the guild dispatch events
 * (events/gateway-events.mdx, "Guilds" and "Integrations").
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Emoji } from "../schema/Emoji.js"
import { Guild, UnavailableGuild } from "../schema/Guild.js"
import { Member } from "../schema/Member.js"
import { Role } from "../schema/Role.js"
import { GuildScheduledEvent } from "../schema/ScheduledEvent.js"
import { Snowflake } from "../schema/Snowflake.js"
import { SoundboardSound } from "../schema/Soundboard.js"
import { Sticker } from "../schema/Sticker.js"
import { IsoTimestamp } from "../schema/Timestamp.js"
import { AvatarDecorationData, Collectibles, User } from "../schema/User.js"

/**
 * GUILD_UPDATE: a guild was updated.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildUpdate = Guild

/**
 * The data of GUILD_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildUpdate extends Schema.Schema.Type<typeof GuildUpdate> {}

/**
 * GUILD_DELETE: a guild became unavailable in an outage, or the current user
 * left or was removed from it (then `unavailable` is not set).
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildDelete = UnavailableGuild

/**
 * The data of GUILD_DELETE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildDelete extends Schema.Schema.Type<typeof GuildDelete> {}

/**
 * GUILD_BAN_ADD: a user was banned from a guild.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildBanAdd = Schema.Struct({
  guild_id: Snowflake,
  user: User
})

/**
 * The data of GUILD_BAN_ADD.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildBanAdd extends Schema.Schema.Type<typeof GuildBanAdd> {}

/**
 * GUILD_BAN_REMOVE: a user was unbanned from a guild.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildBanRemove = GuildBanAdd

/**
 * The data of GUILD_BAN_REMOVE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildBanRemove extends Schema.Schema.Type<typeof GuildBanRemove> {}

/**
 * GUILD_EMOJIS_UPDATE: a guild's emojis were updated; `emojis` is the full list.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildEmojisUpdate = Schema.Struct({
  guild_id: Snowflake,
  emojis: Schema.Array(Emoji)
})

/**
 * The data of GUILD_EMOJIS_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildEmojisUpdate extends Schema.Schema.Type<typeof GuildEmojisUpdate> {}

/**
 * GUILD_STICKERS_UPDATE: a guild's stickers were updated; `stickers` is the
 * full list.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildStickersUpdate = Schema.Struct({
  guild_id: Snowflake,
  stickers: Schema.Array(Sticker)
})

/**
 * The data of GUILD_STICKERS_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildStickersUpdate extends Schema.Schema.Type<typeof GuildStickersUpdate> {}

/**
 * GUILD_INTEGRATIONS_UPDATE: a guild integration was updated.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildIntegrationsUpdate = Schema.Struct({
  guild_id: Snowflake
})

/**
 * The data of GUILD_INTEGRATIONS_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildIntegrationsUpdate extends Schema.Schema.Type<typeof GuildIntegrationsUpdate> {}

/**
 * GUILD_MEMBER_ADD: a user joined a guild (possibly one they were already in).
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildMemberAdd = Schema.Struct({
  ...Member.fields,
  guild_id: Snowflake
})

/**
 * The data of GUILD_MEMBER_ADD.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildMemberAdd extends Schema.Schema.Type<typeof GuildMemberAdd> {}

/**
 * GUILD_MEMBER_REMOVE: a user left a guild, or was kicked or banned.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildMemberRemove = Schema.Struct({
  guild_id: Snowflake,
  user: User
})

/**
 * The data of GUILD_MEMBER_REMOVE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildMemberRemove extends Schema.Schema.Type<typeof GuildMemberRemove> {}

/**
 * GUILD_MEMBER_UPDATE: a guild member, or its user, was updated. `flags` is
 * not in the docs' field table but is sent; it is kept when present.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildMemberUpdate = Schema.Struct({
  guild_id: Snowflake,
  roles: Schema.Array(Snowflake),
  user: User,
  nick: Schema.optional(Schema.NullOr(Schema.String)),
  /** Added 2021-10 (per-guild avatars); absent from payloads sent before. */
  avatar: Schema.optional(Schema.NullOr(Schema.String)),
  /** Added 2024-07 (guild member banners); absent from payloads sent before. */
  banner: Schema.optional(Schema.NullOr(Schema.String)),
  /** Added 2020-08 (documented then; a payload captured in February 2020 lacks it); absent from payloads sent before. */
  joined_at: Schema.optional(Schema.NullOr(IsoTimestamp)),
  premium_since: Schema.optional(Schema.NullOr(IsoTimestamp)),
  deaf: Schema.optional(Schema.Boolean),
  mute: Schema.optional(Schema.Boolean),
  pending: Schema.optional(Schema.Boolean),
  communication_disabled_until: Schema.optional(Schema.NullOr(IsoTimestamp)),
  flags: Schema.optional(Schema.Int),
  avatar_decoration_data: Schema.optional(Schema.NullOr(AvatarDecorationData)),
  collectibles: Schema.optional(Schema.NullOr(Collectibles))
})

/**
 * The data of GUILD_MEMBER_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildMemberUpdate extends Schema.Schema.Type<typeof GuildMemberUpdate> {}

/**
 * GUILD_ROLE_CREATE: a guild role was created.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildRoleCreate = Schema.Struct({
  guild_id: Snowflake,
  role: Role
})

/**
 * The data of GUILD_ROLE_CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildRoleCreate extends Schema.Schema.Type<typeof GuildRoleCreate> {}

/**
 * GUILD_ROLE_UPDATE: a guild role was updated.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildRoleUpdate = GuildRoleCreate

/**
 * The data of GUILD_ROLE_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildRoleUpdate extends Schema.Schema.Type<typeof GuildRoleUpdate> {}

/**
 * GUILD_ROLE_DELETE: a guild role was deleted.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildRoleDelete = Schema.Struct({
  guild_id: Snowflake,
  role_id: Snowflake
})

/**
 * The data of GUILD_ROLE_DELETE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildRoleDelete extends Schema.Schema.Type<typeof GuildRoleDelete> {}

/**
 * GUILD_SCHEDULED_EVENT_CREATE: a guild scheduled event was created.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildScheduledEventCreate = GuildScheduledEvent

/**
 * The data of GUILD_SCHEDULED_EVENT_CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildScheduledEventCreate extends Schema.Schema.Type<typeof GuildScheduledEventCreate> {}

/**
 * GUILD_SCHEDULED_EVENT_UPDATE: a guild scheduled event was updated.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildScheduledEventUpdate = GuildScheduledEvent

/**
 * The data of GUILD_SCHEDULED_EVENT_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildScheduledEventUpdate extends Schema.Schema.Type<typeof GuildScheduledEventUpdate> {}

/**
 * GUILD_SCHEDULED_EVENT_DELETE: a guild scheduled event was deleted.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildScheduledEventDelete = GuildScheduledEvent

/**
 * The data of GUILD_SCHEDULED_EVENT_DELETE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildScheduledEventDelete extends Schema.Schema.Type<typeof GuildScheduledEventDelete> {}

/**
 * GUILD_SCHEDULED_EVENT_USER_ADD: a user subscribed to a guild scheduled event.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildScheduledEventUserAdd = Schema.Struct({
  guild_scheduled_event_id: Snowflake,
  user_id: Snowflake,
  guild_id: Snowflake
})

/**
 * The data of GUILD_SCHEDULED_EVENT_USER_ADD.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildScheduledEventUserAdd extends Schema.Schema.Type<typeof GuildScheduledEventUserAdd> {}

/**
 * GUILD_SCHEDULED_EVENT_USER_REMOVE: a user unsubscribed from a guild
 * scheduled event.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildScheduledEventUserRemove = GuildScheduledEventUserAdd

/**
 * The data of GUILD_SCHEDULED_EVENT_USER_REMOVE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildScheduledEventUserRemove extends Schema.Schema.Type<typeof GuildScheduledEventUserRemove> {}

/**
 * GUILD_SOUNDBOARD_SOUND_CREATE: a guild soundboard sound was created.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildSoundboardSoundCreate = SoundboardSound

/**
 * The data of GUILD_SOUNDBOARD_SOUND_CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildSoundboardSoundCreate extends Schema.Schema.Type<typeof GuildSoundboardSoundCreate> {}

/**
 * GUILD_SOUNDBOARD_SOUND_UPDATE: a guild soundboard sound was updated.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildSoundboardSoundUpdate = SoundboardSound

/**
 * The data of GUILD_SOUNDBOARD_SOUND_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildSoundboardSoundUpdate extends Schema.Schema.Type<typeof GuildSoundboardSoundUpdate> {}

/**
 * GUILD_SOUNDBOARD_SOUND_DELETE: a guild soundboard sound was deleted.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildSoundboardSoundDelete = Schema.Struct({
  sound_id: Snowflake,
  guild_id: Snowflake
})

/**
 * The data of GUILD_SOUNDBOARD_SOUND_DELETE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildSoundboardSoundDelete extends Schema.Schema.Type<typeof GuildSoundboardSoundDelete> {}

/**
 * GUILD_SOUNDBOARD_SOUNDS_UPDATE: several guild soundboard sounds were updated.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildSoundboardSoundsUpdate = Schema.Struct({
  soundboard_sounds: Schema.Array(SoundboardSound),
  guild_id: Snowflake
})

/**
 * The data of GUILD_SOUNDBOARD_SOUNDS_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildSoundboardSoundsUpdate extends Schema.Schema.Type<typeof GuildSoundboardSoundsUpdate> {}

/**
 * SOUNDBOARD_SOUNDS: a guild's soundboard sounds, the answer to Request
 * Soundboard Sounds (one event per guild).
 *
 * @since 0.1.0
 * @category schemas
 */
export const SoundboardSounds = GuildSoundboardSoundsUpdate

/**
 * The data of SOUNDBOARD_SOUNDS.
 *
 * @since 0.1.0
 * @category models
 */
export interface SoundboardSounds extends Schema.Schema.Type<typeof SoundboardSounds> {}

/**
 * INTEGRATION_DELETE: an integration was deleted.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IntegrationDelete = Schema.Struct({
  id: Snowflake,
  guild_id: Snowflake,
  application_id: Schema.optional(Snowflake)
})

/**
 * The data of INTEGRATION_DELETE.
 *
 * @since 0.1.0
 * @category models
 */
export interface IntegrationDelete extends Schema.Schema.Type<typeof IntegrationDelete> {}
