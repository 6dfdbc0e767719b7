/**
 * The stage instance object (resources/stage-instance.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Snowflake } from "./Snowflake.js"

/**
 * Known values of `stage_instance.privacy_level`.
 *
 * @since 0.1.0
 * @category constants
 */
export const StagePrivacyLevel = {
  Public: 1,
  GuildOnly: 2
} as const

/**
 * A live stage in a stage channel.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StageInstance = Schema.Struct({
  id: Snowflake,
  guild_id: Snowflake,
  channel_id: Snowflake,
  topic: Schema.String,
  privacy_level: Schema.Int,
  discoverable_disabled: Schema.Boolean,
  /** Added 2021-11 (guild scheduled events); absent from payloads sent before. */
  guild_scheduled_event_id: Schema.optional(Schema.NullOr(Snowflake))
})

/**
 * A live stage.
 *
 * @since 0.1.0
 * @category models
 */
export interface StageInstance extends Schema.Schema.Type<typeof StageInstance> {}
