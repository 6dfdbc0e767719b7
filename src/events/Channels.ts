/**
 * Schemas of the data (`d`) of the channel and thread dispatch events
 * (events/gateway-events.mdx, "Channels").
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Channel, ThreadMember } from "../schema/Channel.js"
import { PartialPresence } from "../schema/Presence.js"
import { Snowflake } from "../schema/Snowflake.js"
import { IsoTimestamp } from "../schema/Timestamp.js"

/**
 * CHANNEL_CREATE: a guild channel relevant to the current user was created.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChannelCreate = Channel

/**
 * The data of CHANNEL_CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChannelCreate extends Schema.Schema.Type<typeof ChannelCreate> {}

/**
 * CHANNEL_UPDATE: a channel was updated (not sent when only `last_message_id`
 * changes). It may reference roles or members that no longer exist.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChannelUpdate = Channel

/**
 * The data of CHANNEL_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChannelUpdate extends Schema.Schema.Type<typeof ChannelUpdate> {}

/**
 * CHANNEL_DELETE: a channel relevant to the current user was deleted.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChannelDelete = Channel

/**
 * The data of CHANNEL_DELETE.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChannelDelete extends Schema.Schema.Type<typeof ChannelDelete> {}

/**
 * CHANNEL_PINS_UPDATE: a message was pinned or unpinned (not sent when a
 * pinned message is deleted).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChannelPinsUpdate = Schema.Struct({
  guild_id: Schema.optional(Snowflake),
  channel_id: Snowflake,
  last_pin_timestamp: Schema.optional(Schema.NullOr(IsoTimestamp))
})

/**
 * The data of CHANNEL_PINS_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChannelPinsUpdate extends Schema.Schema.Type<typeof ChannelPinsUpdate> {}

/**
 * THREAD_CREATE: a thread was created, or the current user was added to one.
 * `newly_created` is set for new threads; `member` is set when the current
 * user is added to an existing private thread.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ThreadCreate = Schema.Struct({
  ...Channel.fields,
  newly_created: Schema.optional(Schema.Boolean)
})

/**
 * The data of THREAD_CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface ThreadCreate extends Schema.Schema.Type<typeof ThreadCreate> {}

/**
 * THREAD_UPDATE: a thread was updated (not sent when only `last_message_id`
 * changes).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ThreadUpdate = Channel

/**
 * The data of THREAD_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface ThreadUpdate extends Schema.Schema.Type<typeof ThreadUpdate> {}

/**
 * THREAD_DELETE: a thread relevant to the current user was deleted. Only
 * `id`, `guild_id`, `parent_id` and `type` are sent, and the docs say all four
 * are present (unlike on the channel object, where `guild_id` and `parent_id`
 * are optional).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ThreadDelete = Schema.Struct({
  ...Channel.pick("id", "type").fields,
  guild_id: Snowflake,
  parent_id: Schema.NullOr(Snowflake)
})

/**
 * The data of THREAD_DELETE.
 *
 * @since 0.1.0
 * @category models
 */
export interface ThreadDelete extends Schema.Schema.Type<typeof ThreadDelete> {}

/**
 * THREAD_LIST_SYNC: the current user gained access to a channel. Without
 * `channel_ids`, threads were synced for the whole guild.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ThreadListSync = Schema.Struct({
  guild_id: Snowflake,
  channel_ids: Schema.optional(Schema.Array(Snowflake)),
  threads: Schema.Array(Channel),
  members: Schema.Array(ThreadMember)
})

/**
 * The data of THREAD_LIST_SYNC.
 *
 * @since 0.1.0
 * @category models
 */
export interface ThreadListSync extends Schema.Schema.Type<typeof ThreadListSync> {}

/**
 * THREAD_MEMBER_UPDATE: the thread member of the current user was updated.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ThreadMemberUpdate = Schema.Struct({
  ...ThreadMember.fields,
  guild_id: Snowflake
})

/**
 * The data of THREAD_MEMBER_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface ThreadMemberUpdate extends Schema.Schema.Type<typeof ThreadMemberUpdate> {}

/**
 * A thread member added in THREAD_MEMBERS_UPDATE, with its guild member and
 * nullable presence.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AddedThreadMember = Schema.Struct({
  ...ThreadMember.fields,
  presence: Schema.optional(Schema.NullOr(PartialPresence))
})

/**
 * A thread member added in THREAD_MEMBERS_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface AddedThreadMember extends Schema.Schema.Type<typeof AddedThreadMember> {}

/**
 * THREAD_MEMBERS_UPDATE: users were added to or removed from a thread.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ThreadMembersUpdate = Schema.Struct({
  id: Snowflake,
  guild_id: Snowflake,
  member_count: Schema.Int,
  added_members: Schema.optional(Schema.Array(AddedThreadMember)),
  removed_member_ids: Schema.optional(Schema.Array(Snowflake))
})

/**
 * The data of THREAD_MEMBERS_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface ThreadMembersUpdate extends Schema.Schema.Type<typeof ThreadMembersUpdate> {}

/**
 * The ephemeral data of one channel in CHANNEL_INFO.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChannelInfoChannel = Schema.Struct({
  id: Snowflake,
  status: Schema.optional(Schema.NullOr(Schema.String)),
  voice_start_time: Schema.optional(Schema.NullOr(Schema.Int))
})

/**
 * The ephemeral data of one channel in CHANNEL_INFO.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChannelInfoChannel extends Schema.Schema.Type<typeof ChannelInfoChannel> {}

/**
 * CHANNEL_INFO: ephemeral channel data, the answer to Request Channel Info.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChannelInfo = Schema.Struct({
  guild_id: Snowflake,
  channels: Schema.Array(ChannelInfoChannel)
})

/**
 * The data of CHANNEL_INFO.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChannelInfo extends Schema.Schema.Type<typeof ChannelInfo> {}

/**
 * VOICE_CHANNEL_STATUS_UPDATE: a voice channel's status changed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const VoiceChannelStatusUpdate = Schema.Struct({
  id: Snowflake,
  guild_id: Snowflake,
  status: Schema.NullOr(Schema.String)
})

/**
 * The data of VOICE_CHANNEL_STATUS_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface VoiceChannelStatusUpdate extends Schema.Schema.Type<typeof VoiceChannelStatusUpdate> {}

/**
 * VOICE_CHANNEL_START_TIME_UPDATE: a voice channel's session start time
 * (Unix seconds) changed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const VoiceChannelStartTimeUpdate = Schema.Struct({
  id: Snowflake,
  guild_id: Snowflake,
  voice_start_time: Schema.optional(Schema.NullOr(Schema.Int))
})

/**
 * The data of VOICE_CHANNEL_START_TIME_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface VoiceChannelStartTimeUpdate extends Schema.Schema.Type<typeof VoiceChannelStartTimeUpdate> {}
