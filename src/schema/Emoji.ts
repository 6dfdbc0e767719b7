/**
 * The emoji object (resources/emoji.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Snowflake } from "./Snowflake.js"
import { User } from "./User.js"

/**
 * An emoji: a custom guild or application emoji (with an `id`) or a standard
 * Unicode emoji (`id` null). `name` is null only in reaction emoji whose custom
 * emoji data is gone. Also used for the partial emoji of reactions and polls.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Emoji = Schema.Struct({
  id: Schema.NullOr(Snowflake),
  name: Schema.NullOr(Schema.String),
  roles: Schema.optional(Schema.Array(Snowflake)),
  user: Schema.optional(User),
  require_colons: Schema.optional(Schema.Boolean),
  managed: Schema.optional(Schema.Boolean),
  animated: Schema.optional(Schema.Boolean),
  available: Schema.optional(Schema.Boolean)
})

/**
 * An emoji.
 *
 * @since 0.1.0
 * @category models
 */
export interface Emoji extends Schema.Schema.Type<typeof Emoji> {}

/**
 * A partial emoji as used in poll media: any of `id`, `name` and `animated`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PartialEmoji = Schema.partialWith(Emoji, { exact: true })

/**
 * @since 0.1.0
 * @category models
 */
export interface PartialEmoji extends Schema.Schema.Type<typeof PartialEmoji> {}
