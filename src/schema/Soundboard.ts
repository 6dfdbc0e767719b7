/**
 * The soundboard sound object (resources/soundboard.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Snowflake } from "./Snowflake.js"
import { User } from "./User.js"

/**
 * A soundboard sound, default or uploaded to a guild.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SoundboardSound = Schema.Struct({
  name: Schema.String,
  sound_id: Snowflake,
  volume: Schema.Number,
  emoji_id: Schema.NullOr(Snowflake),
  emoji_name: Schema.NullOr(Schema.String),
  guild_id: Schema.optional(Snowflake),
  available: Schema.Boolean,
  user: Schema.optional(User)
})

/**
 * A soundboard sound.
 *
 * @since 0.1.0
 * @category models
 */
export interface SoundboardSound extends Schema.Schema.Type<typeof SoundboardSound> {}
