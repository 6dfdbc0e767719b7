/**
 * The sticker and sticker item objects (resources/sticker.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Snowflake } from "./Snowflake.js"
import { User } from "./User.js"

/**
 * Known values of `sticker.type`.
 *
 * @since 0.1.0
 * @category constants
 */
export const StickerType = {
  Standard: 1,
  Guild: 2
} as const

/**
 * Known values of `sticker.format_type`.
 *
 * @since 0.1.0
 * @category constants
 */
export const StickerFormatType = {
  Png: 1,
  Apng: 2,
  Lottie: 3,
  Gif: 4
} as const

/**
 * A sticker, standard (from a pack) or uploaded to a guild.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Sticker = Schema.Struct({
  id: Snowflake,
  pack_id: Schema.optional(Snowflake),
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  /** Optional until 2021-07 (sticker packs and guild stickers); absent from some payloads sent before. */
  tags: Schema.optional(Schema.String),
  /** Added 2021-07 (sticker packs and guild stickers); absent from payloads sent before. */
  type: Schema.optional(Schema.Int),
  format_type: Schema.Int,
  available: Schema.optional(Schema.Boolean),
  guild_id: Schema.optional(Snowflake),
  user: Schema.optional(User),
  sort_value: Schema.optional(Schema.Int)
})

/**
 * A sticker.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sticker extends Schema.Schema.Type<typeof Sticker> {}

/**
 * The smallest amount of data needed to render a sticker, as sent on messages.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StickerItem = Schema.Struct({
  id: Snowflake,
  name: Schema.String,
  format_type: Schema.Int
})

/**
 * @since 0.1.0
 * @category models
 */
export interface StickerItem extends Schema.Schema.Type<typeof StickerItem> {}
