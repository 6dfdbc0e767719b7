/**
 * Schemas of the data (`d`) of the message, reaction, typing and poll dispatch
 * events (events/gateway-events.mdx, "Messages", "Presence" and "Polls").
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { PartialEmoji } from "../schema/Emoji.js"
import { Member } from "../schema/Member.js"
import { Snowflake } from "../schema/Snowflake.js"

/**
 * MESSAGE_DELETE_BULK: several messages were deleted at once.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageDeleteBulk = Schema.Struct({
  ids: Schema.Array(Snowflake),
  channel_id: Snowflake,
  guild_id: Schema.optional(Snowflake)
})

/**
 * The data of MESSAGE_DELETE_BULK.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageDeleteBulk extends Schema.Schema.Type<typeof MessageDeleteBulk> {}

/**
 * MESSAGE_REACTION_ADD: a user reacted to a message. `member` is set in guilds;
 * `burst` is true for super-reactions.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageReactionAdd = Schema.Struct({
  user_id: Snowflake,
  channel_id: Snowflake,
  message_id: Snowflake,
  guild_id: Schema.optional(Snowflake),
  member: Schema.optional(Member),
  emoji: PartialEmoji,
  message_author_id: Schema.optional(Snowflake),
  /** Added 2023-07 (super reactions); absent from payloads sent before. */
  burst: Schema.optional(Schema.Boolean),
  burst_colors: Schema.optional(Schema.Array(Schema.String)),
  /** Added 2023-07 (super reactions); absent from payloads sent before. */
  type: Schema.optional(Schema.Int)
})

/**
 * The data of MESSAGE_REACTION_ADD.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageReactionAdd extends Schema.Schema.Type<typeof MessageReactionAdd> {}

/**
 * MESSAGE_REACTION_REMOVE: a user removed a reaction from a message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageReactionRemove = Schema.Struct({
  user_id: Snowflake,
  channel_id: Snowflake,
  message_id: Snowflake,
  guild_id: Schema.optional(Snowflake),
  emoji: PartialEmoji,
  /** Added 2023-07 (super reactions); absent from payloads sent before. */
  burst: Schema.optional(Schema.Boolean),
  /** Added 2023-07 (super reactions); absent from payloads sent before. */
  type: Schema.optional(Schema.Int)
})

/**
 * The data of MESSAGE_REACTION_REMOVE.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageReactionRemove extends Schema.Schema.Type<typeof MessageReactionRemove> {}

/**
 * MESSAGE_REACTION_REMOVE_ALL: all reactions were removed from a message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageReactionRemoveAll = Schema.Struct({
  channel_id: Snowflake,
  message_id: Snowflake,
  guild_id: Schema.optional(Snowflake)
})

/**
 * The data of MESSAGE_REACTION_REMOVE_ALL.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageReactionRemoveAll extends Schema.Schema.Type<typeof MessageReactionRemoveAll> {}

/**
 * MESSAGE_REACTION_REMOVE_EMOJI: all reactions with one emoji were removed
 * from a message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageReactionRemoveEmoji = Schema.Struct({
  channel_id: Snowflake,
  guild_id: Schema.optional(Snowflake),
  message_id: Snowflake,
  emoji: PartialEmoji
})

/**
 * The data of MESSAGE_REACTION_REMOVE_EMOJI.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageReactionRemoveEmoji extends Schema.Schema.Type<typeof MessageReactionRemoveEmoji> {}

/**
 * TYPING_START: a user started typing. `timestamp` is in Unix seconds;
 * `member` is set in guilds.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TypingStart = Schema.Struct({
  channel_id: Snowflake,
  guild_id: Schema.optional(Snowflake),
  user_id: Snowflake,
  timestamp: Schema.Int,
  member: Schema.optional(Member)
})

/**
 * The data of TYPING_START.
 *
 * @since 0.1.0
 * @category models
 */
export interface TypingStart extends Schema.Schema.Type<typeof TypingStart> {}

/**
 * MESSAGE_POLL_VOTE_ADD: a user voted for an answer of a poll (one event per
 * answer).
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessagePollVoteAdd = Schema.Struct({
  user_id: Snowflake,
  channel_id: Snowflake,
  message_id: Snowflake,
  guild_id: Schema.optional(Snowflake),
  answer_id: Schema.Int
})

/**
 * The data of MESSAGE_POLL_VOTE_ADD.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessagePollVoteAdd extends Schema.Schema.Type<typeof MessagePollVoteAdd> {}

/**
 * MESSAGE_POLL_VOTE_REMOVE: a user removed their vote for an answer of a poll.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessagePollVoteRemove = MessagePollVoteAdd

/**
 * The data of MESSAGE_POLL_VOTE_REMOVE.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessagePollVoteRemove extends Schema.Schema.Type<typeof MessagePollVoteRemove> {}
