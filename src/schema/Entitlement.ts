/**
 * The entitlement object (resources/entitlement.mdx), carried by interactions.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Snowflake } from "./Snowflake.js"
import { IsoTimestamp } from "./Timestamp.js"

/**
 * Known values of `entitlement.type`.
 *
 * @since 0.1.0
 * @category constants
 */
export const EntitlementType = {
  Purchase: 1,
  PremiumSubscription: 2,
  DeveloperGift: 3,
  TestModePurchase: 4,
  FreePurchase: 5,
  UserGift: 6,
  PremiumPurchase: 7,
  ApplicationSubscription: 8
} as const

/**
 * A user's or guild's access to a premium SKU of an application.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Entitlement = Schema.Struct({
  id: Snowflake,
  sku_id: Snowflake,
  application_id: Snowflake,
  user_id: Schema.optional(Snowflake),
  type: Schema.Int,
  deleted: Schema.Boolean,
  /** Optional (`starts_at?`) until 2024-12: "not present when using test entitlements"; absent from such payloads. */
  starts_at: Schema.optional(Schema.NullOr(IsoTimestamp)),
  /** Optional (`ends_at?`) until 2024-12: "not present when using test entitlements"; absent from such payloads. */
  ends_at: Schema.optional(Schema.NullOr(IsoTimestamp)),
  guild_id: Schema.optional(Snowflake),
  consumed: Schema.optional(Schema.Boolean)
})

/**
 * An entitlement.
 *
 * @since 0.1.0
 * @category models
 */
export interface Entitlement extends Schema.Schema.Type<typeof Entitlement> {}
