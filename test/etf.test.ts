import { assert, describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Etf from "../src/internal/etf.js"

const fc = FastCheck

const bytes = (...xs: ReadonlyArray<number | ReadonlyArray<number>>): Uint8Array =>
  new Uint8Array(xs.flatMap((x) => (typeof x === "number" ? [x] : [...x])))

const ascii = (s: string): Array<number> => [...s].map((c) => c.charCodeAt(0))
const utf8 = (s: string): Array<number> => [...new TextEncoder().encode(s)]
const u16 = (n: number): Array<number> => [(n >> 8) & 0xff, n & 0xff]
const u32 = (n: number): Array<number> => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]
/** Little-endian digits of a non-negative bigint, as SMALL_BIG/LARGE_BIG store them. */
const digits = (v: bigint): Array<number> => {
  const out: Array<number> = []
  for (let m = v; m > 0n; m >>= 8n) out.push(Number(m & 0xffn))
  return out
}
const smallBig = (v: bigint): Uint8Array => {
  const d = digits(v < 0n ? -v : v)
  return bytes(131, 110, d.length, v < 0n ? 1 : 0, d)
}
const binary = (s: string): Array<number> => [109, ...u32(utf8(s).length), ...utf8(s)]

const ok = (input: Uint8Array): unknown => {
  const result = Etf.decode(input)
  if (Either.isLeft(result)) assert.fail(`expected a value, got: ${result.left.message}`)
  return result.right
}

const failure = (input: Uint8Array, options?: Etf.DecodeOptions): Etf.EtfDecodeError => {
  const result = Etf.decode(input, options)
  if (Either.isRight(result)) assert.fail(`expected a failure, got ${JSON.stringify(result.right)}`)
  return result.left
}

const encoded = (value: unknown): Uint8Array => Either.getOrThrow(Etf.encode(value))

describe("ETF decoding of each tag", () => {
  it("SMALL_INTEGER_EXT and INTEGER_EXT are numbers, INTEGER_EXT signed", () => {
    assert.strictEqual(ok(bytes(131, 97, 255)), 255)
    assert.strictEqual(ok(bytes(131, 98, u32(0xfffffffe))), -2)
    assert.strictEqual(ok(bytes(131, 98, u32(2147483647))), 2147483647)
  })

  it("NEW_FLOAT_EXT and the textual FLOAT_EXT are numbers", () => {
    const f = new DataView(new ArrayBuffer(8))
    f.setFloat64(0, -1.5)
    assert.strictEqual(ok(bytes(131, 70, [...new Uint8Array(f.buffer)])), -1.5)
    const text = ascii("1.50000000000000000000e+00")
    assert.strictEqual(ok(bytes(131, 99, text, new Array(31 - text.length).fill(0))), 1.5)
    const garbage = ascii("not a float")
    assert.match(failure(bytes(131, 99, garbage, new Array(31 - garbage.length).fill(0))).reason, /FLOAT_EXT/)
  })

  it("atoms: nil is null, true and false are booleans, others are strings", () => {
    assert.strictEqual(ok(bytes(131, 100, u16(3), ascii("nil"))), null)
    assert.strictEqual(ok(bytes(131, 115, 4, ascii("true"))), true)
    assert.strictEqual(ok(bytes(131, 118, u16(5), ascii("false"))), false)
    assert.strictEqual(ok(bytes(131, 119, utf8("héllo").length, utf8("héllo"))), "héllo")
    // ATOM_EXT and SMALL_ATOM_EXT are Latin-1
    assert.strictEqual(ok(bytes(131, 115, 2, 0x63, 0xe9)), "cé")
    assert.strictEqual(ok(bytes(131, 100, u16(3), ascii("ok!"))), "ok!")
  })

  it("BINARY_EXT is UTF-8 text, long and short, ASCII or not", () => {
    for (const s of ["", "id", "channel_id", "héllo ✓ 🎉", "x".repeat(1000), "🎉".repeat(300)]) {
      assert.strictEqual(ok(bytes(131, binary(s))), s)
    }
  })

  it("STRING_EXT is the list of its byte values, as in Erlang (activity party.size)", () => {
    assert.deepStrictEqual(ok(bytes(131, 107, u16(2), 1, 5)), [1, 5])
    assert.deepStrictEqual(ok(bytes(131, 107, u16(3), ascii("abc"))), [97, 98, 99])
  })

  it("LIST_EXT with a NIL tail, NIL_EXT, and the tuples are arrays", () => {
    assert.deepStrictEqual(ok(bytes(131, 108, u32(2), 97, 1, binary("a"), 106)), [1, "a"])
    assert.deepStrictEqual(ok(bytes(131, 106)), [])
    assert.deepStrictEqual(ok(bytes(131, 104, 2, 97, 1, 97, 2)), [1, 2])
    assert.deepStrictEqual(ok(bytes(131, 105, u32(1), 106)), [[]])
  })

  it("an improper list is a failure", () => {
    assert.match(failure(bytes(131, 108, u32(1), 97, 1, 97, 2)).reason, /improper list/)
  })

  it("MAP_EXT is an object; binary, atom and integer keys become strings", () => {
    const input = bytes(
      131, 116, u32(5),
      binary("id"), binary("héllo"),
      100, u16(3), ascii("nil"), 97, 1,
      97, 7, 115, 4, ascii("true"),
      98, u32(0xffffffff), 106,
      [...smallBig(175928847299117063n).subarray(1)], 97, 2
    )
    assert.deepStrictEqual(ok(input), { id: "héllo", nil: 1, "7": true, "-1": [], "175928847299117063": 2 })
  })

  it("a __proto__ key is an own property, as with JSON.parse", () => {
    const value = ok(bytes(131, 116, u32(1), binary("__proto__"), 116, u32(1), binary("polluted"), 97, 1)) as Record<
      string,
      unknown
    >
    assert.isTrue(Object.prototype.hasOwnProperty.call(value, "__proto__"))
    assert.strictEqual(Object.getPrototypeOf(value), Object.prototype)
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined)
    assert.deepStrictEqual(value, JSON.parse("{\"__proto__\":{\"polluted\":1}}"))
  })

  it("a map key that is not a binary, atom or integer is a failure", () => {
    assert.match(failure(bytes(131, 116, u32(1), 106, 97, 1)).reason, /map key/)
  })
})

describe("ETF big integers: a number when safe, else the decimal string", () => {
  it("a 64-bit snowflake (SMALL_BIG_EXT, as Discord sends ids) is its decimal string", () => {
    assert.strictEqual(ok(smallBig(175928847299117063n)), "175928847299117063")
    assert.strictEqual(ok(smallBig(18446744073709551615n)), "18446744073709551615")
    assert.strictEqual(ok(smallBig(1n << 63n)), "9223372036854775808")
  })

  it("safe integers are numbers, up to 2^53 - 1 and down to -(2^53 - 1)", () => {
    assert.strictEqual(ok(smallBig(2n ** 53n - 1n)), Number.MAX_SAFE_INTEGER)
    assert.strictEqual(ok(smallBig(-(2n ** 53n - 1n))), -Number.MAX_SAFE_INTEGER)
    assert.strictEqual(ok(smallBig(2n ** 53n)), "9007199254740992")
    assert.strictEqual(ok(smallBig(1_709_294_400_000n)), 1_709_294_400_000)
    assert.strictEqual(ok(bytes(131, 110, 0, 0)), 0)
  })

  it("negative bigs keep their sign", () => {
    assert.strictEqual(ok(smallBig(-(2n ** 40n))), -(2 ** 40))
    assert.strictEqual(ok(smallBig(-175928847299117063n)), "-175928847299117063")
  })

  it("LARGE_BIG_EXT and bigs over 8 bytes decode through BigInt", () => {
    assert.strictEqual(ok(bytes(131, 111, u32(2), 0, 1, 1)), 257)
    const v = 2n ** 70n + 12345n
    const d = digits(v)
    assert.strictEqual(ok(bytes(131, 111, u32(d.length), 1, d)), `-${v}`)
    assert.strictEqual(ok(bytes(131, 110, 9, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0)), 5)
  })

  it("a big of more than 64 bytes, or with a bad sign byte, is a failure", () => {
    assert.match(failure(bytes(131, 110, 65, 0, new Array(65).fill(1))).reason, /exceeds 64/)
    assert.match(failure(bytes(131, 110, 1, 2, 1)).reason, /sign byte/)
  })

  it.prop("every 64-bit value decodes like BigInt's own decimal conversion", [fc.bigUintN(64), fc.boolean()], ([v, negative]) => {
    const expected = v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) * (negative && v !== 0n ? -1 : 1) : `${negative ? "-" : ""}${v}`
    const d = digits(v)
    expect(ok(bytes(131, 110, d.length, negative ? 1 : 0, d))).toStrictEqual(expected)
  }, { fastCheck: { numRuns: 2000 } })
})

describe("ETF encoding of what we send", () => {
  it("encodes each kind of value with the tag Discord expects", () => {
    assert.deepStrictEqual(encoded(null), bytes(131, 119, 3, ascii("nil")))
    assert.deepStrictEqual(encoded(true), bytes(131, 119, 4, ascii("true")))
    assert.deepStrictEqual(encoded(7), bytes(131, 97, 7))
    assert.deepStrictEqual(encoded(-1), bytes(131, 98, u32(0xffffffff)))
    assert.deepStrictEqual(encoded(2 ** 40), smallBig(2n ** 40n))
    assert.deepStrictEqual(encoded(-(2 ** 40)), smallBig(-(2n ** 40n)))
    assert.deepStrictEqual(encoded(175928847299117063n), smallBig(175928847299117063n))
    assert.deepStrictEqual(encoded("é"), bytes(131, binary("é")))
    assert.deepStrictEqual(encoded([]), bytes(131, 106))
    assert.deepStrictEqual(encoded([1]), bytes(131, 108, u32(1), 97, 1, 106))
    const f = new DataView(new ArrayBuffer(8))
    f.setFloat64(0, 0.25)
    assert.deepStrictEqual(encoded(0.25), bytes(131, 70, [...new Uint8Array(f.buffer)]))
  })

  it("objects are maps with binary keys (Discord closes with 4002 on atom keys)", () => {
    assert.deepStrictEqual(encoded({ op: 1, d: null }), bytes(131, 116, u32(2), binary("op"), 97, 1, binary("d"), 119, 3, ascii("nil")))
  })

  it("follows JSON.stringify: undefined properties are left out, NaN is null, toJSON is used", () => {
    const value = { a: undefined, b: Number.NaN, c: [undefined], d: new Date(0), e: -0 }
    assert.deepStrictEqual(ok(encoded(value)), JSON.parse(JSON.stringify(value)))
  })

  it("a cycle or too deep a value is a failure, not a stack overflow", () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const result = Etf.encode(cyclic)
    assert.isTrue(Either.isLeft(result))
    let deep: unknown = []
    for (let i = 0; i < 300; i++) deep = [deep]
    assert.isTrue(Either.isLeft(Etf.encode(deep)))
  })

  it("an identify payload round-trips", () => {
    const identify = {
      op: 2,
      d: {
        token: "Bot abc.def",
        intents: 3276799,
        properties: { os: "linux", browser: "effect-discord-gateway", device: "effect-discord-gateway" },
        shard: [0, 1],
        presence: { since: 1_709_294_400_000, activities: [{ name: "ñ ✓", type: 0 }], status: "online", afk: false }
      }
    }
    assert.deepStrictEqual(ok(encoded(identify)), identify)
  })
})

/** JSON-like values with the cases that matter: big safe integers, negatives, non-ASCII text. */
const jsonLike: FastCheck.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.integer({ min: 0, max: 255 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string(),
    fc.fullUnicodeString(),
    fc.array(tie("value")),
    fc.dictionary(fc.oneof(fc.string(), fc.fullUnicodeString()), tie("value"))
  )
})).value

describe("ETF round trip", () => {
  it.prop("decode(encode(v)) is what JSON.parse(JSON.stringify(v)) gives", [jsonLike], ([v]) => {
    expect(ok(encoded(v))).toStrictEqual(JSON.parse(JSON.stringify(v)))
  }, { fastCheck: { numRuns: 500 } })

  it.prop("fast-check's own JSON values round-trip too", [fc.jsonValue()], ([v]) => {
    expect(ok(encoded(v))).toStrictEqual(JSON.parse(JSON.stringify(v)))
  }, { fastCheck: { numRuns: 300 } })
})

/** A Discord-shaped MESSAGE_CREATE, with its ids as 64-bit integers the way Discord sends ETF. */
const discordMessage = () => ({
  op: 0,
  s: 42,
  t: "MESSAGE_CREATE",
  d: {
    id: 1215036463012352040n,
    channel_id: 1215036463012352041n,
    guild_id: 1215036463012352042n,
    author: { id: 1215036463012352043n, username: "ünïcode", bot: false, avatar: null },
    content: "hello ✓ 🎉",
    mentions: [],
    mention_roles: [1215036463012352044n],
    timestamp: "2024-03-01T12:00:00.000000+00:00",
    activity: { party_id: "p", type: 1 },
    nonce: 12345,
    flags: 0,
    tts: false
  }
})

describe("ETF decoding of a Discord-shaped message", () => {
  it("ids sent as 64-bit integers arrive as the strings the JSON Schemas expect", () => {
    const decoded = ok(encoded(discordMessage()))
    const json = JSON.parse(JSON.stringify(discordMessage(), (_, v) => (typeof v === "bigint" ? String(v) : v)))
    assert.deepStrictEqual(decoded, json)
  })
})

describe("ETF decoding of hostile input", () => {
  const message = encoded({
    op: 0,
    d: { id: 1215036463012352040n, list: [1, -70000, 2 ** 40, 0.5, "é", null, true, [], {}], s: "x".repeat(40) }
  })

  it("every truncation of a valid message is a clean failure", () => {
    for (let n = 0; n < message.length; n++) {
      const result = Etf.decode(message.subarray(0, n))
      assert.isTrue(Either.isLeft(result), `a prefix of ${n} bytes decoded`)
    }
    assert.isTrue(Either.isRight(Etf.decode(message)))
  })

  it("trailing bytes after the term, and a wrong version byte, are failures", () => {
    assert.match(failure(bytes(...message, 0)).reason, /after the term/)
    assert.match(failure(bytes(130, 97, 1)).reason, /version byte/)
  })

  it("a list claiming 2^32-1 elements in five bytes fails at once, without allocating for them", () => {
    const hostile = [
      bytes(131, 108, u32(0xffffffff)),
      bytes(131, 108, u32(0xffffffff), 97, 1, 97, 2),
      bytes(131, 116, u32(0xffffffff), 97),
      bytes(131, 105, u32(0xffffffff), 97),
      bytes(131, 109, u32(0xffffffff), 97),
      bytes(131, 111, u32(0xffffffff), 0, 1),
      bytes(131, 107, u16(0xffff), 1)
    ]
    const start = performance.now()
    for (let round = 0; round < 100; round++) {
      for (const input of hostile) assert.isTrue(Either.isLeft(Etf.decode(input)))
    }
    const perDecodeMs = (performance.now() - start) / (100 * hostile.length)
    assert.isBelow(perDecodeMs, 2, `a hostile length took ${perDecodeMs} ms per decode`)
  })

  it("100 000 levels of nesting fail cleanly and fast (the bound is 256)", () => {
    for (const open of [[108, ...u32(1)], [104, 1], [116, ...u32(1), 97, 1]]) {
      const depth = 100_000
      const input = new Uint8Array(1 + depth * open.length + 1)
      input[0] = 131
      for (let i = 0; i < depth; i++) input.set(open, 1 + i * open.length)
      input[input.length - 1] = 106
      const start = performance.now()
      const error = failure(input)
      assert.isBelow(performance.now() - start, 50)
      assert.match(error.reason, /nesting deeper than 256/)
    }
  })

  it("nesting up to the bound decodes", () => {
    /** `levels` one-element lists around an empty list (NIL_EXT, which is no level). */
    const nested = (levels: number): Uint8Array => {
      const head = Array.from({ length: levels }, () => [108, ...u32(1)]).flat()
      return bytes(131, head, 106, new Array(levels).fill(106))
    }
    assert.isTrue(Either.isRight(Etf.decode(nested(256))))
    assert.match(failure(nested(257)).reason, /nesting deeper than 256/)
    assert.isTrue(Either.isRight(Etf.decode(nested(257), { maxDepth: 300 })))
  })

  it("an input over maxBytes is refused before it is read", () => {
    assert.match(failure(encoded("x".repeat(100)), { maxBytes: 50 }).reason, /exceeds the limit of 50/)
  })

  it("tags Discord never sends are failures", () => {
    assert.match(failure(bytes(131, 80, u32(10), 1, 2, 3)).reason, /compressed/)
    assert.match(failure(bytes(131, 88, 0)).reason, /unsupported tag 88/)
  })

  it.prop("random bytes never throw", [fc.uint8Array({ maxLength: 64 })], ([input]) => {
    const withVersion = bytes(131, [...input])
    for (const candidate of [input, withVersion]) {
      const result = Etf.decode(candidate)
      assert.isTrue(Either.isLeft(result) || Either.isRight(result))
    }
  }, { fastCheck: { numRuns: 5000 } })

  it.prop("a valid message with one byte changed never throws", [jsonLike, fc.nat(), fc.integer({ min: 0, max: 255 })], ([v, i, b]) => {
    const input = encoded(v).slice()
    input[i % input.length] = b
    const result = Etf.decode(input)
    assert.isTrue(Either.isLeft(result) || Either.isRight(result))
  }, { fastCheck: { numRuns: 2000 } })
})
