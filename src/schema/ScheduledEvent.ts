/**
 * The guild scheduled event object (resources/guild-scheduled-event.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Snowflake } from "./Snowflake.js"
import { IsoTimestamp } from "./Timestamp.js"
import { User } from "./User.js"

/**
 * Known values of `guild_scheduled_event.privacy_level`.
 *
 * @since 0.1.0
 * @category constants
 */
export const ScheduledEventPrivacyLevel = {
  GuildOnly: 2
} as const

/**
 * Known values of `guild_scheduled_event.entity_type`.
 *
 * @since 0.1.0
 * @category constants
 */
export const ScheduledEventEntityType = {
  StageInstance: 1,
  Voice: 2,
  External: 3
} as const

/**
 * Known values of `guild_scheduled_event.status`.
 *
 * @since 0.1.0
 * @category constants
 */
export const ScheduledEventStatus = {
  Scheduled: 1,
  Active: 2,
  Completed: 3,
  Canceled: 4
} as const

/**
 * Known values of `recurrence_rule.frequency`.
 *
 * @since 0.1.0
 * @category constants
 */
export const RecurrenceRuleFrequency = {
  Yearly: 0,
  Monthly: 1,
  Weekly: 2,
  Daily: 3
} as const

/**
 * Known values of the recurrence rule weekdays.
 *
 * @since 0.1.0
 * @category constants
 */
export const RecurrenceRuleWeekday = {
  Monday: 0,
  Tuesday: 1,
  Wednesday: 2,
  Thursday: 3,
  Friday: 4,
  Saturday: 5,
  Sunday: 6
} as const

/**
 * Additional data of a scheduled event; `location` is set for external events.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ScheduledEventEntityMetadata = Schema.Struct({
  location: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ScheduledEventEntityMetadata extends Schema.Schema.Type<typeof ScheduledEventEntityMetadata> {}

/**
 * A day of a given week of the month (`n` from 1 to 5) on which an event recurs.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RecurrenceRuleNWeekday = Schema.Struct({
  n: Schema.Int,
  day: Schema.Int
})

/**
 * @since 0.1.0
 * @category models
 */
export interface RecurrenceRuleNWeekday extends Schema.Schema.Type<typeof RecurrenceRuleNWeekday> {}

/**
 * How often a scheduled event recurs, a subset of iCalendar's RRULE.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RecurrenceRule = Schema.Struct({
  start: IsoTimestamp,
  end: Schema.NullOr(IsoTimestamp),
  frequency: Schema.Int,
  interval: Schema.Int,
  by_weekday: Schema.NullOr(Schema.Array(Schema.Int)),
  by_n_weekday: Schema.NullOr(Schema.Array(RecurrenceRuleNWeekday)),
  by_month: Schema.NullOr(Schema.Array(Schema.Int)),
  by_month_day: Schema.NullOr(Schema.Array(Schema.Int)),
  by_year_day: Schema.NullOr(Schema.Array(Schema.Int)),
  count: Schema.NullOr(Schema.Int)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface RecurrenceRule extends Schema.Schema.Type<typeof RecurrenceRule> {}

/**
 * An event scheduled in a guild.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuildScheduledEvent = Schema.Struct({
  id: Snowflake,
  guild_id: Snowflake,
  channel_id: Schema.NullOr(Snowflake),
  creator_id: Schema.optional(Schema.NullOr(Snowflake)),
  name: Schema.String,
  description: Schema.optional(Schema.NullOr(Schema.String)),
  scheduled_start_time: IsoTimestamp,
  scheduled_end_time: Schema.NullOr(IsoTimestamp),
  privacy_level: Schema.Int,
  status: Schema.Int,
  entity_type: Schema.Int,
  entity_id: Schema.NullOr(Snowflake),
  entity_metadata: Schema.NullOr(ScheduledEventEntityMetadata),
  creator: Schema.optional(User),
  user_count: Schema.optional(Schema.Int),
  image: Schema.optional(Schema.NullOr(Schema.String)),
  /** Added 2024-08 (recurring events); absent from payloads sent before. */
  recurrence_rule: Schema.optional(Schema.NullOr(RecurrenceRule))
})

/**
 * An event scheduled in a guild.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildScheduledEvent extends Schema.Schema.Type<typeof GuildScheduledEvent> {}
