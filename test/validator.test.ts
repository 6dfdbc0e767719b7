import { assert, describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import type { ParseOptions } from "effect/SchemaAST"
import { DispatchSchemas } from "../src/Events.js"
import * as Dispatch from "../src/internal/dispatch.js"
import * as Validator from "../src/internal/validator.js"
import * as Fixtures from "../src/testing/fixtures.js"

// A fixed seed keeps CI reproducible; VALIDATOR_SEED / VALIDATOR_RUNS replay a
// failure or search deeper locally.
const fastCheck = {
  seed: Number(process.env.VALIDATOR_SEED ?? 20_261_125),
  numRuns: Number(process.env.VALIDATOR_RUNS ?? 15)
}

const compileOrThrow = <A, I>(
  schema: Schema.Schema<A, I>,
  options?: ParseOptions,
  generate?: boolean
): Validator.Validator<A> => Either.getOrThrowWith(Validator.compile(schema, options, generate), (e) => e)

/** The decoder and both compiled checks (generated, closures only) give `expected` for `input`. */
const agrees = <A, I>(schema: Schema.Schema<A, I>, input: unknown, expected: boolean): void => {
  const decoded = Schema.decodeUnknownEither(schema)(input)
  const shown = String(JSON.stringify(input))
  assert.strictEqual(Either.isRight(decoded), expected, `decoder on ${shown}`)
  assert.strictEqual(compileOrThrow(schema)(input), expected, `check on ${shown}`)
  assert.strictEqual(compileOrThrow(schema, undefined, false)(input), expected, `closures-only check on ${shown}`)
}

// ---------------------------------------------------------------------------
// mutations of valid payloads
// ---------------------------------------------------------------------------

type Kind = "delete" | "replace" | "null" | "extra" | "append"

interface Mutation {
  readonly kind: Kind
  readonly at: number
  readonly replacement: unknown
}

const replacements: ReadonlyArray<unknown> = [
  null,
  undefined,
  0,
  -1.5,
  "",
  "1234567890123456789",
  true,
  false,
  {},
  [],
  [0],
  { id: "1" }
]

const mutation: FastCheck.Arbitrary<Mutation> = FastCheck.record({
  kind: FastCheck.constantFrom<Kind>("delete", "replace", "null", "extra", "append"),
  at: FastCheck.nat(),
  replacement: FastCheck.constantFrom(...replacements)
})

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

// A copy of the arrays and plain objects of a value (what a mutation touches).
const copy = (u: unknown): unknown =>
  Array.isArray(u) ?
    u.map(copy) :
    isPlainObject(u) && Object.getPrototypeOf(u) === Object.prototype ?
    Object.fromEntries(Object.entries(u).map(([k, v]) => [k, copy(v)])) :
    u

type Slot = readonly [parent: Record<string, unknown> | Array<unknown>, key: string | number]

const slotsOf = (u: unknown, out: Array<Slot>): Array<Slot> => {
  if (Array.isArray(u)) {
    u.forEach((v, i) => {
      out.push([u, i])
      slotsOf(v, out)
    })
  } else if (isPlainObject(u)) {
    for (const [k, v] of Object.entries(u)) {
      out.push([u, k])
      slotsOf(v, out)
    }
  }
  return out
}

/**
 * A mutated copy of `value`: somewhere, a key or element deleted, a value
 * replaced or nulled, an unknown key added, or an array made longer.
 */
const mutate = (value: unknown, { at, kind, replacement }: Mutation): unknown => {
  const root = copy(value)
  const slots = slotsOf(root, [])
  // Slot -1 stands for the root itself.
  const i = at % (slots.length + 1) - 1
  if (i < 0) {
    if (kind === "extra" && isPlainObject(root)) return { ...root, unknown_field: replacement }
    return kind === "null" ? null : kind === "delete" ? undefined : replacement
  }
  const [parent, key] = slots[i]!
  const target = (parent as Record<string | number, unknown>)[key]
  switch (kind) {
    case "delete":
      if (Array.isArray(parent)) parent.splice(key as number, 1)
      else delete parent[key as string]
      break
    case "replace":
      ;(parent as Record<string | number, unknown>)[key] = replacement
      break
    case "null":
      ;(parent as Record<string | number, unknown>)[key] = null
      break
    case "extra":
      if (isPlainObject(target)) target["unknown_field"] = replacement
      else if (isPlainObject(parent)) parent["unknown_field"] = replacement
      break
    case "append":
      if (Array.isArray(target)) target.push(target.length > 0 ? copy(target[0]) : replacement)
      else if (Array.isArray(parent)) parent.push(copy(target))
      else parent[key as string] = [copy(target)]
      break
  }
  return root
}

const hasOwnProtoKey = (u: unknown): boolean =>
  Array.isArray(u) ?
    u.some(hasOwnProtoKey) :
    isPlainObject(u) && (Object.hasOwn(u, "__proto__") || Object.values(u).some(hasOwnProtoKey))

/**
 * Whether the decoded value is the input minus keys: every key of `decoded`
 * holds the same value in `input` (read as the decoder reads it), arrays have
 * the same length, and leaves are the same values.
 */
const isContainedIn = (decoded: unknown, input: unknown): boolean => {
  if (Array.isArray(decoded)) {
    return Array.isArray(input) && decoded.length === input.length &&
      decoded.every((d, i) => isContainedIn(d, input[i]))
  }
  if (typeof decoded === "object" && decoded !== null) {
    if (typeof input !== "object" || input === null) return false
    const source = input as Record<string, unknown>
    return Object.entries(decoded).every(([k, v]) => isContainedIn(v, source[k]))
  }
  return Object.is(decoded, input)
}

// ---------------------------------------------------------------------------
// agreement on every dispatch event
// ---------------------------------------------------------------------------

const events = Object.entries(DispatchSchemas) as Array<[string, Schema.Schema<unknown, unknown>]>

describe("the compiled check accepts exactly what the decoder accepts, for every dispatch event", () => {
  const stats = { mutated: 0, rejected: 0 }

  it("every dispatch event Schema compiles to a check in place", () => {
    const unsupported = events.flatMap(([name, schema]) =>
      Either.match(Validator.compile(schema), { onLeft: (e) => [`${name}: ${e.message}`], onRight: () => [] })
    )
    assert.deepStrictEqual(unsupported, [])
  })

  for (const [name, schema] of events) {
    it(`${name}: valid and mutated payloads`, () => {
      const check = Either.getOrUndefined(Validator.compile(schema))
      const closuresOnly = Either.getOrUndefined(Validator.compile(schema, undefined, false))
      if (check === undefined || closuresOnly === undefined) return
      const decode = Schema.decodeUnknownEither(schema)
      const decodePreserve = Schema.decodeUnknownEither(schema, { onExcessProperty: "preserve" })
      const encode = Schema.encodeSync(schema)

      const agreesOn = (input: unknown): boolean => {
        const decoded = decode(input)
        const accepted = check(input)
        expect(accepted).toBe(Either.isRight(decoded))
        expect(closuresOnly(input)).toBe(accepted)
        if (Either.isRight(decoded)) {
          // In place is faithful: the decoder's output is the input without its unknown keys ...
          expect(isContainedIn(decoded.right, input)).toBe(true)
          // ... and the decoder that keeps unknown keys returns the input itself. (An own
          // "__proto__" key is not kept by effect's decoder: see test/schema/RoundTrip.test.ts.)
          if (!hasOwnProtoKey(input)) expect(Either.getOrThrow(decodePreserve(input))).toEqual(input)
        }
        return accepted
      }

      FastCheck.assert(
        FastCheck.property(Arbitrary.make(schema), FastCheck.array(mutation, { minLength: 4, maxLength: 4 }), (value, mutations) => {
          const payload = encode(value)
          expect(agreesOn(payload)).toBe(true)
          for (const m of mutations) {
            stats.mutated++
            if (!agreesOn(mutate(payload, m))) stats.rejected++
          }
        }),
        fastCheck
      )
    })
  }

  it("the mutations exercise both answers", () => {
    // Many mutations keep a payload valid (an optional key deleted, an unknown key added);
    // enough of them must break it for the agreement above to say something.
    if (stats.mutated === 0) return // the tests above were filtered out (vitest -t)
    expect(stats.rejected / stats.mutated).toBeGreaterThan(0.2)
    expect(stats.rejected / stats.mutated).toBeLessThan(0.9)
  })
})

// ---------------------------------------------------------------------------
// the decoder's rules, one by one
// ---------------------------------------------------------------------------

describe("optional, exact optional and undefined", () => {
  it("Schema.optional accepts a missing key and an explicit undefined", () => {
    const s = Schema.Struct({ a: Schema.optional(Schema.String) })
    agrees(s, {}, true)
    agrees(s, { a: undefined }, true)
    agrees(s, { a: "x" }, true)
    agrees(s, { a: 1 }, false)
    agrees(s, { a: null }, false)
  })

  it("an exact optional key (optionalWith exact, partialWith exact) accepts a missing key, not undefined", () => {
    for (
      const s of [
        Schema.Struct({ a: Schema.optionalWith(Schema.String, { exact: true }) }),
        Schema.partialWith(Schema.Struct({ a: Schema.String }), { exact: true })
      ]
    ) {
      agrees(s, {}, true)
      agrees(s, { a: "x" }, true)
      agrees(s, { a: undefined }, false)
    }
  })

  it("a required key whose type accepts undefined may be missing, unless the parse options say exact", () => {
    const s = Schema.Struct({ meta: Schema.Unknown, b: Schema.UndefinedOr(Schema.Number) })
    agrees(s, {}, true)
    agrees(s, { b: "x" }, false)
    const exact = s.annotations({ parseOptions: { exact: true } })
    agrees(exact, {}, false)
    agrees(exact, { meta: 1, b: undefined }, true)
    // The options the decoder is called with count the same way.
    assert.isTrue(compileOrThrow(s)({}))
    assert.isFalse(compileOrThrow(s, { exact: true })({}))
  })

  it("reads keys as the decoder does: an inherited value counts for a required key, not for an optional one", () => {
    agrees(Schema.Struct({ constructor: Schema.optional(Schema.String) }), {}, true)
    agrees(Schema.Struct({ toString: Schema.String }), {}, false)
    agrees(Schema.Struct({ constructor: Schema.Unknown }), {}, true)
  })
})

describe("null, objects and arrays", () => {
  it("NullOr accepts null and the type, not undefined nor a missing key", () => {
    const s = Schema.Struct({ a: Schema.NullOr(Schema.String), b: Schema.optional(Schema.NullOr(Schema.Number)) })
    agrees(s, { a: null }, true)
    agrees(s, { a: "x", b: null }, true)
    agrees(s, { a: undefined }, false)
    agrees(s, {}, false)
    agrees(s, { a: null, b: "1" }, false)
  })

  it("a struct is an object that is not an array; the empty struct is anything but null and undefined", () => {
    const s = Schema.Struct({ a: Schema.optional(Schema.String) })
    agrees(s, [], false)
    agrees(s, null, false)
    agrees(s, "x", false)
    const empty = Schema.Struct({})
    agrees(empty, [], true)
    agrees(empty, "x", true)
    agrees(empty, 0, true)
    agrees(empty, null, false)
    agrees(empty, undefined, false)
  })

  it("a tuple has its length; an array with a rest checks every element", () => {
    const pair = Schema.Tuple(Schema.Number, Schema.Number)
    agrees(pair, [1, 2], true)
    agrees(pair, [1], false)
    agrees(pair, [1, 2, 3], false)
    agrees(pair, { 0: 1, 1: 2, length: 2 }, false)
    const optionalSecond = Schema.Tuple(Schema.String, Schema.optionalElement(Schema.Number))
    agrees(optionalSecond, ["a"], true)
    agrees(optionalSecond, ["a", 1], true)
    agrees(optionalSecond, ["a", "b"], false)
    const restThenLast = Schema.Tuple([Schema.String], Schema.Number, Schema.Boolean)
    agrees(restThenLast, ["a", true], true)
    agrees(restThenLast, ["a", 1, 2, true], true)
    agrees(restThenLast, ["a", 1, 2], false)
    agrees(restThenLast, ["a"], false)
    agrees(Schema.Array(Schema.String), ["a", 1], false)
  })

  it("a record checks every own string key its parameter accepts, declared keys included", () => {
    const record = Schema.Record({ key: Schema.String, value: Schema.Number })
    agrees(record, {}, true)
    agrees(record, { a: 1, b: 2 }, true)
    agrees(record, { a: 1, b: "2" }, false)
    const withProperty = Schema.Struct({ a: Schema.Number }, Schema.Record({ key: Schema.String, value: Schema.Number }))
    agrees(withProperty, { a: 1, b: 2 }, true)
    agrees(withProperty, { a: 1, b: "2" }, false)
    const prefixed = Schema.Record({ key: Schema.TemplateLiteral("n_", Schema.String), value: Schema.Number })
    agrees(prefixed, { n_a: 1, other: "kept, not checked" }, true)
    agrees(prefixed, { n_a: "1" }, false)
  })
})

describe("numbers, literals and enums", () => {
  it("Schema.Number accepts any number, unknown enum values and NaN included, like the decoder", () => {
    const s = Schema.Struct({ type: Schema.Number })
    agrees(s, { type: 999 }, true)
    agrees(s, { type: Number.NaN }, true)
    agrees(s, { type: Infinity }, true)
    agrees(s, { type: "0" }, false)
  })

  it("Enums and Literal accept only their values", () => {
    enum Kind {
      A = 0,
      B = "b"
    }
    agrees(Schema.Enums(Kind), 0, true)
    agrees(Schema.Enums(Kind), "b", true)
    agrees(Schema.Enums(Kind), 1, false)
    agrees(Schema.Enums(Kind), "A", false)
    agrees(Schema.Literal(1, 2), 2, true)
    agrees(Schema.Literal(1, 2), "1", false)
    agrees(Schema.Struct({ unavailable: Schema.Literal(true) }), { unavailable: false }, false)
  })

  it("template literals match as the decoder matches them", () => {
    const s = Schema.TemplateLiteral("<@", Schema.String, ">")
    agrees(s, "<@123>", true)
    agrees(s, "<@>", true)
    agrees(s, "<@123", false)
    const n = Schema.TemplateLiteral("id-", Schema.Number)
    agrees(n, "id-12", true)
    agrees(n, "id-x", false)
  })
})

describe("unions", () => {
  it("a union accepts what any member accepts, whatever the order of its members", () => {
    const s = Schema.Union(Schema.String, Schema.Number, Schema.Boolean)
    for (const u of ["a", 1, false]) agrees(s, u, true)
    for (const u of [null, undefined, {}, []]) agrees(s, u, false)
  })

  it("a union discriminated by a literal field looks the member up, and still tries the other members", () => {
    const s = Schema.Union(
      Schema.Struct({ type: Schema.Literal(1), a: Schema.String }),
      Schema.Struct({ type: Schema.Literal(2), b: Schema.Number }),
      Schema.Struct({ type: Schema.Literal(2), c: Schema.Boolean }),
      Schema.Struct({ kind: Schema.String })
    )
    agrees(s, { type: 1, a: "x" }, true)
    agrees(s, { type: 2, b: 1 }, true)
    agrees(s, { type: 2, c: true }, true)
    agrees(s, { type: 1, b: 1 }, false)
    agrees(s, { type: 3, kind: "k" }, true)
    agrees(s, { type: "1", a: "x" }, false)
    agrees(s, { type: 3 }, false)
    agrees(s, [], false)
  })

  it("GUILD_CREATE takes both forms: an available guild and { id, unavailable: true }", () => {
    const check = compileOrThrow(DispatchSchemas.GUILD_CREATE)
    assert.isTrue(check({ id: "1", unavailable: true }))
    assert.isTrue(check(Fixtures.guildCreate(Fixtures.snowflake(1))))
    assert.isFalse(check({ id: "1", unavailable: false }))
  })
})

describe("recursion", () => {
  interface Category {
    readonly name: string
    readonly children: ReadonlyArray<Category>
  }
  const Category = Schema.Struct({
    name: Schema.String,
    children: Schema.Array(Schema.suspend((): Schema.Schema<Category> => Category))
  })

  it("a recursive Schema is compiled once and checked at every depth", () => {
    const deep = (depth: number, leaf: unknown): unknown =>
      depth === 0 ? leaf : { name: `level ${depth}`, children: [deep(depth - 1, leaf)] }
    agrees(Category, deep(50, { name: "leaf", children: [] }), true)
    agrees(Category, deep(50, { name: 5, children: [] }), false)
  })

  it("a reply quoting a reply quoting a message is checked all the way down", () => {
    const message = (id: number, referenced?: unknown) => ({
      ...Fixtures.messageCreate({ id: Fixtures.snowflake(id), channelId: Fixtures.snowflake(9), content: `m${id}` }),
      ...(referenced === undefined ? {} : { referenced_message: referenced })
    })
    const valid = message(1, message(2, message(3)))
    agrees(DispatchSchemas.MESSAGE_CREATE, valid, true)
    const inner = message(3) as Record<string, unknown>
    const broken = message(1, message(2, { ...inner, author: { ...inner["author"] as object, id: 5 } }))
    agrees(DispatchSchemas.MESSAGE_CREATE, broken, false)
  })
})

describe("refinements", () => {
  it("a refinement of a primitive runs its filter on the value", () => {
    agrees(Schema.Int, 1, true)
    agrees(Schema.Int, 1.5, false)
    agrees(Schema.Int, "1", false)
    const s = Schema.Struct({ name: Schema.String.pipe(Schema.minLength(2)), tags: Schema.Array(Schema.NonEmptyString) })
    agrees(s, { name: "ab", tags: ["x"] }, true)
    agrees(s, { name: "a", tags: ["x"] }, false)
    agrees(s, { name: "ab", tags: [""] }, false)
  })

  it("a refinement of a struct answers about the decoded struct, which has no unknown keys", () => {
    const ordered = Schema.Struct({ min: Schema.Number, max: Schema.Number }).pipe(
      Schema.filter(({ max, min }) => min <= max)
    )
    agrees(ordered, { min: 1, max: 2 }, true)
    agrees(ordered, { min: 3, max: 2 }, false)
    // The filter sees the decoder's output: an unknown key of the input is not there.
    const noExtra = Schema.Struct({ a: Schema.Number }).pipe(Schema.filter((o) => !("extra" in o)))
    agrees(noExtra, { a: 1, extra: true }, true)
  })
})

describe("parse options", () => {
  it("onExcessProperty: \"error\" rejects an unknown key; \"preserve\" and the default keep it", () => {
    const s = Schema.Struct({ a: Schema.Number }, Schema.Record({ key: Schema.TemplateLiteral("x_", Schema.String), value: Schema.Number }))
    agrees(s, { a: 1, b: 2 }, true)
    agrees(s.annotations({ parseOptions: { onExcessProperty: "preserve" } }), { a: 1, b: 2 }, true)
    const strict = s.annotations({ parseOptions: { onExcessProperty: "error" } })
    agrees(strict, { a: 1, x_b: 2 }, true)
    agrees(strict, { a: 1, b: 2 }, false)
    assert.isFalse(compileOrThrow(s, { onExcessProperty: "error" })({ a: 1, b: 2 }))
  })
})

describe("what cannot be validated in place", () => {
  it("a transformation, a declaration or a decoding fallback is refused, with its path", () => {
    const refused = (schema: Schema.Schema.AnyNoContext): string =>
      Either.match(Validator.compile(schema), { onLeft: (e) => e.message, onRight: () => "compiled" })
    expect(refused(Schema.Struct({ a: Schema.Struct({ b: Schema.NumberFromString }) }))).toMatch(/at \[a\]\[b\]: a transformation/)
    expect(refused(Schema.Struct({ a: Schema.optionalWith(Schema.String, { default: () => "" }) }))).toMatch(
      /a transformation/
    )
    expect(refused(Schema.Struct({ at: Schema.DateFromSelf }))).toMatch(/at \[at\]: a declaration/)
    class Point extends Schema.Class<Point>("Point")({ x: Schema.Number }) {}
    expect(refused(Point)).toMatch(/at the root: a transformation/)
    expect(refused(Schema.String.annotations({ decodingFallback: () => Either.right("") }))).toMatch(/fallback/)
  })
})

describe("dispatch", () => {
  it("an accepted payload is the event's data itself, unknown fields included", () => {
    const data = {
      ...Fixtures.messageCreate({ id: Fixtures.snowflake(1), channelId: Fixtures.snowflake(2), content: "hi" }),
      type: 999,
      field_discord_added_later: { x: 1 }
    }
    const event = Dispatch.toEvent("MESSAGE_CREATE", 0, 7, data)
    if (event.type !== "MESSAGE_CREATE") return assert.fail(`expected MESSAGE_CREATE, got ${event.type}`)
    assert.strictEqual<unknown>(event.data, data)
    assert.deepStrictEqual((event.data as unknown as typeof data).field_discord_added_later, { x: 1 })
  })

  it("a rejected payload is a DECODE_FAILURE with the decoder's ParseError", () => {
    const event = Dispatch.toEvent("MESSAGE_DELETE", 0, 8, { id: 5 })
    if (event.type !== "DECODE_FAILURE") return assert.fail(`expected DECODE_FAILURE, got ${event.type}`)
    assert.strictEqual(event.error._tag, "ParseError")
    expect(event.error.message).toContain("id")
    assert.deepStrictEqual(event.raw, { id: 5 })
  })
})
