/**
 * The voice state object (resources/voice.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Member } from "./Member.js"
import { Snowflake } from "./Snowflake.js"
import { IsoTimestamp } from "./Timestamp.js"

/**
 * A user's connection to a voice channel. Inside GUILD_CREATE the `guild_id`
 * key is missing.
 *
 * @since 0.1.0
 * @category schemas
 */
export const VoiceState = Schema.Struct({
  guild_id: Schema.optional(Snowflake),
  channel_id: Schema.NullOr(Snowflake),
  user_id: Snowflake,
  member: Schema.optional(Member),
  session_id: Schema.String,
  deaf: Schema.Boolean,
  mute: Schema.Boolean,
  self_deaf: Schema.Boolean,
  self_mute: Schema.Boolean,
  self_stream: Schema.optional(Schema.Boolean),
  /** Documented 2020-06 (sent earlier, but absent from captures of 2016–2017). */
  self_video: Schema.optional(Schema.Boolean),
  suppress: Schema.Boolean,
  /** Added 2021-04 (stage channels); absent from payloads sent before. */
  request_to_speak_timestamp: Schema.optional(Schema.NullOr(IsoTimestamp))
})

/**
 * A user's voice connection status.
 *
 * @since 0.1.0
 * @category models
 */
export interface VoiceState extends Schema.Schema.Type<typeof VoiceState> {}
