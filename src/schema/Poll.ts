/**
 * The poll object (resources/poll.mdx).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { PartialEmoji } from "./Emoji.js"
import { IsoTimestamp } from "./Timestamp.js"

/**
 * Known values of `poll.layout_type`.
 *
 * @since 0.1.0
 * @category constants
 */
export const PollLayoutType = {
  Default: 1
} as const

/**
 * The text and emoji of a poll question or answer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PollMedia = Schema.Struct({
  text: Schema.optional(Schema.String),
  emoji: Schema.optional(PartialEmoji)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface PollMedia extends Schema.Schema.Type<typeof PollMedia> {}

/**
 * An answer of a poll.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PollAnswer = Schema.Struct({
  answer_id: Schema.Int,
  poll_media: PollMedia
})

/**
 * @since 0.1.0
 * @category models
 */
export interface PollAnswer extends Schema.Schema.Type<typeof PollAnswer> {}

/**
 * The vote count of one answer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PollAnswerCount = Schema.Struct({
  id: Schema.Int,
  count: Schema.Int,
  me_voted: Schema.Boolean
})

/**
 * @since 0.1.0
 * @category models
 */
export interface PollAnswerCount extends Schema.Schema.Type<typeof PollAnswerCount> {}

/**
 * The vote counts of a poll; final once `is_finalized` is true.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PollResults = Schema.Struct({
  is_finalized: Schema.Boolean,
  answer_counts: Schema.Array(PollAnswerCount)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface PollResults extends Schema.Schema.Type<typeof PollResults> {}

/**
 * A poll attached to a message. Missing `results` mean "unknown", not "no votes".
 *
 * @since 0.1.0
 * @category schemas
 */
export const Poll = Schema.Struct({
  question: PollMedia,
  answers: Schema.Array(PollAnswer),
  expiry: Schema.NullOr(IsoTimestamp),
  allow_multiselect: Schema.Boolean,
  layout_type: Schema.Int,
  results: Schema.optional(PollResults)
})

/**
 * A poll.
 *
 * @since 0.1.0
 * @category models
 */
export interface Poll extends Schema.Schema.Type<typeof Poll> {}
