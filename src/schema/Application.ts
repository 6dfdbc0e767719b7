/**
 * The application object (resources/application.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { PartialGuild } from "./Guild.js"
import { Snowflake } from "./Snowflake.js"
import { PartialUser } from "./User.js"

/**
 * Known bits of `application.flags`.
 *
 * @since 0.1.0
 * @category constants
 */
export const ApplicationFlags = {
  ApplicationAutoModerationRuleCreateBadge: 1 << 6,
  GatewayPresence: 1 << 12,
  GatewayPresenceLimited: 1 << 13,
  GatewayGuildMembers: 1 << 14,
  GatewayGuildMembersLimited: 1 << 15,
  VerificationPendingGuildLimit: 1 << 16,
  Embedded: 1 << 17,
  GatewayMessageContent: 1 << 18,
  GatewayMessageContentLimited: 1 << 19,
  ApplicationCommandBadge: 1 << 23
} as const

/**
 * Known keys of the dictionaries keyed by installation context
 * (`integration_types_config`, `authorizing_integration_owners`).
 *
 * @since 0.1.0
 * @category constants
 */
export const ApplicationIntegrationType = {
  GuildInstall: "0",
  UserInstall: "1"
} as const

/**
 * Known values of `application.event_webhooks_status`.
 *
 * @since 0.1.0
 * @category constants
 */
export const ApplicationEventWebhookStatus = {
  Disabled: 1,
  Enabled: 2,
  DisabledByDiscord: 3
} as const

/**
 * The scopes and permissions of an application's in-app authorization link.
 *
 * @since 0.1.0
 * @category schemas
 */
export const InstallParams = Schema.Struct({
  scopes: Schema.Array(Schema.String),
  permissions: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export interface InstallParams extends Schema.Schema.Type<typeof InstallParams> {}

/**
 * The default install settings of one installation context.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IntegrationTypeConfiguration = Schema.Struct({
  oauth2_install_params: Schema.optional(InstallParams)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface IntegrationTypeConfiguration extends Schema.Schema.Type<typeof IntegrationTypeConfiguration> {}

/**
 * A member of a developer team (topics/teams, not in the local docs; kept to
 * the fields every team member carries).
 *
 * @since 0.1.0
 * @category schemas
 */
export const TeamMember = Schema.Struct({
  membership_state: Schema.Int,
  team_id: Snowflake,
  user: PartialUser,
  role: Schema.optional(Schema.String),
  // Shown in the application example of resources/application.mdx (`["*"]`); the teams page is not in our copy of the docs.
  permissions: Schema.optional(Schema.Array(Schema.String))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface TeamMember extends Schema.Schema.Type<typeof TeamMember> {}

/**
 * The developer team that owns an application.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Team = Schema.Struct({
  id: Snowflake,
  icon: Schema.NullOr(Schema.String),
  name: Schema.String,
  owner_user_id: Snowflake,
  members: Schema.Array(TeamMember)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Team extends Schema.Schema.Type<typeof Team> {}

/**
 * An application (an "app"), with the bot user it may own.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Application = Schema.Struct({
  id: Snowflake,
  name: Schema.String,
  icon: Schema.NullOr(Schema.String),
  description: Schema.String,
  rpc_origins: Schema.optional(Schema.Array(Schema.String)),
  bot_public: Schema.Boolean,
  bot_require_code_grant: Schema.Boolean,
  bot: Schema.optional(PartialUser),
  terms_of_service_url: Schema.optional(Schema.String),
  privacy_policy_url: Schema.optional(Schema.String),
  owner: Schema.optional(PartialUser),
  verify_key: Schema.String,
  team: Schema.NullOr(Team),
  guild_id: Schema.optional(Snowflake),
  guild: Schema.optional(PartialGuild),
  primary_sku_id: Schema.optional(Snowflake),
  slug: Schema.optional(Schema.String),
  cover_image: Schema.optional(Schema.String),
  flags: Schema.optional(Schema.Int),
  flags_new: Schema.optional(Schema.String),
  approximate_guild_count: Schema.optional(Schema.Int),
  approximate_user_install_count: Schema.optional(Schema.Int),
  approximate_user_authorization_count: Schema.optional(Schema.Int),
  redirect_uris: Schema.optional(Schema.Array(Schema.String)),
  interactions_endpoint_url: Schema.optional(Schema.NullOr(Schema.String)),
  role_connections_verification_url: Schema.optional(Schema.NullOr(Schema.String)),
  event_webhooks_url: Schema.optional(Schema.NullOr(Schema.String)),
  event_webhooks_status: Schema.optional(Schema.Int),
  event_webhooks_types: Schema.optional(Schema.Array(Schema.String)),
  tags: Schema.optional(Schema.Array(Schema.String)),
  install_params: Schema.optional(InstallParams),
  integration_types_config: Schema.optional(
    Schema.Record({ key: Schema.String, value: IntegrationTypeConfiguration })
  ),
  custom_install_url: Schema.optional(Schema.String)
})

/**
 * An application.
 *
 * @since 0.1.0
 * @category models
 */
export interface Application extends Schema.Schema.Type<typeof Application> {}

/**
 * An application of which only the `id` is guaranteed, as on messages and
 * attachments.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PartialApplication = Schema.Struct({ id: Snowflake }).pipe(
  Schema.extend(Schema.partialWith(Application.omit("id"), { exact: true }))
)

/**
 * An application of which only the `id` is guaranteed.
 *
 * @since 0.1.0
 * @category models
 */
export interface PartialApplication extends Schema.Schema.Type<typeof PartialApplication> {}

/**
 * The application of READY: `id` and `flags`, other fields optional.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReadyApplication = Schema.Struct({ id: Snowflake, flags: Schema.Int }).pipe(
  Schema.extend(Schema.partialWith(Application.omit("id", "flags"), { exact: true }))
)

/**
 * The application of READY.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReadyApplication extends Schema.Schema.Type<typeof ReadyApplication> {}
