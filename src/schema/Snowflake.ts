/**
 * Discord's 64-bit ids, carried as decimal strings (reference: "Snowflakes").
 *
 * @since 0.1.0
 */
import type * as Brand from "effect/Brand"
import * as Schema from "effect/Schema"

/**
 * A Discord id: a decimal string of a 64-bit integer, branded so that ids are
 * not confused with other strings. Only the string type is checked at decode
 * time; a digit pattern would cost a regex run on every id of a GUILD_CREATE.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Snowflake = Schema.String.pipe(
  Schema.brand("Snowflake", {
    identifier: "Snowflake",
    description: "a Discord id: a 64-bit unsigned integer as a decimal string",
    // Generated ids are built the way Discord builds them, a creation time
    // (February 2015 to 2035) above 22 bits of worker, process and increment,
    // so they have the 17 to 19 digits of real ids.
    arbitrary: () => (fc) =>
      fc.tuple(
        fc.integer({ min: 2_678_400_000, max: 631_152_000_000 }),
        fc.integer({ min: 0, max: 0x3f_ffff })
      ).map(([sinceEpoch, low]) =>
        String((BigInt(sinceEpoch) << 22n) | BigInt(low)) as string & Brand.Brand<"Snowflake">
      )
  })
)

/**
 * A Discord id.
 *
 * @since 0.1.0
 * @category models
 */
export type Snowflake = Schema.Schema.Type<typeof Snowflake>

/**
 * The first millisecond of 2015, from which snowflake timestamps count.
 *
 * @since 0.1.0
 * @category constants
 */
export const DiscordEpoch = 1_420_070_400_000

const discordEpoch = BigInt(DiscordEpoch)

/**
 * When the object with this id was created, in milliseconds since the Unix epoch
 * (the top 42 bits of a snowflake count milliseconds since the Discord epoch).
 *
 * For example, `new Date(snowflakeTimestamp("175928847299117063")).toISOString()`
 * is `"2016-04-30T11:18:25.796Z"`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const snowflakeTimestamp = (id: Snowflake | string): number => Number((BigInt(id) >> 22n) + discordEpoch)

/**
 * The shard that receives the events of a guild: `(guild_id >> 22) % num_shards`
 * (events/gateway.mdx, "Sharding Formula").
 *
 * @since 0.1.0
 * @category constructors
 */
export const shardOf = (guildId: Snowflake | string, numShards: number): number =>
  Number((BigInt(guildId) >> 22n) % BigInt(numShards))
