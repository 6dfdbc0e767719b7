/**
 * Presences and activities (events/gateway-events.mdx, "Presence Update",
 * "Client Status Object", "Activity Object").
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Snowflake } from "./Snowflake.js"
import { PartialUser } from "./User.js"

/**
 * Known values of `presence.status`.
 *
 * @since 0.1.0
 * @category constants
 */
export const StatusType = {
  Online: "online",
  Dnd: "dnd",
  Idle: "idle",
  Invisible: "invisible",
  Offline: "offline"
} as const

/**
 * Known values of `activity.type`.
 *
 * @since 0.1.0
 * @category constants
 */
export const ActivityType = {
  Playing: 0,
  Streaming: 1,
  Listening: 2,
  Watching: 3,
  Custom: 4,
  Competing: 5
} as const

/**
 * Known values of `activity.status_display_type`.
 *
 * @since 0.1.0
 * @category constants
 */
export const StatusDisplayType = {
  Name: 0,
  State: 1,
  Details: 2
} as const

/**
 * Known bits of `activity.flags`.
 *
 * @since 0.1.0
 * @category constants
 */
export const ActivityFlags = {
  Instance: 1 << 0,
  Join: 1 << 1,
  Spectate: 1 << 2,
  JoinRequest: 1 << 3,
  Sync: 1 << 4,
  Play: 1 << 5,
  PartyPrivacyFriends: 1 << 6,
  PartyPrivacyVoiceChannel: 1 << 7,
  Embedded: 1 << 8
} as const

/**
 * The status of a user on each platform; a platform is absent when the user is
 * offline or invisible there.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientStatus = Schema.Struct({
  desktop: Schema.optional(Schema.String),
  mobile: Schema.optional(Schema.String),
  web: Schema.optional(Schema.String),
  vr: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ClientStatus extends Schema.Schema.Type<typeof ClientStatus> {}

/**
 * Unix times in milliseconds at which an activity starts and ends.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ActivityTimestamps = Schema.Struct({
  start: Schema.optional(Schema.Int),
  end: Schema.optional(Schema.Int)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ActivityTimestamps extends Schema.Schema.Type<typeof ActivityTimestamps> {}

/**
 * The emoji of a custom status.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ActivityEmoji = Schema.Struct({
  name: Schema.String,
  id: Schema.optional(Snowflake),
  animated: Schema.optional(Schema.Boolean)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ActivityEmoji extends Schema.Schema.Type<typeof ActivityEmoji> {}

/**
 * The party of a player; `size` is `[current_size, max_size]`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ActivityParty = Schema.Struct({
  id: Schema.optional(Schema.String),
  size: Schema.optional(Schema.Tuple(Schema.Int, Schema.Int))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ActivityParty extends Schema.Schema.Type<typeof ActivityParty> {}

/**
 * Images of a rich presence and their hover texts.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ActivityAssets = Schema.Struct({
  large_image: Schema.optional(Schema.String),
  large_text: Schema.optional(Schema.String),
  large_url: Schema.optional(Schema.String),
  small_image: Schema.optional(Schema.String),
  small_text: Schema.optional(Schema.String),
  small_url: Schema.optional(Schema.String),
  invite_cover_image: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ActivityAssets extends Schema.Schema.Type<typeof ActivityAssets> {}

/**
 * Secrets for joining and spectating a rich presence.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ActivitySecrets = Schema.Struct({
  join: Schema.optional(Schema.String),
  spectate: Schema.optional(Schema.String),
  match: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ActivitySecrets extends Schema.Schema.Type<typeof ActivitySecrets> {}

/**
 * An activity of a user: a game, a stream, music, a custom status...
 * Over the gateway, `buttons` holds only the button labels.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Activity = Schema.Struct({
  name: Schema.String,
  type: Schema.Int,
  url: Schema.optional(Schema.NullOr(Schema.String)),
  /** Absent from activities sent by Spacebar (an independent Discord-compatible server). */
  created_at: Schema.optional(Schema.Int),
  timestamps: Schema.optional(ActivityTimestamps),
  application_id: Schema.optional(Snowflake),
  status_display_type: Schema.optional(Schema.NullOr(Schema.Int)),
  details: Schema.optional(Schema.NullOr(Schema.String)),
  details_url: Schema.optional(Schema.NullOr(Schema.String)),
  state: Schema.optional(Schema.NullOr(Schema.String)),
  state_url: Schema.optional(Schema.NullOr(Schema.String)),
  emoji: Schema.optional(Schema.NullOr(ActivityEmoji)),
  party: Schema.optional(ActivityParty),
  assets: Schema.optional(ActivityAssets),
  secrets: Schema.optional(ActivitySecrets),
  instance: Schema.optional(Schema.Boolean),
  flags: Schema.optional(Schema.Int),
  buttons: Schema.optional(Schema.Array(Schema.String))
})

/**
 * An activity of a user.
 *
 * @since 0.1.0
 * @category models
 */
export interface Activity extends Schema.Schema.Type<typeof Activity> {}

/**
 * The data of PRESENCE_UPDATE: a user's status and activities in a guild. The
 * user is partial; only its `id` is guaranteed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PresenceUpdate = Schema.Struct({
  user: PartialUser,
  guild_id: Snowflake,
  status: Schema.String,
  activities: Schema.Array(Activity),
  client_status: ClientStatus
})

/**
 * A user's presence in a guild.
 *
 * @since 0.1.0
 * @category models
 */
export interface PresenceUpdate extends Schema.Schema.Type<typeof PresenceUpdate> {}

/**
 * The partial presence inside GUILD_CREATE and GUILD_MEMBERS_CHUNK, where the
 * guild is implied and `guild_id` may be missing.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PartialPresence = Schema.Struct({
  ...PresenceUpdate.fields,
  guild_id: Schema.optional(Snowflake)
})

/**
 * A presence whose guild is implied by the event carrying it.
 *
 * @since 0.1.0
 * @category models
 */
export interface PartialPresence extends Schema.Schema.Type<typeof PartialPresence> {}
