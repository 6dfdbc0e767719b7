/**
 * Schemas of the data (`d`) of the application command permission, Auto
 * Moderation, audit log, integration and subscription dispatch events
 * (events/gateway-events.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { AuditLogEntry } from "../schema/AuditLog.js"
import { AutoModerationAction, AutoModerationRule } from "../schema/AutoModeration.js"
import { Integration } from "../schema/Integration.js"
import { Snowflake } from "../schema/Snowflake.js"
import { Subscription } from "../schema/Subscription.js"

/**
 * The types of an application command permission.
 *
 * @since 0.1.0
 * @category constants
 */
export const ApplicationCommandPermissionType = {
  Role: 1,
  User: 2,
  Channel: 3
} as const

/**
 * One permission of an application command: whether a role, user or channel
 * (by `id`) may use it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApplicationCommandPermission = Schema.Struct({
  id: Snowflake,
  type: Schema.Int,
  permission: Schema.Boolean
})

/**
 * One permission of an application command.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApplicationCommandPermission extends Schema.Schema.Type<typeof ApplicationCommandPermission> {}

/**
 * APPLICATION_COMMAND_PERMISSIONS_UPDATE: the permissions of an application
 * command (or, when `id` is the application's id, of all its commands) in a
 * guild were updated.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApplicationCommandPermissionsUpdate = Schema.Struct({
  id: Snowflake,
  application_id: Snowflake,
  guild_id: Snowflake,
  permissions: Schema.Array(ApplicationCommandPermission)
})

/**
 * The data of APPLICATION_COMMAND_PERMISSIONS_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApplicationCommandPermissionsUpdate
  extends Schema.Schema.Type<typeof ApplicationCommandPermissionsUpdate>
{}

/**
 * AUTO_MODERATION_RULE_CREATE: an Auto Moderation rule was created.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AutoModerationRuleCreate = AutoModerationRule

/**
 * The data of AUTO_MODERATION_RULE_CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface AutoModerationRuleCreate extends Schema.Schema.Type<typeof AutoModerationRuleCreate> {}

/**
 * AUTO_MODERATION_RULE_UPDATE: an Auto Moderation rule was updated.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AutoModerationRuleUpdate = AutoModerationRule

/**
 * The data of AUTO_MODERATION_RULE_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface AutoModerationRuleUpdate extends Schema.Schema.Type<typeof AutoModerationRuleUpdate> {}

/**
 * AUTO_MODERATION_RULE_DELETE: an Auto Moderation rule was deleted.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AutoModerationRuleDelete = AutoModerationRule

/**
 * The data of AUTO_MODERATION_RULE_DELETE.
 *
 * @since 0.1.0
 * @category models
 */
export interface AutoModerationRuleDelete extends Schema.Schema.Type<typeof AutoModerationRuleDelete> {}

/**
 * AUTO_MODERATION_ACTION_EXECUTION: a rule was triggered and an action
 * executed. `content` and `matched_content` are empty without the
 * MESSAGE_CONTENT intent.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AutoModerationActionExecution = Schema.Struct({
  guild_id: Snowflake,
  action: AutoModerationAction,
  rule_id: Snowflake,
  rule_trigger_type: Schema.Int,
  user_id: Snowflake,
  channel_id: Schema.optional(Snowflake),
  message_id: Schema.optional(Snowflake),
  alert_system_message_id: Schema.optional(Snowflake),
  content: Schema.String,
  matched_keyword: Schema.NullOr(Schema.String),
  matched_content: Schema.NullOr(Schema.String)
})

/**
 * The data of AUTO_MODERATION_ACTION_EXECUTION.
 *
 * @since 0.1.0
 * @category models
 */
export interface AutoModerationActionExecution extends Schema.Schema.Type<typeof AutoModerationActionExecution> {}

/**
 * GUILD_AUDIT_LOG_ENTRY_CREATE: an audit log entry was created.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildAuditLogEntryCreate = Schema.Struct({
  ...AuditLogEntry.fields,
  guild_id: Snowflake
})

/**
 * The data of GUILD_AUDIT_LOG_ENTRY_CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildAuditLogEntryCreate extends Schema.Schema.Type<typeof GuildAuditLogEntryCreate> {}

/**
 * INTEGRATION_CREATE: an integration was created. Its data is the integration
 * without `user`, plus `guild_id`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IntegrationCreate = Schema.Struct({
  ...Integration.omit("user").fields,
  guild_id: Snowflake
})

/**
 * The data of INTEGRATION_CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface IntegrationCreate extends Schema.Schema.Type<typeof IntegrationCreate> {}

/**
 * INTEGRATION_UPDATE: an integration was updated. Its data has the shape of
 * INTEGRATION_CREATE.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IntegrationUpdate = IntegrationCreate

/**
 * The data of INTEGRATION_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface IntegrationUpdate extends Schema.Schema.Type<typeof IntegrationUpdate> {}

/**
 * SUBSCRIPTION_CREATE: a subscription to a premium app was created (its
 * status may be inactive or active).
 *
 * @since 0.1.0
 * @category schemas
 */
export const SubscriptionCreate = Subscription

/**
 * The data of SUBSCRIPTION_CREATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface SubscriptionCreate extends Schema.Schema.Type<typeof SubscriptionCreate> {}

/**
 * SUBSCRIPTION_UPDATE: a subscription to a premium app was updated.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SubscriptionUpdate = Subscription

/**
 * The data of SUBSCRIPTION_UPDATE.
 *
 * @since 0.1.0
 * @category models
 */
export interface SubscriptionUpdate extends Schema.Schema.Type<typeof SubscriptionUpdate> {}

/**
 * SUBSCRIPTION_DELETE: a subscription to a premium app was deleted.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SubscriptionDelete = Subscription

/**
 * The data of SUBSCRIPTION_DELETE.
 *
 * @since 0.1.0
 * @category models
 */
export interface SubscriptionDelete extends Schema.Schema.Type<typeof SubscriptionDelete> {}
