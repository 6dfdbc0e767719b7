/**
 * Schemas of the commands a client sends to the gateway (events/gateway-events.mdx, "Send Events").
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * An activity as sent in a presence update (bots may set `name`, `type`, `url`, `state`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ActivityPayload = Schema.Struct({
  name: Schema.String,
  type: Schema.Number,
  url: Schema.optional(Schema.NullOr(Schema.String)),
  state: Schema.optional(Schema.NullOr(Schema.String))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ActivityPayload extends Schema.Schema.Type<typeof ActivityPayload> {}

/**
 * The data of Update Presence (op 3), also used as Identify's initial `presence`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UpdatePresence = Schema.Struct({
  since: Schema.NullOr(Schema.Number),
  activities: Schema.Array(ActivityPayload),
  status: Schema.Literal("online", "dnd", "idle", "invisible", "offline"),
  afk: Schema.Boolean
})

/**
 * @since 0.1.0
 * @category models
 */
export interface UpdatePresence extends Schema.Schema.Type<typeof UpdatePresence> {}

/**
 * The data of Update Voice State (op 4).
 *
 * @since 0.1.0
 * @category schemas
 */
export const UpdateVoiceState = Schema.Struct({
  guild_id: Schema.String,
  channel_id: Schema.NullOr(Schema.String),
  self_mute: Schema.Boolean,
  self_deaf: Schema.Boolean
})

/**
 * @since 0.1.0
 * @category models
 */
export interface UpdateVoiceState extends Schema.Schema.Type<typeof UpdateVoiceState> {}

/**
 * The data of Request Guild Members (op 8). Either `query` (with `limit`) or `user_ids` is required.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RequestGuildMembers = Schema.Struct({
  guild_id: Schema.String,
  query: Schema.optional(Schema.String),
  limit: Schema.optional(Schema.Number),
  presences: Schema.optional(Schema.Boolean),
  user_ids: Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String))),
  nonce: Schema.optional(Schema.String.pipe(Schema.maxLength(32)))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface RequestGuildMembers extends Schema.Schema.Type<typeof RequestGuildMembers> {}

/**
 * The data of Request Soundboard Sounds (op 31).
 *
 * @since 0.1.0
 * @category schemas
 */
export const RequestSoundboardSounds = Schema.Struct({
  guild_ids: Schema.Array(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface RequestSoundboardSounds extends Schema.Schema.Type<typeof RequestSoundboardSounds> {}

/**
 * The connection properties sent in Identify.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IdentifyProperties = Schema.Struct({
  os: Schema.String,
  browser: Schema.String,
  device: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export interface IdentifyProperties extends Schema.Schema.Type<typeof IdentifyProperties> {}

/**
 * The data of Identify (op 2).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Identify = Schema.Struct({
  token: Schema.String,
  properties: IdentifyProperties,
  compress: Schema.optional(Schema.Boolean),
  large_threshold: Schema.optional(Schema.Number),
  shard: Schema.optional(Schema.Tuple(Schema.Number, Schema.Number)),
  presence: Schema.optional(UpdatePresence),
  intents: Schema.Number
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Identify extends Schema.Schema.Type<typeof Identify> {}

/**
 * The data of Resume (op 6).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Resume = Schema.Struct({
  token: Schema.String,
  session_id: Schema.String,
  seq: Schema.Number
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Resume extends Schema.Schema.Type<typeof Resume> {}

/**
 * Every command a user may send through `Gateway.send`, as `{ op, d }`.
 *
 * @since 0.1.0
 * @category models
 */
export type GatewayCommand =
  | { readonly op: 3; readonly d: UpdatePresence }
  | { readonly op: 4; readonly d: UpdateVoiceState }
  | { readonly op: 8; readonly d: RequestGuildMembers }
  | { readonly op: 31; readonly d: RequestSoundboardSounds }
