/**
 * Validation in place. A Schema without transformations decodes a value into
 * a copy of itself (minus the fields it does not know), so accepting a payload
 * does not need the copy: a check that walks the parsed JSON and answers yes or
 * no is enough, and the payload itself is the decoded value. `compile` builds
 * that check once from the Schema's AST, with the same accept/reject answer as
 * `Schema.decodeUnknownEither` under the same parse options; a Schema whose
 * decoded value differs from its input (a `Transformation`, a `Declaration`, a
 * decoding fallback) is refused with the path of the part that prevents it.
 *
 * What the check keeps that the decoder drops: fields the Schema does not
 * declare (forward compatibility, at no cost), and the input's own objects.
 *
 * The check is built from closures, except the check of a struct, which is
 * generated from its key names where the runtime allows it (see
 * `generateStruct`): it is where a payload spends its time.
 *
 * @internal
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"

/**
 * A compiled check: `true` exactly when the decoder would accept the input,
 * in which case the input is already the decoded value (with its unknown
 * fields kept).
 *
 * @internal
 */
export interface Validator<A> {
  (input: unknown): input is A
}

/**
 * Why a Schema cannot be validated in place: the first part found (by its
 * path from the root) whose decoded value is not its input.
 *
 * @internal
 */
export class Unsupported extends Data.TaggedError("Unsupported")<{
  readonly path: ReadonlyArray<PropertyKey>
  readonly reason: string
}> {
  override get message(): string {
    const at = this.path.length === 0 ? "the root" : this.path.map((key) => `[${String(key)}]`).join("")
    return `cannot validate in place at ${at}: ${this.reason}`
  }
}

/**
 * Compiles a Schema into a check of its encoded values, or says which part of
 * it needs the decoder. `options` are the parse options the decoder would be
 * called with; `ParseOptions` annotations inside the Schema apply as they do
 * for the decoder. `generate: false` builds the check from closures only (what
 * happens anyway where code generation is not allowed).
 *
 * @internal
 */
export const compile = <A, I, R>(
  schema: Schema.Schema<A, I, R>,
  options?: AST.ParseOptions,
  generate: boolean = canGenerate
): Either.Either<Validator<A>, Unsupported> => {
  try {
    return Either.right(new Compiler(generate).go(schema.ast, mergeOptions(defaultOptions, options), []) as Validator<A>)
  } catch (e) {
    if (e instanceof Unsupported) return Either.left(e)
    throw e
  }
}

type Check = (input: unknown) => boolean

/** The parse options that change what the decoder accepts. */
interface Options {
  readonly exact: boolean
  readonly onExcessProperty: "ignore" | "error" | "preserve"
  readonly key: string
}

const makeOptions = (exact: boolean, onExcessProperty: Options["onExcessProperty"]): Options => ({
  exact,
  onExcessProperty,
  key: `${exact}/${onExcessProperty}`
})

const defaultOptions = makeOptions(false, "ignore")

// The decoder merges options with `{ ...outer, ...inner }`: a key present in
// the inner options wins even when its value is `undefined`.
const mergeOptions = (outer: Options, inner: AST.ParseOptions | undefined): Options =>
  inner === undefined ? outer : makeOptions(
    Object.hasOwn(inner, "exact") ? inner.exact === true : outer.exact,
    Object.hasOwn(inner, "onExcessProperty") ? inner.onExcessProperty ?? "ignore" : outer.onExcessProperty
  )

const toParseOptions = (options: Options): AST.ParseOptions =>
  options === defaultOptions ? AST.defaultParseOption : { exact: options.exact, onExcessProperty: options.onExcessProperty }

const hasOwn = Object.prototype.hasOwnProperty

const isNotNullable: Check = (u) => u !== null && u !== undefined
const isSafeInteger: Check = (u) => typeof u === "number" && Number.isSafeInteger(u)
const always: Check = () => true
const never: Check = () => false

/**
 * Whether this runtime lets us build functions from source (a Content Security
 * Policy or a Cloudflare Worker does not).
 */
const canGenerate: boolean = (() => {
  try {
    return new Function("return true")() === true
  } catch {
    return false
  }
})()

/**
 * The check of a struct with string keys, generated so that every key is a
 * constant in its own function: V8 then reads each field with a monomorphic
 * load and calls each field's check from its own call site, where one shared
 * loop over the keys is megamorphic on both (about 10× slower on a
 * MESSAGE_CREATE). Only the Schema's own key names enter the source, quoted
 * by `JSON.stringify`; the input never does.
 */
const generateStruct = (
  names: ReadonlyArray<string>,
  optional: ReadonlyArray<boolean>,
  exact: boolean,
  checks: ReadonlyArray<Check>
): Check => {
  const lines = names.map((name, i) => {
    const key = JSON.stringify(name)
    if (optional[i]) return `if (!c[${i}](u[${key}]) && hasOwn.call(u, ${key})) return false`
    if (exact) return `if (!c[${i}](u[${key}]) || !hasOwn.call(u, ${key})) return false`
    return `if (!c[${i}](u[${key}])) return false`
  })
  const source = [
    "return function(u) {",
    "if (typeof u !== \"object\" || u === null || Array.isArray(u)) return false",
    ...lines,
    "return true",
    "}"
  ].join("\n")
  return new Function("c", "hasOwn", source)(checks, hasOwn)
}

class Compiler {
  constructor(private readonly generate: boolean) {}

  // Per options, per node: a node reached twice (a shared sub-Schema, a
  // recursive one) is compiled once.
  private readonly memo = new Map<string, Map<AST.AST, Check>>()

  go(ast: AST.AST, outer: Options, path: ReadonlyArray<PropertyKey>): Check {
    let memo = this.memo.get(outer.key)
    if (memo === undefined) {
      memo = new Map()
      this.memo.set(outer.key, memo)
    }
    const cached = memo.get(ast)
    if (cached !== undefined) return cached
    const options = mergeOptions(outer, Option.getOrUndefined(AST.getParseOptionsAnnotation(ast)))
    if (Option.isSome(AST.getDecodingFallbackAnnotation(ast))) {
      throw new Unsupported({ path, reason: "a decoding fallback replaces invalid input with another value" })
    }
    if (ast._tag === "Suspend") {
      // Registered before its target is compiled, so that the recursion ends here.
      let target: Check = never
      const check: Check = (u) => target(u)
      memo.set(ast, check)
      target = this.go(ast.f(), options, path)
      return check
    }
    const check = this.node(ast, options, path)
    memo.set(ast, check)
    return check
  }

  private node(ast: Exclude<AST.AST, AST.Suspend>, options: Options, path: ReadonlyArray<PropertyKey>): Check {
    switch (ast._tag) {
      case "Literal": {
        const literal = ast.literal
        return (u) => u === literal
      }
      case "UniqueSymbol": {
        const symbol = ast.symbol
        return (u) => u === symbol
      }
      case "UndefinedKeyword":
        return (u) => u === undefined
      case "NeverKeyword":
        return never
      case "UnknownKeyword":
      case "AnyKeyword":
      case "VoidKeyword":
        return always
      case "StringKeyword":
        return (u) => typeof u === "string"
      // Like the decoder, any number: NaN and the infinities included (JSON has none of them).
      case "NumberKeyword":
        return (u) => typeof u === "number"
      case "BooleanKeyword":
        return (u) => typeof u === "boolean"
      case "BigIntKeyword":
        return (u) => typeof u === "bigint"
      case "SymbolKeyword":
        return (u) => typeof u === "symbol"
      case "ObjectKeyword":
        return (u) => (typeof u === "object" && u !== null) || typeof u === "function"
      case "Enums": {
        const values = ast.enums.map(([, value]) => value)
        return (u) => {
          for (let i = 0; i < values.length; i++) if (values[i] === u) return true
          return false
        }
      }
      case "TemplateLiteral":
        return templateLiteral(ast)
      case "Refinement":
        return this.refinement(ast, options, path)
      case "TupleType":
        return this.tuple(ast, options, path)
      case "TypeLiteral":
        return this.typeLiteral(ast, options, path)
      case "Union":
        return this.union(ast, options, path)
      case "Declaration":
        throw new Unsupported({ path, reason: `a declaration (${String(ast)}) is decoded by its own function` })
      case "Transformation":
        throw new Unsupported({ path, reason: `a transformation (${String(ast)}) changes the value` })
    }
  }

  private refinement(ast: AST.Refinement, options: Options, path: ReadonlyArray<PropertyKey>): Check {
    // `Schema.Int`, on every integer of a payload: its filter inlined (the same answer, no call through the AST).
    if (ast === Schema.Int.ast) return isSafeInteger
    const from = this.go(ast.from, options, path)
    if (buildsObjects(ast.from, new Set())) {
      // The decoder runs the filter on the object it built, without the unknown
      // fields; what the filter says about the input itself may differ, so this
      // (rare) part keeps the decoder.
      const decode = ParseResult.decodeUnknownEither(Schema.make(ast), toParseOptions(options))
      return (u) => from(u) && Either.isRight(decode(u))
    }
    const filter = ast.filter
    const parseOptions = toParseOptions(options)
    return (u) => from(u) && Option.isNone(filter(u, parseOptions, ast))
  }

  private tuple(ast: AST.TupleType, options: Options, path: ReadonlyArray<PropertyKey>): Check {
    const elements = ast.elements.map((element, i) => this.go(element.type, options, [...path, i]))
    const [head, ...tail] = ast.rest.map((rest) => this.go(rest.type, options, [...path, "*"]))
    if (elements.length === 0 && head !== undefined && tail.length === 0) {
      // Schema.Array: the one shape that is everywhere in a payload.
      return (u) => {
        if (!Array.isArray(u)) return false
        for (let i = 0; i < u.length; i++) if (!head(u[i])) return false
        return true
      }
    }
    const requiredLength = ast.elements.filter((element) => !element.isOptional).length + tail.length
    const maxLength = head === undefined ? elements.length : Infinity
    return (u) => {
      if (!Array.isArray(u)) return false
      const length = u.length
      if (length < requiredLength || length > maxLength) return false
      let i = 0
      // A missing element here is an optional one: the length check caught the others.
      for (; i < elements.length && i < length; i++) if (!elements[i]!(u[i])) return false
      if (head === undefined) return true
      i = elements.length
      for (; i < length - tail.length; i++) if (!head(u[i])) return false
      for (let j = 0; j < tail.length; j++) {
        if (i + j < length && !tail[j]!(u[i + j])) return false
      }
      return true
    }
  }

  private typeLiteral(ast: AST.TypeLiteral, options: Options, path: ReadonlyArray<PropertyKey>): Check {
    const { indexSignatures, propertySignatures } = ast
    if (propertySignatures.length === 0 && indexSignatures.length === 0) return isNotNullable
    const names = propertySignatures.map((ps) => ps.name)
    const optional = propertySignatures.map((ps) => ps.isOptional)
    const checks = propertySignatures.map((ps) => this.go(ps.type, options, [...path, ps.name]))
    const indexes = indexSignatures.map((is) => ({
      keys: keysOf(is.parameter),
      parameter: this.go(is.parameter, options, path),
      value: this.go(is.type, options, [...path, `${String(is.parameter)}`])
    }))
    const exact = options.exact
    const declared = new Set<PropertyKey>(names)
    // Only `onExcessProperty: "error"` rejects fields; "ignore" drops them and
    // "preserve" keeps them, and in place both keep them.
    const excessIsError = options.onExcessProperty === "error"
    const isExpected = (key: PropertyKey): boolean => declared.has(key) || indexes.some((is) => is.parameter(key))
    if (this.generate && !excessIsError && indexes.length === 0 && names.every(Predicate.isString)) {
      return generateStruct(names as ReadonlyArray<string>, optional, exact, checks)
    }
    return (u) => {
      if (typeof u !== "object" || u === null || Array.isArray(u)) return false
      const input = u as Record<PropertyKey, unknown>
      if (excessIsError) {
        for (const key of Reflect.ownKeys(input)) if (!isExpected(key)) return false
      }
      for (let i = 0; i < names.length; i++) {
        const name = names[i]!
        // The decoder reads `input[name]` whether or not the key is own, and
        // skips an optional key that is not own, whatever the prototype holds.
        if (checks[i]!(input[name])) {
          if (exact && !optional[i] && !hasOwn.call(input, name)) return false
        } else if (!optional[i] || hasOwn.call(input, name)) {
          return false
        }
      }
      for (let i = 0; i < indexes.length; i++) {
        const { keys, parameter, value } = indexes[i]!
        for (const key of keys(input)) {
          if (parameter(key) && !value(input[key])) return false
        }
      }
      return true
    }
  }

  private union(ast: AST.Union, options: Options, path: ReadonlyArray<PropertyKey>): Check {
    // Accepted when a member accepts: the order in which members are tried
    // only decides which member's output the decoder returns, and in place the
    // output is the input. So the cheap members go first.
    const members = ast.types
      .map((member) => ({ member, check: this.go(member, options, path) }))
      .sort((a, b) => cost(a.member) - cost(b.member))
    const tag = discriminator(members.map(({ member }) => member))
    if (tag !== undefined) {
      const buckets = new Map<unknown, Array<Check>>()
      const others: Array<Check> = []
      for (const { check, member } of members) {
        const literal = requiredLiteral(member, tag)
        if (literal === undefined) {
          others.push(check)
        } else if (literal === literal) {
          // (NaN is never `===` to anything: a member that requires it accepts nothing.)
          const bucket = buckets.get(literal)
          if (bucket === undefined) buckets.set(literal, [check])
          else bucket.push(check)
        }
      }
      return (u) => {
        if (typeof u === "object" && u !== null) {
          const bucket = buckets.get((u as Record<PropertyKey, unknown>)[tag])
          if (bucket !== undefined) {
            for (let i = 0; i < bucket.length; i++) if (bucket[i]!(u)) return true
          }
        }
        for (let i = 0; i < others.length; i++) if (others[i]!(u)) return true
        return false
      }
    }
    const checks = members.map(({ check }) => check)
    if (checks.length === 2) {
      const [first, second] = checks as [Check, Check]
      const cheap = members[0]!.member
      // `NullOr(X)` and `optional(X)`: a comparison before the walk.
      if (AST.isLiteral(cheap)) {
        const literal = cheap.literal
        return (u) => u === literal || second(u)
      }
      if (AST.isUndefinedKeyword(cheap)) return (u) => u === undefined || second(u)
      return (u) => first(u) || second(u)
    }
    return (u) => {
      for (let i = 0; i < checks.length; i++) if (checks[i]!(u)) return true
      return false
    }
  }
}

const templateLiteral = (ast: AST.TemplateLiteral): Check => {
  const { head, spans } = ast
  if (spans.every((span) => AST.isStringKeyword(span.type))) {
    // The decoder's own matching for string-only spans (no regular expression).
    return (u) => {
      if (typeof u !== "string" || !u.startsWith(head)) return false
      let position = head.length
      for (let i = 0; i < spans.length - 1; i++) {
        const literal = spans[i]!.literal
        const index = u.indexOf(literal, position)
        if (index === -1) return false
        position = index + literal.length
      }
      const last = spans[spans.length - 1]!.literal
      return u.endsWith(last) && u.length - last.length >= position
    }
  }
  const regex = AST.getTemplateLiteralRegExp(ast)
  return (u) => typeof u === "string" && regex.test(u)
}

const keysOf = (parameter: AST.Parameter): (input: object) => ReadonlyArray<PropertyKey> => {
  switch (parameter._tag) {
    case "StringKeyword":
    case "TemplateLiteral":
      return Object.keys
    case "SymbolKeyword":
      return Object.getOwnPropertySymbols
    case "Refinement":
      return keysOf(parameter.from)
  }
}

/** Whether the decoder's output for `ast` is an object it built (a struct or a record somewhere inside). */
const buildsObjects = (ast: AST.AST, seen: Set<AST.AST>): boolean => {
  if (seen.has(ast)) return false
  seen.add(ast)
  switch (ast._tag) {
    case "TypeLiteral":
      return ast.propertySignatures.length > 0 || ast.indexSignatures.length > 0
    case "Refinement":
      return buildsObjects(ast.from, seen)
    case "Suspend":
      return buildsObjects(ast.f(), seen)
    case "Union":
      return ast.types.some((member) => buildsObjects(member, seen))
    case "TupleType":
      return ast.elements.some((element) => buildsObjects(element.type, seen)) ||
        ast.rest.some((rest) => buildsObjects(rest.type, seen))
    default:
      return false
  }
}

const cost = (ast: AST.AST): number => {
  switch (ast._tag) {
    case "Literal":
    case "UndefinedKeyword":
    case "UniqueSymbol":
      return 0
    case "StringKeyword":
    case "NumberKeyword":
    case "BooleanKeyword":
    case "BigIntKeyword":
    case "SymbolKeyword":
    case "ObjectKeyword":
    case "UnknownKeyword":
    case "AnyKeyword":
    case "VoidKeyword":
    case "NeverKeyword":
    case "Enums":
      return 1
    case "TemplateLiteral":
    case "Refinement":
      return 2
    default:
      return 3
  }
}

/** The literal a struct member requires at `key`, if it requires one there. */
const requiredLiteral = (member: AST.AST, key: PropertyKey): AST.LiteralValue | undefined => {
  if (!AST.isTypeLiteral(member)) return undefined
  const ps = member.propertySignatures.find((ps) => ps.name === key)
  return ps !== undefined && !ps.isOptional && AST.isLiteral(ps.type) ? ps.type.literal : undefined
}

/**
 * The key most struct members of a union require a literal at, when at least
 * two do: a lookup on it replaces trying those members one by one.
 */
const discriminator = (members: ReadonlyArray<AST.AST>): PropertyKey | undefined => {
  const counts = new Map<PropertyKey, number>()
  for (const member of members) {
    if (!AST.isTypeLiteral(member)) continue
    for (const ps of member.propertySignatures) {
      if (!ps.isOptional && AST.isLiteral(ps.type)) counts.set(ps.name, (counts.get(ps.name) ?? 0) + 1)
    }
  }
  let best: PropertyKey | undefined
  let bestCount = 1
  for (const [key, count] of counts) {
    if (count > bestCount) {
      best = key
      bestCount = count
    }
  }
  return best
}
