/**
 * Premium app subscriptions (resources/subscription.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Snowflake } from "./Snowflake.js"
import { IsoTimestamp } from "./Timestamp.js"

/**
 * The statuses of a subscription.
 *
 * @since 0.1.0
 * @category constants
 */
export const SubscriptionStatus = {
  Active: 0,
  Inactive: 1,
  Ending: 2
} as const

/**
 * A user's recurring payment for one or more SKUs.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Subscription = Schema.Struct({
  id: Snowflake,
  user_id: Snowflake,
  sku_ids: Schema.Array(Snowflake),
  entitlement_ids: Schema.Array(Snowflake),
  /** Added 2024-12 (subscription renewals); absent from payloads sent before. */
  renewal_sku_ids: Schema.optional(Schema.NullOr(Schema.Array(Snowflake))),
  current_period_start: IsoTimestamp,
  current_period_end: IsoTimestamp,
  status: Schema.Int,
  canceled_at: Schema.NullOr(IsoTimestamp),
  country: Schema.optional(Schema.String)
})

/**
 * A user's recurring payment for one or more SKUs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Subscription extends Schema.Schema.Type<typeof Subscription> {}
