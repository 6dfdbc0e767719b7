/**
 * ISO8601 timestamps as Discord sends them, kept as strings.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * An ISO8601 timestamp such as `"2017-07-11T17:27:07.299000+00:00"`. It stays a
 * string so that the encoded side is the JSON Discord sent and decoding costs no
 * date parsing; convert with `new Date(value)` where a date is needed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IsoTimestamp = Schema.String.annotations({
  identifier: "IsoTimestamp",
  description: "an ISO8601 timestamp",
  // Generated values have Discord's shape: microseconds and an explicit offset.
  arbitrary: () => (fc) =>
    fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2035, 0, 1) }).map((ms) =>
      new Date(ms).toISOString().replace("Z", "000+00:00")
    )
})

/**
 * An ISO8601 timestamp string.
 *
 * @since 0.1.0
 * @category models
 */
export type IsoTimestamp = Schema.Schema.Type<typeof IsoTimestamp>
