/**
 * The interaction object (interactions/receiving-and-responding.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Channel } from "./Channel.js"
import { Entitlement } from "./Entitlement.js"
import { PartialGuild } from "./Guild.js"
import { Member } from "./Member.js"
import { Message, ResolvedData } from "./Message.js"
import { Snowflake } from "./Snowflake.js"
import { User } from "./User.js"

/**
 * Known values of `interaction.type`.
 *
 * @since 0.1.0
 * @category constants
 */
export const InteractionType = {
  Ping: 1,
  ApplicationCommand: 2,
  MessageComponent: 3,
  ApplicationCommandAutocomplete: 4,
  ModalSubmit: 5
} as const

/**
 * Known values of `interaction.context`.
 *
 * @since 0.1.0
 * @category constants
 */
export const InteractionContextType = {
  Guild: 0,
  BotDm: 1,
  PrivateChannel: 2
} as const

/**
 * An option of an invoked application command: a value, or a subcommand or
 * group with its own options.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApplicationCommandInteractionDataOption {
  readonly name: string
  readonly type: number
  readonly value?: string | number | boolean | undefined
  readonly options?: ReadonlyArray<ApplicationCommandInteractionDataOption> | undefined
  readonly focused?: boolean | undefined
}

/**
 * An option of an invoked application command.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApplicationCommandInteractionDataOption: Schema.Schema<ApplicationCommandInteractionDataOption> = Schema
  .Struct({
    name: Schema.String,
    type: Schema.Int,
    value: Schema.optional(Schema.Union(Schema.String, Schema.Number, Schema.Boolean)),
    options: Schema.optional(
      Schema.Array(
        Schema.suspend((): Schema.Schema<ApplicationCommandInteractionDataOption> =>
          ApplicationCommandInteractionDataOption
        )
      )
    ),
    focused: Schema.optional(Schema.Boolean)
  })

/**
 * The data of APPLICATION_COMMAND and APPLICATION_COMMAND_AUTOCOMPLETE
 * interactions.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApplicationCommandData = Schema.Struct({
  id: Snowflake,
  name: Schema.String,
  /** Added 2021-08 (user and message commands); absent from payloads sent before. */
  type: Schema.optional(Schema.Int),
  resolved: Schema.optional(ResolvedData),
  options: Schema.optional(Schema.Array(ApplicationCommandInteractionDataOption)),
  guild_id: Schema.optional(Snowflake),
  target_id: Schema.optional(Snowflake)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ApplicationCommandData extends Schema.Schema.Type<typeof ApplicationCommandData> {}

/**
 * The data of MESSAGE_COMPONENT interactions.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessageComponentData = Schema.Struct({
  custom_id: Schema.String,
  component_type: Schema.Int,
  values: Schema.optional(Schema.Array(Schema.String)),
  resolved: Schema.optional(ResolvedData)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface MessageComponentData extends Schema.Schema.Type<typeof MessageComponentData> {}

/**
 * The data of MODAL_SUBMIT interactions. The submitted components branch into
 * many shapes (components/reference.mdx) and are kept as received.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ModalSubmitData = Schema.Struct({
  custom_id: Schema.String,
  components: Schema.Array(Schema.Unknown),
  resolved: Schema.optional(ResolvedData)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface ModalSubmitData extends Schema.Schema.Type<typeof ModalSubmitData> {}

/**
 * The data of an interaction, by interaction type. Data of an interaction type
 * added after this library is kept as a plain record.
 *
 * @since 0.1.0
 * @category schemas
 */
export const InteractionData = Schema.Union(
  ApplicationCommandData,
  MessageComponentData,
  ModalSubmitData,
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/**
 * The data of an interaction.
 *
 * @since 0.1.0
 * @category models
 */
export type InteractionData = Schema.Schema.Type<typeof InteractionData>

/**
 * An interaction: a command, a component click, an autocomplete request or a
 * modal submission. `member` is sent in guilds, `user` in DMs.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Interaction = Schema.Struct({
  id: Snowflake,
  /** Added 2021-03; absent from payloads sent before (interactions launched in 2020-12 without it). */
  application_id: Schema.optional(Snowflake),
  type: Schema.Int,
  data: Schema.optional(InteractionData),
  guild: Schema.optional(PartialGuild),
  guild_id: Schema.optional(Snowflake),
  channel: Schema.optional(Channel),
  channel_id: Schema.optional(Snowflake),
  // the member of an interaction always carries its permissions in the channel
  // (interactions/receiving-and-responding.mdx, "Interaction Structure")
  member: Schema.optional(Schema.Struct({ ...Member.fields, permissions: Schema.String })),
  user: Schema.optional(User),
  token: Schema.String,
  version: Schema.Int,
  message: Schema.optional(Message),
  /** Added 2022-06 (calculated permissions); not always sent until 2024-03, and absent from payloads sent before. */
  app_permissions: Schema.optional(Schema.String),
  locale: Schema.optional(Schema.String),
  guild_locale: Schema.optional(Schema.String),
  /** Added 2023-09 (premium app subscriptions); absent from payloads sent before. */
  entitlements: Schema.optional(Schema.Array(Entitlement)),
  /** Added 2024-03 (user-installable apps); absent from payloads sent before. */
  authorizing_integration_owners: Schema.optional(Schema.Record({ key: Schema.String, value: Snowflake })),
  context: Schema.optional(Schema.Int),
  /** Added 2025-04 (attachment size limit); absent from payloads sent before. */
  attachment_size_limit: Schema.optional(Schema.Int)
})

/**
 * An interaction.
 *
 * @since 0.1.0
 * @category models
 */
export interface Interaction extends Schema.Schema.Type<typeof Interaction> {}

export {
  /**
   * The users, members, roles, channels, messages and attachments referenced by
   * an interaction (defined with the message, which carries it too).
   *
   * @since 0.1.0
   * @category schemas
   */
  ResolvedData
} from "./Message.js"
