import { describe, expect, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import { DispatchSchemas } from "../../src/Events.js"
import { Snowflake, snowflakeTimestamp } from "../../src/schema/Snowflake.js"
import { IsoTimestamp } from "../../src/schema/Timestamp.js"

// A fixed seed keeps CI reproducible; fast-check prints the seed and path of a
// failure, and ROUNDTRIP_SEED / ROUNDTRIP_RUNS replay it or search deeper locally.
const fastCheck = {
  seed: Number(process.env.ROUNDTRIP_SEED ?? 20_261_125),
  numRuns: Number(process.env.ROUNDTRIP_RUNS ?? 25)
}

// effect 3.22 builds a decoded Record with plain assignment, so an own
// "__proto__" key (which JSON.parse produces) sets the prototype of the output
// instead of becoming a key: it cannot round-trip. fast-check's string
// generator favours that key, so such values are discarded here; the test at
// the bottom pins the upstream behaviour and fails once it changes. Discord's
// record keys are snowflakes or "0"/"1", so real payloads never carry it.
const hasOwnProtoKey = (value: unknown): boolean => {
  if (Array.isArray(value)) return value.some(hasOwnProtoKey)
  if (typeof value !== "object" || value === null) return false
  return Object.hasOwn(value, "__proto__") || Object.values(value).some(hasOwnProtoKey)
}

describe("every dispatch event Schema round-trips", () => {
  for (const [name, schema] of Object.entries(DispatchSchemas) as Array<[string, Schema.Schema.AnyNoContext]>) {
    const encode = Schema.encodeSync(schema)
    const decode = Schema.decodeUnknownSync(schema)

    it.prop(`${name}: decoding the encoded value gives the value back`, { value: schema }, ({ value }) => {
      FastCheck.pre(!hasOwnProtoKey(value))
      expect(decode(encode(value))).toStrictEqual(value)
    }, { fastCheck })

    it.prop(`${name}: the encoded form is stable under decode then encode`, { value: schema }, ({ value }) => {
      FastCheck.pre(!hasOwnProtoKey(value))
      const encoded = encode(value)
      expect(encode(decode(encoded))).toStrictEqual(encoded)
    }, { fastCheck })
  }
})

describe("generated ids and timestamps look like Discord's", () => {
  it.prop("a generated snowflake has 17 to 19 digits and a creation time in 2015-2035", { id: Snowflake }, ({ id }) => {
    expect(id).toMatch(/^[1-9]\d{16,18}$/)
    expect(snowflakeTimestamp(id)).toBeGreaterThanOrEqual(Date.UTC(2015, 0, 1))
    expect(snowflakeTimestamp(id)).toBeLessThanOrEqual(Date.UTC(2035, 0, 1))
  }, { fastCheck })

  it.prop("a generated timestamp has microseconds and an explicit offset", { at: IsoTimestamp }, ({ at }) => {
    expect(at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/)
    expect(Number.isFinite(Date.parse(at))).toBe(true)
  }, { fastCheck })
})

describe("known limitation", () => {
  it("effect's Record decoding drops an own \"__proto__\" key", () => {
    const input = JSON.parse("{\"__proto__\":1,\"175928847299117063\":2}")
    const decoded = Schema.decodeUnknownSync(Schema.Record({ key: Schema.String, value: Schema.Number }))(input)
    expect(Object.keys(decoded)).toEqual(["175928847299117063"])
  })
})
