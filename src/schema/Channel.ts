/**
 * The channel object, threads and their parts (resources/channel.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Member } from "./Member.js"
import { Snowflake } from "./Snowflake.js"
import { IsoTimestamp } from "./Timestamp.js"
import { User } from "./User.js"

/**
 * Known values of `channel.type`. Decoding accepts any number, so channel types
 * added after this list still decode.
 *
 * @since 0.1.0
 * @category constants
 */
export const ChannelType = {
  GuildText: 0,
  Dm: 1,
  GuildVoice: 2,
  GroupDm: 3,
  GuildCategory: 4,
  GuildAnnouncement: 5,
  AnnouncementThread: 10,
  PublicThread: 11,
  PrivateThread: 12,
  GuildStageVoice: 13,
  GuildDirectory: 14,
  GuildForum: 15,
  GuildMedia: 16
} as const

/**
 * Known bits of `channel.flags`.
 *
 * @since 0.1.0
 * @category constants
 */
export const ChannelFlags = {
  Pinned: 1 << 1,
  RequireTag: 1 << 4,
  HideMediaDownloadOptions: 1 << 15,
  IsSpoilerChannel: 1 << 21
} as const

/**
 * Known values of `channel.video_quality_mode`.
 *
 * @since 0.1.0
 * @category constants
 */
export const VideoQualityMode = {
  Auto: 1,
  Full: 2
} as const

/**
 * Known values of `channel.default_sort_order`.
 *
 * @since 0.1.0
 * @category constants
 */
export const SortOrderType = {
  LatestActivity: 0,
  CreationDate: 1
} as const

/**
 * Known values of `channel.default_forum_layout`.
 *
 * @since 0.1.0
 * @category constants
 */
export const ForumLayoutType = {
  NotSet: 0,
  ListView: 1,
  GalleryView: 2
} as const

/**
 * Known values of `overwrite.type`.
 *
 * @since 0.1.0
 * @category constants
 */
export const OverwriteType = {
  Role: 0,
  Member: 1
} as const

/**
 * A permission overwrite for a role or a member; `allow` and `deny` are
 * permission bit sets as decimal strings.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Overwrite = Schema.Struct({
  id: Snowflake,
  type: Schema.Int,
  allow: Schema.String,
  deny: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Overwrite extends Schema.Schema.Type<typeof Overwrite> {}

/**
 * The thread-specific fields of a thread channel.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ThreadMetadata = Schema.Struct({
  archived: Schema.Boolean,
  auto_archive_duration: Schema.Int,
  archive_timestamp: IsoTimestamp,
  /** Optional (`locked?`) from the launch of threads until 2024-11; absent from some payloads sent before. */
  locked: Schema.optional(Schema.Boolean),
  invitable: Schema.optional(Schema.Boolean),
  create_timestamp: Schema.optional(Schema.NullOr(IsoTimestamp))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ThreadMetadata extends Schema.Schema.Type<typeof ThreadMetadata> {}

/**
 * A user's membership of a thread. `id` and `user_id` are omitted on the
 * thread members inside GUILD_CREATE.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ThreadMember = Schema.Struct({
  id: Schema.optional(Snowflake),
  user_id: Schema.optional(Snowflake),
  join_timestamp: IsoTimestamp,
  flags: Schema.Int,
  member: Schema.optional(Member)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ThreadMember extends Schema.Schema.Type<typeof ThreadMember> {}

/**
 * The emoji shown on the add-reaction button of forum posts.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DefaultReaction = Schema.Struct({
  emoji_id: Schema.NullOr(Snowflake),
  emoji_name: Schema.NullOr(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface DefaultReaction extends Schema.Schema.Type<typeof DefaultReaction> {}

/**
 * A tag that can be applied to threads of a forum or media channel.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ForumTag = Schema.Struct({
  id: Snowflake,
  name: Schema.String,
  moderated: Schema.Boolean,
  emoji_id: Schema.NullOr(Snowflake),
  emoji_name: Schema.NullOr(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ForumTag extends Schema.Schema.Type<typeof ForumTag> {}

/**
 * A guild channel, DM, group DM or thread. Only `id` and `type` are always
 * present; the rest depends on the channel type. Also used for the partial
 * channels of interactions.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Channel = Schema.Struct({
  id: Snowflake,
  type: Schema.Int,
  guild_id: Schema.optional(Snowflake),
  position: Schema.optional(Schema.Int),
  permission_overwrites: Schema.optional(Schema.Array(Overwrite)),
  name: Schema.optional(Schema.NullOr(Schema.String)),
  topic: Schema.optional(Schema.NullOr(Schema.String)),
  nsfw: Schema.optional(Schema.Boolean),
  last_message_id: Schema.optional(Schema.NullOr(Snowflake)),
  bitrate: Schema.optional(Schema.Int),
  user_limit: Schema.optional(Schema.Int),
  rate_limit_per_user: Schema.optional(Schema.Int),
  recipients: Schema.optional(Schema.Array(User)),
  icon: Schema.optional(Schema.NullOr(Schema.String)),
  owner_id: Schema.optional(Snowflake),
  application_id: Schema.optional(Schema.NullOr(Snowflake)),
  managed: Schema.optional(Schema.Boolean),
  parent_id: Schema.optional(Schema.NullOr(Snowflake)),
  last_pin_timestamp: Schema.optional(Schema.NullOr(IsoTimestamp)),
  rtc_region: Schema.optional(Schema.NullOr(Schema.String)),
  /** `null` in channels sent by Spacebar (an independent Discord-compatible server): the default mode. */
  video_quality_mode: Schema.optional(Schema.NullOr(Schema.Int)),
  message_count: Schema.optional(Schema.Int),
  member_count: Schema.optional(Schema.Int),
  thread_metadata: Schema.optional(ThreadMetadata),
  member: Schema.optional(ThreadMember),
  default_auto_archive_duration: Schema.optional(Schema.Int),
  permissions: Schema.optional(Schema.String),
  app_permissions: Schema.optional(Schema.String),
  flags: Schema.optional(Schema.Int),
  total_message_sent: Schema.optional(Schema.Int),
  available_tags: Schema.optional(Schema.Array(ForumTag)),
  applied_tags: Schema.optional(Schema.Array(Snowflake)),
  default_reaction_emoji: Schema.optional(Schema.NullOr(DefaultReaction)),
  default_thread_rate_limit_per_user: Schema.optional(Schema.Int),
  default_sort_order: Schema.optional(Schema.NullOr(Schema.Int)),
  default_forum_layout: Schema.optional(Schema.Int)
})

/**
 * A channel or thread.
 *
 * @since 0.1.0
 * @category models
 */
export interface Channel extends Schema.Schema.Type<typeof Channel> {}

