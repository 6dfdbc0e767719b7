/**
 * The message object and its parts: embeds, attachments, reactions, references,
 * snapshots, interaction metadata (resources/message.mdx), and the resolved data
 * a message or an interaction carries (interactions/receiving-and-responding.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Application, PartialApplication } from "./Application.js"
import { Channel } from "./Channel.js"
import { Emoji } from "./Emoji.js"
import { PartialMember } from "./Member.js"
import { Poll } from "./Poll.js"
import { Role } from "./Role.js"
import { Snowflake } from "./Snowflake.js"
import { Sticker, StickerItem } from "./Sticker.js"
import { IsoTimestamp } from "./Timestamp.js"
import { User } from "./User.js"

/**
 * Known values of `message.type`. Decoding accepts any number.
 *
 * @since 0.1.0
 * @category constants
 */
export const MessageType = {
  Default: 0,
  RecipientAdd: 1,
  RecipientRemove: 2,
  Call: 3,
  ChannelNameChange: 4,
  ChannelIconChange: 5,
  ChannelPinnedMessage: 6,
  UserJoin: 7,
  GuildBoost: 8,
  GuildBoostTier1: 9,
  GuildBoostTier2: 10,
  GuildBoostTier3: 11,
  ChannelFollowAdd: 12,
  GuildDiscoveryDisqualified: 14,
  GuildDiscoveryRequalified: 15,
  GuildDiscoveryGracePeriodInitialWarning: 16,
  GuildDiscoveryGracePeriodFinalWarning: 17,
  ThreadCreated: 18,
  Reply: 19,
  ChatInputCommand: 20,
  ThreadStarterMessage: 21,
  GuildInviteReminder: 22,
  ContextMenuCommand: 23,
  AutoModerationAction: 24,
  RoleSubscriptionPurchase: 25,
  InteractionPremiumUpsell: 26,
  StageStart: 27,
  StageEnd: 28,
  StageSpeaker: 29,
  StageTopic: 31,
  GuildApplicationPremiumSubscription: 32,
  GuildIncidentAlertModeEnabled: 36,
  GuildIncidentAlertModeDisabled: 37,
  GuildIncidentReportRaid: 38,
  GuildIncidentReportFalseAlarm: 39,
  PurchaseNotification: 44,
  PollResult: 46
} as const

/**
 * Known bits of `message.flags`.
 *
 * @since 0.1.0
 * @category constants
 */
export const MessageFlags = {
  Crossposted: 1 << 0,
  IsCrosspost: 1 << 1,
  SuppressEmbeds: 1 << 2,
  SourceMessageDeleted: 1 << 3,
  Urgent: 1 << 4,
  HasThread: 1 << 5,
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
  FailedToMentionSomeRolesInThread: 1 << 8,
  SuppressNotifications: 1 << 12,
  IsVoiceMessage: 1 << 13,
  HasSnapshot: 1 << 14,
  IsComponentsV2: 1 << 15
} as const

/**
 * Known values of `message.activity.type`.
 *
 * @since 0.1.0
 * @category constants
 */
export const MessageActivityType = {
  Join: 1,
  Spectate: 2,
  Listen: 3,
  JoinRequest: 5,
  StreamRequest: 6
} as const

/**
 * Known values of `message_reference.type`; an absent type means `Default`.
 *
 * @since 0.1.0
 * @category constants
 */
export const MessageReferenceType = {
  Default: 0,
  Forward: 1
} as const

/**
 * Known values of `embed.type`.
 *
 * @since 0.1.0
 * @category constants
 */
export const EmbedType = {
  Rich: "rich",
  Image: "image",
  Video: "video",
  Gifv: "gifv",
  Article: "article",
  Link: "link",
  PollResult: "poll_result"
} as const

/**
 * Known bits of `attachment.flags`.
 *
 * @since 0.1.0
 * @category constants
 */
export const AttachmentFlags = {
  IsClip: 1 << 0,
  IsThumbnail: 1 << 1,
  IsRemix: 1 << 2,
  IsSpoiler: 1 << 3,
  IsAnimated: 1 << 5
} as const

/**
 * Known values of `shared_client_theme.base_theme`.
 *
 * @since 0.1.0
 * @category constants
 */
export const BaseThemeType = {
  Unset: 0,
  Dark: 1,
  Light: 2,
  Darker: 3,
  Midnight: 4
} as const

/**
 * The Rich Presence activity a message invites to.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageActivity = Schema.Struct({
  type: Schema.Int,
  party_id: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface MessageActivity extends Schema.Schema.Type<typeof MessageActivity> {}

/**
 * The call of a private channel that a message records.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageCall = Schema.Struct({
  participants: Schema.Array(Snowflake),
  ended_timestamp: Schema.optional(Schema.NullOr(IsoTimestamp))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface MessageCall extends Schema.Schema.Type<typeof MessageCall> {}

/**
 * The source of a reply, crosspost, forward, pin or channel follow message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageReference = Schema.Struct({
  type: Schema.optional(Schema.Int),
  message_id: Schema.optional(Snowflake),
  // optional only when sending a reply; always present in received data
  // (resources/message.mdx, "Message Reference Structure")
  channel_id: Snowflake,
  guild_id: Schema.optional(Snowflake),
  fail_if_not_exists: Schema.optional(Schema.Boolean)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface MessageReference extends Schema.Schema.Type<typeof MessageReference> {}

/**
 * Normal and super reaction counts of one emoji.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReactionCountDetails = Schema.Struct({
  burst: Schema.Int,
  normal: Schema.Int
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ReactionCountDetails extends Schema.Schema.Type<typeof ReactionCountDetails> {}

/**
 * The reactions of one emoji on a message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Reaction = Schema.Struct({
  count: Schema.Int,
  /** Added 2023-07 (super reactions); absent from payloads sent before. */
  count_details: Schema.optional(ReactionCountDetails),
  me: Schema.Boolean,
  /** Added 2023-07 (super reactions); absent from payloads sent before. */
  me_burst: Schema.optional(Schema.Boolean),
  emoji: Emoji,
  /** Added 2023-07 (super reactions); absent from payloads sent before. */
  burst_colors: Schema.optional(Schema.Array(Schema.String))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Reaction extends Schema.Schema.Type<typeof Reaction> {}

/**
 * The footer of an embed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EmbedFooter = Schema.Struct({
  text: Schema.String,
  icon_url: Schema.optional(Schema.String),
  proxy_icon_url: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface EmbedFooter extends Schema.Schema.Type<typeof EmbedFooter> {}

/**
 * The image or thumbnail of an embed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EmbedImage = Schema.Struct({
  url: Schema.String,
  proxy_url: Schema.optional(Schema.String),
  height: Schema.optional(Schema.Int),
  width: Schema.optional(Schema.Int),
  content_type: Schema.optional(Schema.String),
  placeholder: Schema.optional(Schema.String),
  placeholder_version: Schema.optional(Schema.Int),
  description: Schema.optional(Schema.String),
  flags: Schema.optional(Schema.Int)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface EmbedImage extends Schema.Schema.Type<typeof EmbedImage> {}

/**
 * The video of an embed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EmbedVideo = Schema.Struct({
  url: Schema.optional(Schema.String),
  proxy_url: Schema.optional(Schema.String),
  height: Schema.optional(Schema.Int),
  width: Schema.optional(Schema.Int),
  content_type: Schema.optional(Schema.String),
  placeholder: Schema.optional(Schema.String),
  placeholder_version: Schema.optional(Schema.Int),
  description: Schema.optional(Schema.String),
  flags: Schema.optional(Schema.Int)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface EmbedVideo extends Schema.Schema.Type<typeof EmbedVideo> {}

/**
 * The provider of an embed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EmbedProvider = Schema.Struct({
  name: Schema.optional(Schema.String),
  url: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface EmbedProvider extends Schema.Schema.Type<typeof EmbedProvider> {}

/**
 * The author of an embed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EmbedAuthor = Schema.Struct({
  name: Schema.String,
  url: Schema.optional(Schema.String),
  icon_url: Schema.optional(Schema.String),
  proxy_icon_url: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface EmbedAuthor extends Schema.Schema.Type<typeof EmbedAuthor> {}

/**
 * A name/value field of an embed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EmbedField = Schema.Struct({
  name: Schema.String,
  value: Schema.String,
  inline: Schema.optional(Schema.Boolean)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface EmbedField extends Schema.Schema.Type<typeof EmbedField> {}

/**
 * Rich content embedded in a message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Embed = Schema.Struct({
  title: Schema.optional(Schema.String),
  type: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  url: Schema.optional(Schema.String),
  timestamp: Schema.optional(IsoTimestamp),
  color: Schema.optional(Schema.Int),
  footer: Schema.optional(EmbedFooter),
  image: Schema.optional(EmbedImage),
  thumbnail: Schema.optional(EmbedImage),
  video: Schema.optional(EmbedVideo),
  provider: Schema.optional(EmbedProvider),
  author: Schema.optional(EmbedAuthor),
  fields: Schema.optional(Schema.Array(EmbedField)),
  flags: Schema.optional(Schema.Int)
})

/**
 * An embed.
 *
 * @since 0.1.0
 * @category models
 */
export interface Embed extends Schema.Schema.Type<typeof Embed> {}

/**
 * A file attached to a message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Attachment = Schema.Struct({
  id: Snowflake,
  filename: Schema.String,
  title: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  content_type: Schema.optional(Schema.String),
  size: Schema.Int,
  url: Schema.String,
  proxy_url: Schema.String,
  height: Schema.optional(Schema.NullOr(Schema.Int)),
  width: Schema.optional(Schema.NullOr(Schema.Int)),
  placeholder: Schema.optional(Schema.String),
  placeholder_version: Schema.optional(Schema.Int),
  ephemeral: Schema.optional(Schema.Boolean),
  duration_secs: Schema.optional(Schema.Number),
  waveform: Schema.optional(Schema.String),
  flags: Schema.optional(Schema.Int),
  clip_participants: Schema.optional(Schema.Array(User)),
  clip_created_at: Schema.optional(IsoTimestamp),
  application: Schema.optional(Schema.NullOr(Application))
})

/**
 * An attachment.
 *
 * @since 0.1.0
 * @category models
 */
export interface Attachment extends Schema.Schema.Type<typeof Attachment> {}

/**
 * A channel mentioned in a crossposted message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChannelMention = Schema.Struct({
  id: Snowflake,
  guild_id: Snowflake,
  type: Schema.Int,
  name: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ChannelMention extends Schema.Schema.Type<typeof ChannelMention> {}

/**
 * The role subscription behind a ROLE_SUBSCRIPTION_PURCHASE message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RoleSubscriptionData = Schema.Struct({
  role_subscription_listing_id: Snowflake,
  tier_name: Schema.String,
  total_months_subscribed: Schema.Int,
  is_renewal: Schema.Boolean
})

/**
 * @since 0.1.0
 * @category models
 */
export interface RoleSubscriptionData extends Schema.Schema.Type<typeof RoleSubscriptionData> {}

/**
 * A client theme shared through a message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SharedClientTheme = Schema.Struct({
  colors: Schema.Array(Schema.String),
  gradient_angle: Schema.Int,
  base_mix: Schema.Int,
  base_theme: Schema.optional(Schema.NullOr(Schema.Int))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface SharedClientTheme extends Schema.Schema.Type<typeof SharedClientTheme> {}

/**
 * The interaction a message answers (deprecated by Discord in favour of
 * `interaction_metadata`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageInteraction = Schema.Struct({
  id: Snowflake,
  type: Schema.Int,
  name: Schema.String,
  user: User,
  member: Schema.optional(PartialMember)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface MessageInteraction extends Schema.Schema.Type<typeof MessageInteraction> {}

/**
 * The metadata of an application command or message component interaction.
 * Discord documents one structure per interaction type; they are merged here,
 * the type-specific fields being optional.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TriggeringInteractionMetadata = Schema.Struct({
  id: Snowflake,
  type: Schema.Int,
  user: User,
  authorizing_integration_owners: Schema.Record({ key: Schema.String, value: Snowflake }),
  original_response_message_id: Schema.optional(Snowflake),
  target_user: Schema.optional(User),
  target_message_id: Schema.optional(Snowflake),
  interacted_message_id: Schema.optional(Snowflake)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface TriggeringInteractionMetadata extends Schema.Schema.Type<typeof TriggeringInteractionMetadata> {}

/**
 * The interaction a message was sent for: application command, message
 * component or modal submit metadata (a modal submit carries the metadata of
 * the interaction that opened the modal).
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageInteractionMetadata = Schema.Struct({
  ...TriggeringInteractionMetadata.fields,
  triggering_interaction_metadata: Schema.optional(TriggeringInteractionMetadata)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface MessageInteractionMetadata extends Schema.Schema.Type<typeof MessageInteractionMetadata> {}

const messageFields = {
  id: Snowflake,
  channel_id: Snowflake,
  author: User,
  content: Schema.String,
  timestamp: IsoTimestamp,
  edited_timestamp: Schema.NullOr(IsoTimestamp),
  tts: Schema.Boolean,
  mention_everyone: Schema.Boolean,
  mentions: Schema.Array(User),
  mention_roles: Schema.Array(Snowflake),
  mention_channels: Schema.optional(Schema.Array(ChannelMention)),
  attachments: Schema.Array(Attachment),
  embeds: Schema.Array(Embed),
  reactions: Schema.optional(Schema.Array(Reaction)),
  /** `null` in real payloads of 2020 (API v6), though the docs never typed it nullable. */
  nonce: Schema.optional(Schema.NullOr(Schema.Union(Schema.String, Schema.Number))),
  pinned: Schema.Boolean,
  webhook_id: Schema.optional(Snowflake),
  type: Schema.Int,
  activity: Schema.optional(MessageActivity),
  application: Schema.optional(PartialApplication),
  application_id: Schema.optional(Snowflake),
  flags: Schema.optional(Schema.Int),
  message_reference: Schema.optional(MessageReference),
  interaction_metadata: Schema.optional(MessageInteractionMetadata),
  interaction: Schema.optional(MessageInteraction),
  thread: Schema.optional(Channel),
  // Components branch into many shapes (components/reference.mdx); they are kept as received.
  components: Schema.optional(Schema.Array(Schema.Unknown)),
  sticker_items: Schema.optional(Schema.Array(StickerItem)),
  stickers: Schema.optional(Schema.Array(Sticker)),
  position: Schema.optional(Schema.Int),
  role_subscription_data: Schema.optional(RoleSubscriptionData),
  poll: Schema.optional(Poll),
  call: Schema.optional(MessageCall),
  shared_client_theme: Schema.optional(SharedClientTheme)
}

/**
 * A message in a channel.
 *
 * @since 0.1.0
 * @category models
 */
export interface Message extends Schema.Struct.Type<typeof messageFields> {
  readonly message_snapshots?: ReadonlyArray<MessageSnapshot> | undefined
  readonly referenced_message?: Message | null | undefined
  readonly resolved?: ResolvedData | undefined
}

/**
 * A message as Discord sends it, before decoding.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageEncoded extends Schema.Struct.Encoded<typeof messageFields> {
  readonly message_snapshots?: ReadonlyArray<MessageSnapshotEncoded> | undefined
  readonly referenced_message?: MessageEncoded | null | undefined
  readonly resolved?: ResolvedDataEncoded | undefined
}

/**
 * A message in a channel. `referenced_message` is present (possibly null, when
 * the message was deleted) only for replies, thread starters and context menu
 * command messages.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Message = Schema.Struct({
  ...messageFields,
  message_snapshots: Schema.optional(
    Schema.Array(Schema.suspend((): Schema.Schema<MessageSnapshot, MessageSnapshotEncoded> => MessageSnapshot))
  ),
  referenced_message: Schema.optional(
    Schema.NullOr(Schema.suspend((): Schema.Schema<Message, MessageEncoded> => Message))
  ),
  resolved: Schema.optional(Schema.suspend((): Schema.Schema<ResolvedData, ResolvedDataEncoded> => ResolvedData))
})

/**
 * A message of which any field may be missing.
 *
 * @since 0.1.0
 * @category models
 */
export interface PartialMessage extends Partial<Message> {}

/**
 * A partial message before decoding.
 *
 * @since 0.1.0
 * @category models
 */
export interface PartialMessageEncoded extends Partial<MessageEncoded> {}

/**
 * A message of which any field may be missing, as in interaction resolved data.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PartialMessage: Schema.Schema<PartialMessage, PartialMessageEncoded> = Schema.partialWith(Message, {
  exact: true
})

/**
 * The fields of a forwarded message kept in a snapshot: `type`, `content`,
 * `embeds`, `attachments`, `timestamp`, `edited_timestamp`, `flags`,
 * `mentions`, `mention_roles`, `stickers`, `sticker_items` and `components`,
 * each of them optional.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageSnapshot = Schema.Struct({
  message: Schema.partialWith(
    Schema.Struct(messageFields).pick(
      "type",
      "content",
      "embeds",
      "attachments",
      "timestamp",
      "edited_timestamp",
      "flags",
      "mentions",
      "mention_roles",
      "stickers",
      "sticker_items",
      "components"
    ),
    { exact: true }
  )
})

/**
 * A snapshot of a forwarded message.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageSnapshot extends Schema.Schema.Type<typeof MessageSnapshot> {}

/**
 * A snapshot of a forwarded message, before decoding.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageSnapshotEncoded extends Schema.Schema.Encoded<typeof MessageSnapshot> {}

const resolvedFields = {
  users: Schema.optional(Schema.Record({ key: Schema.String, value: User })),
  members: Schema.optional(Schema.Record({ key: Schema.String, value: PartialMember })),
  roles: Schema.optional(Schema.Record({ key: Schema.String, value: Role })),
  channels: Schema.optional(Schema.Record({ key: Schema.String, value: Channel })),
  attachments: Schema.optional(Schema.Record({ key: Schema.String, value: Attachment }))
}

/**
 * Entities referenced by a message or an interaction.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedData extends Schema.Struct.Type<typeof resolvedFields> {
  readonly messages?: { readonly [id: string]: PartialMessage } | undefined
}

/**
 * Resolved data before decoding.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedDataEncoded extends Schema.Struct.Encoded<typeof resolvedFields> {
  readonly messages?: { readonly [id: string]: PartialMessageEncoded } | undefined
}

/**
 * The users, members, roles, channels, messages and attachments referenced by a
 * message or an interaction, keyed by id. Members lack `user`, `deaf` and
 * `mute`; channels and messages are partial.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResolvedData: Schema.Schema<ResolvedData, ResolvedDataEncoded> = Schema.Struct({
  ...resolvedFields,
  messages: Schema.optional(
    Schema.Record({
      key: Schema.String,
      value: Schema.suspend((): Schema.Schema<PartialMessage, PartialMessageEncoded> => PartialMessage)
    })
  )
})

/**
 * A mentioned user, with the partial member in the guild where the message was
 * sent (MESSAGE_CREATE and MESSAGE_UPDATE).
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserWithMember = Schema.Struct({
  ...User.fields,
  member: Schema.optional(PartialMember)
})

/**
 * A user with its partial member.
 *
 * @since 0.1.0
 * @category models
 */
export interface UserWithMember extends Schema.Schema.Type<typeof UserWithMember> {}
