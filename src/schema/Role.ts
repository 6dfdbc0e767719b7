/**
 * The role object (topics/permissions.mdx, "Role Object").
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Snowflake } from "./Snowflake.js"

/**
 * Known bits of `role.flags`.
 *
 * @since 0.1.0
 * @category constants
 */
export const RoleFlags = {
  InPrompt: 1 << 0
} as const

/**
 * The tags of a role. Keys typed `null` are booleans: present and `null` means
 * true, absent means false.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RoleTags = Schema.Struct({
  bot_id: Schema.optional(Snowflake),
  integration_id: Schema.optional(Snowflake),
  premium_subscriber: Schema.optional(Schema.Null),
  subscription_listing_id: Schema.optional(Snowflake),
  available_for_purchase: Schema.optional(Schema.Null),
  guild_connections: Schema.optional(Schema.Null)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface RoleTags extends Schema.Schema.Type<typeof RoleTags> {}

/**
 * The colors of a role; `secondary_color` and `tertiary_color` make gradients.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RoleColors = Schema.Struct({
  primary_color: Schema.Int,
  /** Absent means none, as `null` does: Spacebar sends only `primary_color`. */
  secondary_color: Schema.optional(Schema.NullOr(Schema.Int)),
  /** Absent means none, as `null` does: Spacebar sends only `primary_color`. */
  tertiary_color: Schema.optional(Schema.NullOr(Schema.Int))
})

/**
 * @since 0.1.0
 * @category models
 */
export interface RoleColors extends Schema.Schema.Type<typeof RoleColors> {}

/**
 * A guild role. `permissions` stays the decimal string Discord sends, since the
 * bit set does not fit in a double.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Role = Schema.Struct({
  id: Snowflake,
  name: Schema.String,
  color: Schema.Int,
  /** Added 2025-07 (gradient role colors); absent from payloads sent before. */
  colors: Schema.optional(RoleColors),
  hoist: Schema.Boolean,
  icon: Schema.optional(Schema.NullOr(Schema.String)),
  unicode_emoji: Schema.optional(Schema.NullOr(Schema.String)),
  position: Schema.Int,
  permissions: Schema.String,
  managed: Schema.Boolean,
  mentionable: Schema.Boolean,
  tags: Schema.optional(RoleTags),
  /** Added 2023-07 (role flags); absent from payloads sent before. */
  flags: Schema.optional(Schema.Int)
})

/**
 * A guild role.
 *
 * @since 0.1.0
 * @category models
 */
export interface Role extends Schema.Schema.Type<typeof Role> {}
