/**
 * Schemas of the data (`d`) of the user, voice, webhook, invite, stage,
 * entitlement and rate-limit dispatch events (events/gateway-events.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { PartialApplication } from "../schema/Application.js"
import { Emoji } from "../schema/Emoji.js"
import { Entitlement } from "../schema/Entitlement.js"
import { Snowflake } from "../schema/Snowflake.js"
import { StageInstance } from "../schema/StageInstance.js"
import { IsoTimestamp } from "../schema/Timestamp.js"
import { User } from "../schema/User.js"
import { VoiceState } from "../schema/VoiceState.js"

/**
 * USER_UPDATE: the current user changed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserUpdate = User

/**
 * The data of USER_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface UserUpdate extends Schema.Schema.Type<typeof UserUpdate> {}

/**
 * VOICE_STATE_UPDATE: someone joined, left or moved between voice channels.
 *
 * @since 0.1.0
 * @category schemas
 */
export const VoiceStateUpdate = VoiceState

/**
 * The data of VOICE_STATE_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface VoiceStateUpdate extends Schema.Schema.Type<typeof VoiceStateUpdate> {}

/**
 * VOICE_SERVER_UPDATE: a guild's voice server was allocated or changed. A null
 * `endpoint` means the server went away and a new one is being allocated.
 *
 * @since 0.1.0
 * @category schemas
 */
export const VoiceServerUpdate = Schema.Struct({
  token: Schema.String,
  guild_id: Snowflake,
  endpoint: Schema.NullOr(Schema.String)
})

/**
 * The data of VOICE_SERVER_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface VoiceServerUpdate extends Schema.Schema.Type<typeof VoiceServerUpdate> {}

/**
 * The animation types of VOICE_CHANNEL_EFFECT_SEND.
 *
 * @since 0.1.0
 * @category constants
 */
export const VoiceChannelEffectAnimationType = {
  Premium: 0,
  Basic: 1
} as const

/**
 * VOICE_CHANNEL_EFFECT_SEND: someone sent an effect (an emoji reaction or a
 * soundboard sound) in the voice channel the current user is in.
 *
 * @since 0.1.0
 * @category schemas
 */
export const VoiceChannelEffectSend = Schema.Struct({
  channel_id: Snowflake,
  guild_id: Snowflake,
  user_id: Snowflake,
  emoji: Schema.optional(Schema.NullOr(Emoji)),
  animation_type: Schema.optional(Schema.NullOr(Schema.Int)),
  animation_id: Schema.optional(Schema.Int),
  sound_id: Schema.optional(Schema.Union(Snowflake, Schema.Int)),
  sound_volume: Schema.optional(Schema.Number)
})

/**
 * The data of VOICE_CHANNEL_EFFECT_SEND.
 *
 * @since 0.1.0
 * @category models
 */
export interface VoiceChannelEffectSend extends Schema.Schema.Type<typeof VoiceChannelEffectSend> {}

/**
 * WEBHOOKS_UPDATE: a webhook of a guild channel was created, updated or deleted.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebhooksUpdate = Schema.Struct({
  guild_id: Snowflake,
  channel_id: Snowflake
})

/**
 * The data of WEBHOOKS_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface WebhooksUpdate extends Schema.Schema.Type<typeof WebhooksUpdate> {}

/**
 * INVITE_CREATE: an invite to a channel was created.
 *
 * @since 0.1.0
 * @category schemas
 */
export const InviteCreate = Schema.Struct({
  channel_id: Snowflake,
  code: Schema.String,
  created_at: IsoTimestamp,
  guild_id: Schema.optional(Snowflake),
  inviter: Schema.optional(User),
  max_age: Schema.Int,
  max_uses: Schema.Int,
  target_type: Schema.optional(Schema.Int),
  target_user: Schema.optional(User),
  target_application: Schema.optional(PartialApplication),
  temporary: Schema.Boolean,
  uses: Schema.Int,
  /** Added 2021-04 (invite expiration); absent from payloads sent before. */
  expires_at: Schema.optional(Schema.NullOr(IsoTimestamp)),
  role_ids: Schema.optional(Schema.Array(Snowflake))
})

/**
 * The data of INVITE_CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface InviteCreate extends Schema.Schema.Type<typeof InviteCreate> {}

/**
 * INVITE_DELETE: an invite was deleted.
 *
 * @since 0.1.0
 * @category schemas
 */
export const InviteDelete = Schema.Struct({
  channel_id: Snowflake,
  guild_id: Schema.optional(Snowflake),
  code: Schema.String
})

/**
 * The data of INVITE_DELETE.
 *
 * @since 0.1.0
 * @category models
 */
export interface InviteDelete extends Schema.Schema.Type<typeof InviteDelete> {}

/**
 * STAGE_INSTANCE_CREATE: a stage went live.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StageInstanceCreate = StageInstance

/**
 * The data of STAGE_INSTANCE_CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface StageInstanceCreate extends Schema.Schema.Type<typeof StageInstanceCreate> {}

/**
 * STAGE_INSTANCE_UPDATE: a stage instance was updated.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StageInstanceUpdate = StageInstance

/**
 * The data of STAGE_INSTANCE_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface StageInstanceUpdate extends Schema.Schema.Type<typeof StageInstanceUpdate> {}

/**
 * STAGE_INSTANCE_DELETE: a stage was closed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StageInstanceDelete = StageInstance

/**
 * The data of STAGE_INSTANCE_DELETE.
 *
 * @since 0.1.0
 * @category models
 */
export interface StageInstanceDelete extends Schema.Schema.Type<typeof StageInstanceDelete> {}

/**
 * ENTITLEMENT_CREATE: an entitlement was created.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EntitlementCreate = Entitlement

/**
 * The data of ENTITLEMENT_CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface EntitlementCreate extends Schema.Schema.Type<typeof EntitlementCreate> {}

/**
 * ENTITLEMENT_UPDATE: an entitlement was updated (for subscriptions, when one
 * ends: `ends_at` is then set).
 *
 * @since 0.1.0
 * @category schemas
 */
export const EntitlementUpdate = Entitlement

/**
 * The data of ENTITLEMENT_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface EntitlementUpdate extends Schema.Schema.Type<typeof EntitlementUpdate> {}

/**
 * ENTITLEMENT_DELETE: an entitlement was deleted (refund or removal; not on
 * expiry).
 *
 * @since 0.1.0
 * @category schemas
 */
export const EntitlementDelete = Entitlement

/**
 * The data of ENTITLEMENT_DELETE.
 *
 * @since 0.1.0
 * @category models
 */
export interface EntitlementDelete extends Schema.Schema.Type<typeof EntitlementDelete> {}

/**
 * The metadata of a rate-limited Request Guild Members (opcode 8).
 *
 * @since 0.1.0
 * @category schemas
 */
export const RequestGuildMembersRateLimitMetadata = Schema.Struct({
  guild_id: Snowflake,
  nonce: Schema.optional(Schema.String)
})

/**
 * The metadata of a rate-limited Request Guild Members.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestGuildMembersRateLimitMetadata
  extends Schema.Schema.Type<typeof RequestGuildMembersRateLimitMetadata>
{}

/**
 * RATE_LIMITED: a gateway command was rate limited. `retry_after` is in
 * seconds. Only opcode 8 (Request Guild Members) has documented metadata, so
 * `meta` is kept as sent.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RateLimited = Schema.Struct({
  opcode: Schema.Int,
  retry_after: Schema.Number,
  meta: Schema.Unknown
})

/**
 * The data of RATE_LIMITED.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimited extends Schema.Schema.Type<typeof RateLimited> {}
