/**
 * Schemas of the data (`d`) of the dispatch events this library decodes
 * (events/gateway-events.mdx, "Receive Events"), and the map from event name
 * to Schema used by the gateway.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as AdminEvents from "./events/Admin.js"
import * as ChannelEvents from "./events/Channels.js"
import * as GuildEvents from "./events/Guilds.js"
import * as MessageEvents from "./events/Messages.js"
import * as OtherEvents from "./events/Other.js"
import { ReadyApplication } from "./schema/Application.js"
import { AvailableGuild, UnavailableGuild } from "./schema/Guild.js"
import { Interaction } from "./schema/Interaction.js"
import { Member, PartialMember } from "./schema/Member.js"
import { Message, UserWithMember } from "./schema/Message.js"
import { PartialPresence, PresenceUpdate as PresenceUpdateSchema } from "./schema/Presence.js"
import { Snowflake } from "./schema/Snowflake.js"
import { User } from "./schema/User.js"

/**
 * @since 0.1.0
 */
export * from "./events/Admin.js"

/**
 * @since 0.1.0
 */
export * from "./events/Channels.js"

/**
 * @since 0.1.0
 */
export * from "./events/Guilds.js"

/**
 * @since 0.1.0
 */
export * from "./events/Messages.js"

/**
 * @since 0.1.0
 */
export * from "./events/Other.js"

/**
 * READY: the session is established. `guilds` are all unavailable at first;
 * each arrives later as a GUILD_CREATE. `shard` is `[shard_id, num_shards]`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Ready = Schema.Struct({
  v: Schema.Int,
  user: User,
  guilds: Schema.Array(UnavailableGuild),
  session_id: Schema.String,
  /** Added 2022-08 (session-specific resume URLs); absent from payloads sent before. */
  resume_gateway_url: Schema.optional(Schema.String),
  shard: Schema.optional(Schema.Tuple(Schema.Int, Schema.Int)),
  /** Added 2020-12 (slash commands and interactions); absent from payloads sent before. */
  application: Schema.optional(ReadyApplication)
})

/**
 * The data of READY.
 *
 * @since 0.1.0
 * @category models
 */
export interface Ready extends Schema.Schema.Type<typeof Ready> {}

/**
 * RESUMED: a resume succeeded and missed events are being replayed. Discord
 * documents no data for it, so whatever is sent is kept as is.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Resumed = Schema.Unknown

/**
 * The data of RESUMED.
 *
 * @since 0.1.0
 * @category models
 */
export type Resumed = Schema.Schema.Type<typeof Resumed>

/**
 * The unavailable-guild form of GUILD_CREATE, sent during an outage.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildCreateUnavailable = Schema.Struct({
  id: Snowflake,
  unavailable: Schema.Literal(true)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface GuildCreateUnavailable extends Schema.Schema.Type<typeof GuildCreateUnavailable> {}

/**
 * GUILD_CREATE: a guild becomes available (lazy loading after READY, recovery
 * from an outage, or joining). The data is either a full guild with the extra
 * GUILD_CREATE fields or, during an outage, `{ id, unavailable: true }`; narrow
 * on `unavailable === true`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildCreate = Schema.Union(AvailableGuild, GuildCreateUnavailable)

/**
 * The data of GUILD_CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export type GuildCreate = Schema.Schema.Type<typeof GuildCreate>

/**
 * MESSAGE_CREATE: a message was sent. `guild_id` and `member` are missing for
 * ephemeral messages and `member` for webhook messages; mentioned users carry
 * their partial member.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageCreate = Schema.Struct({
  ...Message.fields,
  guild_id: Schema.optional(Snowflake),
  member: Schema.optional(PartialMember),
  mentions: Schema.Array(UserWithMember),
  channel_type: Schema.optional(Schema.Int)
})

/**
 * The data of MESSAGE_CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageCreate extends Schema.Schema.Type<typeof MessageCreate> {}

/**
 * MESSAGE_UPDATE: a message was edited, or Discord added to it (an embed
 * unfurled, a thread started). Since August 2024 Discord sends the whole
 * message, with the shape of MESSAGE_CREATE (`tts` always false); before, it
 * sent only `id`, `channel_id` and the fields that changed (an embed unfurl was
 * `{ id, channel_id, guild_id, embeds }`, without `author` or `content`). So
 * only `id` and `channel_id` are required; every other field of MESSAGE_CREATE
 * (`guild_id`, `member`, `mentions` with their members included) decodes when
 * absent, and is checked as in MESSAGE_CREATE when present.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageUpdate = Schema.Struct({
  id: Snowflake,
  channel_id: Snowflake
}).pipe(Schema.extend(Schema.partialWith(MessageCreate.omit("id", "channel_id"), { exact: true })))

/**
 * The data of MESSAGE_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageUpdate extends Schema.Schema.Type<typeof MessageUpdate> {}

/**
 * MESSAGE_DELETE: a message was deleted.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageDelete = Schema.Struct({
  id: Snowflake,
  channel_id: Snowflake,
  guild_id: Schema.optional(Snowflake)
})

/**
 * The data of MESSAGE_DELETE.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageDelete extends Schema.Schema.Type<typeof MessageDelete> {}

/**
 * GUILD_MEMBERS_CHUNK: one chunk of the answer to a Request Guild Members
 * command (`0 <= chunk_index < chunk_count`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildMembersChunk = Schema.Struct({
  guild_id: Snowflake,
  members: Schema.Array(Member),
  /** Added 2020-04 (guild members chunk pagination); absent from payloads sent before. */
  chunk_index: Schema.optional(Schema.Int),
  /** Added 2020-04 (guild members chunk pagination); absent from payloads sent before. */
  chunk_count: Schema.optional(Schema.Int),
  not_found: Schema.optional(Schema.Array(Schema.Unknown)),
  presences: Schema.optional(Schema.Array(PartialPresence)),
  nonce: Schema.optional(Schema.String)
})

/**
 * The data of GUILD_MEMBERS_CHUNK.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildMembersChunk extends Schema.Schema.Type<typeof GuildMembersChunk> {}

/**
 * PRESENCE_UPDATE: a user's status, activities or profile changed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PresenceUpdate = PresenceUpdateSchema

/**
 * The data of PRESENCE_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface PresenceUpdate extends Schema.Schema.Type<typeof PresenceUpdate> {}

/**
 * INTERACTION_CREATE: a user used a command or a component, or submitted a modal.
 *
 * @since 0.1.0
 * @category schemas
 */
export const InteractionCreate = Interaction

/**
 * The data of INTERACTION_CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface InteractionCreate extends Schema.Schema.Type<typeof InteractionCreate> {}

/**
 * The Schema of the data of each dispatch event this library decodes, by event
 * name. Events not listed here reach users undecoded.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DispatchSchemas = {
  READY: Ready,
  RESUMED: Resumed,
  GUILD_CREATE: GuildCreate,
  MESSAGE_CREATE: MessageCreate,
  MESSAGE_UPDATE: MessageUpdate,
  MESSAGE_DELETE: MessageDelete,
  GUILD_MEMBERS_CHUNK: GuildMembersChunk,
  PRESENCE_UPDATE: PresenceUpdate,
  INTERACTION_CREATE: InteractionCreate,
  CHANNEL_CREATE: ChannelEvents.ChannelCreate,
  CHANNEL_UPDATE: ChannelEvents.ChannelUpdate,
  CHANNEL_DELETE: ChannelEvents.ChannelDelete,
  CHANNEL_PINS_UPDATE: ChannelEvents.ChannelPinsUpdate,
  CHANNEL_INFO: ChannelEvents.ChannelInfo,
  VOICE_CHANNEL_STATUS_UPDATE: ChannelEvents.VoiceChannelStatusUpdate,
  VOICE_CHANNEL_START_TIME_UPDATE: ChannelEvents.VoiceChannelStartTimeUpdate,
  THREAD_CREATE: ChannelEvents.ThreadCreate,
  THREAD_UPDATE: ChannelEvents.ThreadUpdate,
  THREAD_DELETE: ChannelEvents.ThreadDelete,
  THREAD_LIST_SYNC: ChannelEvents.ThreadListSync,
  THREAD_MEMBER_UPDATE: ChannelEvents.ThreadMemberUpdate,
  THREAD_MEMBERS_UPDATE: ChannelEvents.ThreadMembersUpdate,
  GUILD_UPDATE: GuildEvents.GuildUpdate,
  GUILD_DELETE: GuildEvents.GuildDelete,
  GUILD_BAN_ADD: GuildEvents.GuildBanAdd,
  GUILD_BAN_REMOVE: GuildEvents.GuildBanRemove,
  GUILD_EMOJIS_UPDATE: GuildEvents.GuildEmojisUpdate,
  GUILD_STICKERS_UPDATE: GuildEvents.GuildStickersUpdate,
  GUILD_INTEGRATIONS_UPDATE: GuildEvents.GuildIntegrationsUpdate,
  GUILD_MEMBER_ADD: GuildEvents.GuildMemberAdd,
  GUILD_MEMBER_REMOVE: GuildEvents.GuildMemberRemove,
  GUILD_MEMBER_UPDATE: GuildEvents.GuildMemberUpdate,
  GUILD_ROLE_CREATE: GuildEvents.GuildRoleCreate,
  GUILD_ROLE_UPDATE: GuildEvents.GuildRoleUpdate,
  GUILD_ROLE_DELETE: GuildEvents.GuildRoleDelete,
  GUILD_SCHEDULED_EVENT_CREATE: GuildEvents.GuildScheduledEventCreate,
  GUILD_SCHEDULED_EVENT_UPDATE: GuildEvents.GuildScheduledEventUpdate,
  GUILD_SCHEDULED_EVENT_DELETE: GuildEvents.GuildScheduledEventDelete,
  GUILD_SCHEDULED_EVENT_USER_ADD: GuildEvents.GuildScheduledEventUserAdd,
  GUILD_SCHEDULED_EVENT_USER_REMOVE: GuildEvents.GuildScheduledEventUserRemove,
  GUILD_SOUNDBOARD_SOUND_CREATE: GuildEvents.GuildSoundboardSoundCreate,
  GUILD_SOUNDBOARD_SOUND_UPDATE: GuildEvents.GuildSoundboardSoundUpdate,
  GUILD_SOUNDBOARD_SOUND_DELETE: GuildEvents.GuildSoundboardSoundDelete,
  GUILD_SOUNDBOARD_SOUNDS_UPDATE: GuildEvents.GuildSoundboardSoundsUpdate,
  SOUNDBOARD_SOUNDS: GuildEvents.SoundboardSounds,
  INTEGRATION_DELETE: GuildEvents.IntegrationDelete,
  MESSAGE_DELETE_BULK: MessageEvents.MessageDeleteBulk,
  MESSAGE_REACTION_ADD: MessageEvents.MessageReactionAdd,
  MESSAGE_REACTION_REMOVE: MessageEvents.MessageReactionRemove,
  MESSAGE_REACTION_REMOVE_ALL: MessageEvents.MessageReactionRemoveAll,
  MESSAGE_REACTION_REMOVE_EMOJI: MessageEvents.MessageReactionRemoveEmoji,
  MESSAGE_POLL_VOTE_ADD: MessageEvents.MessagePollVoteAdd,
  MESSAGE_POLL_VOTE_REMOVE: MessageEvents.MessagePollVoteRemove,
  TYPING_START: MessageEvents.TypingStart,
  USER_UPDATE: OtherEvents.UserUpdate,
  VOICE_STATE_UPDATE: OtherEvents.VoiceStateUpdate,
  VOICE_SERVER_UPDATE: OtherEvents.VoiceServerUpdate,
  VOICE_CHANNEL_EFFECT_SEND: OtherEvents.VoiceChannelEffectSend,
  WEBHOOKS_UPDATE: OtherEvents.WebhooksUpdate,
  INVITE_CREATE: OtherEvents.InviteCreate,
  INVITE_DELETE: OtherEvents.InviteDelete,
  STAGE_INSTANCE_CREATE: OtherEvents.StageInstanceCreate,
  STAGE_INSTANCE_UPDATE: OtherEvents.StageInstanceUpdate,
  STAGE_INSTANCE_DELETE: OtherEvents.StageInstanceDelete,
  ENTITLEMENT_CREATE: OtherEvents.EntitlementCreate,
  ENTITLEMENT_UPDATE: OtherEvents.EntitlementUpdate,
  ENTITLEMENT_DELETE: OtherEvents.EntitlementDelete,
  RATE_LIMITED: OtherEvents.RateLimited,
  APPLICATION_COMMAND_PERMISSIONS_UPDATE: AdminEvents.ApplicationCommandPermissionsUpdate,
  AUTO_MODERATION_RULE_CREATE: AdminEvents.AutoModerationRuleCreate,
  AUTO_MODERATION_RULE_UPDATE: AdminEvents.AutoModerationRuleUpdate,
  AUTO_MODERATION_RULE_DELETE: AdminEvents.AutoModerationRuleDelete,
  AUTO_MODERATION_ACTION_EXECUTION: AdminEvents.AutoModerationActionExecution,
  GUILD_AUDIT_LOG_ENTRY_CREATE: AdminEvents.GuildAuditLogEntryCreate,
  INTEGRATION_CREATE: AdminEvents.IntegrationCreate,
  INTEGRATION_UPDATE: AdminEvents.IntegrationUpdate,
  SUBSCRIPTION_CREATE: AdminEvents.SubscriptionCreate,
  SUBSCRIPTION_UPDATE: AdminEvents.SubscriptionUpdate,
  SUBSCRIPTION_DELETE: AdminEvents.SubscriptionDelete
} as const

/**
 * The type of `DispatchSchemas`.
 *
 * @since 0.1.0
 * @category models
 */
export type DispatchSchemas = typeof DispatchSchemas

/**
 * The name of a dispatch event this library decodes.
 *
 * @since 0.1.0
 * @category models
 */
export type KnownEventName = keyof DispatchSchemas

/**
 * The decoded data of each known dispatch event, by event name.
 *
 * @since 0.1.0
 * @category models
 */
export type DispatchData = { readonly [K in KnownEventName]: Schema.Schema.Type<DispatchSchemas[K]> }
