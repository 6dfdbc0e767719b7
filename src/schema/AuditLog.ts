/**
 * Audit log entries (resources/audit-log.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Snowflake } from "./Snowflake.js"

/**
 * A change of one key in an audit log entry. The values have the type of the
 * changed field, so they are kept as sent.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuditLogChange = Schema.Struct({
  new_value: Schema.optional(Schema.Unknown),
  old_value: Schema.optional(Schema.Unknown),
  key: Schema.String
})

/**
 * A change of one key in an audit log entry.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuditLogChange extends Schema.Schema.Type<typeof AuditLogChange> {}

/**
 * The extra information of some audit log entries. Which fields are present
 * depends on the action type, so all are optional.
 *
 * @since 0.1.0
 * @category schemas
 */
export const OptionalAuditEntryInfo = Schema.Struct({
  application_id: Schema.optional(Snowflake),
  auto_moderation_rule_name: Schema.optional(Schema.String),
  auto_moderation_rule_trigger_type: Schema.optional(Schema.String),
  channel_id: Schema.optional(Snowflake),
  count: Schema.optional(Schema.String),
  delete_member_days: Schema.optional(Schema.String),
  id: Schema.optional(Snowflake),
  members_removed: Schema.optional(Schema.String),
  message_id: Schema.optional(Snowflake),
  role_name: Schema.optional(Schema.String),
  type: Schema.optional(Schema.String),
  integration_type: Schema.optional(Schema.String),
  status: Schema.optional(Schema.String)
})

/**
 * The extra information of some audit log entries.
 *
 * @since 0.1.0
 * @category models
 */
export interface OptionalAuditEntryInfo extends Schema.Schema.Type<typeof OptionalAuditEntryInfo> {}

/**
 * One administrative action recorded in a guild's audit log.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuditLogEntry = Schema.Struct({
  target_id: Schema.NullOr(Schema.String),
  changes: Schema.optional(Schema.Array(AuditLogChange)),
  user_id: Schema.NullOr(Snowflake),
  id: Snowflake,
  action_type: Schema.Int,
  options: Schema.optional(OptionalAuditEntryInfo),
  reason: Schema.optional(Schema.String)
})

/**
 * One administrative action recorded in a guild's audit log.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuditLogEntry extends Schema.Schema.Type<typeof AuditLogEntry> {}
