import { describe, expect, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import { DiscordEpoch, shardOf, Snowflake, snowflakeTimestamp } from "../../src/schema/Snowflake.js"
import * as Fixtures from "../../src/testing/fixtures.js"

describe("Snowflake", () => {
  it("the top 42 bits are milliseconds since the Discord epoch (reference.mdx example)", () => {
    expect(snowflakeTimestamp("175928847299117063")).toBe(1_462_015_105_796)
    expect(new Date(snowflakeTimestamp("175928847299117063")).toISOString()).toBe("2016-04-30T11:18:25.796Z")
    expect(snowflakeTimestamp("0")).toBe(DiscordEpoch)
  })

  it("shard_id = (guild_id >> 22) % num_shards", () => {
    expect(shardOf("41771983423143937", 1)).toBe(0)
    expect(shardOf("41771983423143937", 16)).toBe(Number((41771983423143937n >> 22n) % 16n))
    expect(shardOf(String(5n << 22n), 4)).toBe(1)
    expect(shardOf(String((5n << 22n) + 4_194_303n), 4)).toBe(1)
  })

  it("fixture snowflakes are deterministic, increasing, decodable and spread over shards", () => {
    expect(Fixtures.snowflake(1)).toBe(Fixtures.snowflake(1))
    expect(BigInt(Fixtures.snowflake(2))).toBeGreaterThan(BigInt(Fixtures.snowflake(1)))
    expect(Schema.decodeUnknownSync(Snowflake)(Fixtures.snowflake(7))).toBe(Fixtures.snowflake(7))
    const shards = new Set(Array.from({ length: 8 }, (_, i) => shardOf(Fixtures.snowflake(i), 4)))
    expect(shards.size).toBe(4)
    const year = new Date(snowflakeTimestamp(Fixtures.snowflake(1))).getUTCFullYear()
    expect(year).toBeGreaterThanOrEqual(2015)
  })

  it("a snowflake must be a string", () => {
    expect(() => Schema.decodeUnknownSync(Snowflake)(41771983423143937)).toThrow()
  })
})
