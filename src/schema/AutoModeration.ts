/**
 * Auto Moderation rules and actions (resources/auto-moderation.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Snowflake } from "./Snowflake.js"

/**
 * The trigger types of an Auto Moderation rule.
 *
 * @since 0.1.0
 * @category constants
 */
export const AutoModerationTriggerType = {
  Keyword: 1,
  Spam: 3,
  KeywordPreset: 4,
  MentionSpam: 5,
  MemberProfile: 6
} as const

/**
 * The keyword preset types of an Auto Moderation rule.
 *
 * @since 0.1.0
 * @category constants
 */
export const AutoModerationKeywordPresetType = {
  Profanity: 1,
  SexualContent: 2,
  Slurs: 3
} as const

/**
 * The event types of an Auto Moderation rule.
 *
 * @since 0.1.0
 * @category constants
 */
export const AutoModerationEventType = {
  MessageSend: 1,
  MemberUpdate: 2
} as const

/**
 * The action types of an Auto Moderation action.
 *
 * @since 0.1.0
 * @category constants
 */
export const AutoModerationActionType = {
  BlockMessage: 1,
  SendAlertMessage: 2,
  Timeout: 3,
  BlockMemberInteraction: 4
} as const

/**
 * The trigger metadata of an Auto Moderation rule. Which fields are present
 * depends on the rule's trigger type, so all are optional.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AutoModerationTriggerMetadata = Schema.Struct({
  keyword_filter: Schema.optional(Schema.Array(Schema.String)),
  regex_patterns: Schema.optional(Schema.Array(Schema.String)),
  presets: Schema.optional(Schema.Array(Schema.Int)),
  allow_list: Schema.optional(Schema.Array(Schema.String)),
  mention_total_limit: Schema.optional(Schema.Int),
  mention_raid_protection_enabled: Schema.optional(Schema.Boolean)
})

/**
 * The trigger metadata of an Auto Moderation rule.
 *
 * @since 0.1.0
 * @category models
 */
export interface AutoModerationTriggerMetadata extends Schema.Schema.Type<typeof AutoModerationTriggerMetadata> {}

/**
 * The metadata of an Auto Moderation action. Which fields are present depends
 * on the action's type, so all are optional.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AutoModerationActionMetadata = Schema.Struct({
  channel_id: Schema.optional(Snowflake),
  duration_seconds: Schema.optional(Schema.Int),
  custom_message: Schema.optional(Schema.String)
})

/**
 * The metadata of an Auto Moderation action.
 *
 * @since 0.1.0
 * @category models
 */
export interface AutoModerationActionMetadata extends Schema.Schema.Type<typeof AutoModerationActionMetadata> {}

/**
 * An action executed when an Auto Moderation rule is triggered.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AutoModerationAction = Schema.Struct({
  type: Schema.Int,
  metadata: Schema.optional(AutoModerationActionMetadata)
})

/**
 * An action executed when an Auto Moderation rule is triggered.
 *
 * @since 0.1.0
 * @category models
 */
export interface AutoModerationAction extends Schema.Schema.Type<typeof AutoModerationAction> {}

/**
 * An Auto Moderation rule of a guild.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AutoModerationRule = Schema.Struct({
  id: Snowflake,
  guild_id: Snowflake,
  name: Schema.String,
  creator_id: Snowflake,
  event_type: Schema.Int,
  trigger_type: Schema.Int,
  trigger_metadata: AutoModerationTriggerMetadata,
  actions: Schema.Array(AutoModerationAction),
  enabled: Schema.Boolean,
  exempt_roles: Schema.Array(Snowflake),
  exempt_channels: Schema.Array(Snowflake)
})

/**
 * An Auto Moderation rule of a guild.
 *
 * @since 0.1.0
 * @category models
 */
export interface AutoModerationRule extends Schema.Schema.Type<typeof AutoModerationRule> {}
