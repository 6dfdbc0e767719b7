/**
 * Guild integrations (resources/guild.mdx, "Integration Object").
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Snowflake } from "./Snowflake.js"
import { IsoTimestamp } from "./Timestamp.js"
import { User } from "./User.js"

/**
 * What happens to a subscriber when an integration's subscription expires.
 *
 * @since 0.1.0
 * @category constants
 */
export const IntegrationExpireBehavior = {
  RemoveRole: 0,
  Kick: 1
} as const

/**
 * The account of an integration.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IntegrationAccount = Schema.Struct({
  id: Schema.String,
  name: Schema.String
})

/**
 * The account of an integration.
 *
 * @since 0.1.0
 * @category models
 */
export interface IntegrationAccount extends Schema.Schema.Type<typeof IntegrationAccount> {}

/**
 * The application of a bot or OAuth2 integration.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IntegrationApplication = Schema.Struct({
  id: Snowflake,
  name: Schema.String,
  icon: Schema.NullOr(Schema.String),
  description: Schema.String,
  bot: Schema.optional(User)
})

/**
 * The application of a bot or OAuth2 integration.
 *
 * @since 0.1.0
 * @category models
 */
export interface IntegrationApplication extends Schema.Schema.Type<typeof IntegrationApplication> {}

/**
 * A guild integration (Twitch, YouTube, Discord bot or guild subscription).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Integration = Schema.Struct({
  id: Snowflake,
  name: Schema.String,
  type: Schema.String,
  enabled: Schema.Boolean,
  syncing: Schema.optional(Schema.Boolean),
  role_id: Schema.optional(Snowflake),
  enable_emoticons: Schema.optional(Schema.Boolean),
  expire_behavior: Schema.optional(Schema.Int),
  expire_grace_period: Schema.optional(Schema.Int),
  user: Schema.optional(User),
  account: IntegrationAccount,
  synced_at: Schema.optional(IsoTimestamp),
  subscriber_count: Schema.optional(Schema.Int),
  revoked: Schema.optional(Schema.Boolean),
  application: Schema.optional(IntegrationApplication),
  scopes: Schema.optional(Schema.Array(Schema.String))
})

/**
 * A guild integration.
 *
 * @since 0.1.0
 * @category models
 */
export interface Integration extends Schema.Schema.Type<typeof Integration> {}
