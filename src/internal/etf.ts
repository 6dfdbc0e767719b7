/**
 * Erlang External Term Format (version 131), the `encoding=etf` of the Gateway: decodes what
 * Discord sends into the same JSON-like values `JSON.parse` gives for `encoding=json`, so one
 * set of Schemas serves both, and encodes the payloads we send.
 *
 * Decoding, tag by tag (numbers are the ETF tags):
 *
 * - atoms (100, 115, 118, 119): `nil` → `null`, `true`/`false` → booleans, others → strings.
 * - SMALL_INTEGER (97), INTEGER (98) → numbers; NEW_FLOAT (70) and the old textual FLOAT (99) → numbers.
 * - BINARY (109) → string (UTF-8; invalid sequences become U+FFFD, as `TextDecoder` does for JSON frames).
 * - SMALL_BIG (110) / LARGE_BIG (111) → a number when the value is a safe integer, else its
 *   decimal string. Discord keeps ids as integers and sends them as 64-bit integers in ETF
 *   ("Snowflake IDs are transmitted as 64-bit integers or strings", gateway.mdx, "Using ETF
 *   Encoding"; discord-api-docs#336, #1054, #3657), and its JSON encoder turns exactly the
 *   integers JavaScript cannot hold into strings (#1054: an id below 2^53 comes back as a
 *   number in JSON too). Every real snowflake is above 2^53 (its timestamp part is past the
 *   first 25 days of 2015), so ids arrive as strings and the JSON Schemas apply unchanged, while
 *   millisecond timestamps (activity `timestamps`, presence `since`), which are numbers in
 *   JSON, stay numbers. erlpack (Discord's own decoder, native) differs: it returns strings for
 *   bigs of more than 4 bytes and rejects more than 8 bytes; we accept up to 64 bytes.
 * - STRING (107) → an array of the byte values. It is not text: Erlang writes any list of
 *   integers 0-255 this way (activity `party.size: [1, 5]` is one), and Discord's strings are
 *   binaries. The JavaScript erlpack decodes it to a string anyway (so `party.size` became
 *   "\u0001\u0005"); its Python sibling stopped doing that (discord/erlpack#60, "Don't attempt
 *   to decode STRING_EXT to strings"), and we follow Erlang.
 * - LIST (108) with a NIL tail, NIL (106) → arrays (an improper list is a failure);
 *   SMALL_TUPLE (104) / LARGE_TUPLE (105) → arrays.
 * - MAP (116) → plain objects; keys that are binaries or atoms give their text (`nil` stays
 *   "nil"), integer keys their decimal string (JSON object keys are strings). A `__proto__`
 *   key becomes an own property, as with `JSON.parse`.
 * - Anything else (pids, references, funs, compressed terms (80), atom cache refs) is a
 *   failure: Discord sends none of them.
 *
 * The decoder reads untrusted bytes, so: every length field is checked against the bytes left
 * before anything is read or allocated for it (an element takes at least one byte, so a list
 * claiming 2^32-1 elements in five bytes fails at once), arrays grow with the elements actually
 * decoded (never pre-sized by a length field, which nested lists would multiply), nesting is
 * bounded (`maxDepth`, default 256, far above Discord's deepest payloads) and so is the input
 * size (`maxBytes`). A bad input gives `Either.left(EtfDecodeError)`, never an exception.
 *
 * Encoding (what we send): `null`/`undefined` → atom `nil`, booleans → atoms, integers
 * 0-255 → SMALL_INTEGER, int32 → INTEGER, other safe integers → SMALL_BIG, other numbers →
 * NEW_FLOAT (NaN and ±Infinity → `nil`, as JSON.stringify gives null), bigints → SMALL_BIG,
 * strings → BINARY, arrays → LIST (empty → NIL), objects → MAP with BINARY keys (Discord closes
 * with 4002 on atom keys); object properties whose value is `undefined` or a function are left
 * out, as JSON.stringify does.
 *
 * Why this shape, measured with `npx tsx bench/transports.ts etf` (a MESSAGE_CREATE of 2.7 KB
 * JSON, 3.1 KB ETF with ids as 64-bit integers; CPU per message): Node 20.20 decodes it in
 * 12-14 µs against 9.5 µs for TextDecoder + JSON.parse of the JSON, Node 24.22 in 9 µs against
 * 8-9 µs; encoding costs 10 µs (JSON.stringify 6.4 µs). Three choices made most of that: map
 * keys come from a small cache of byte sequences, so V8 gets the same internalized string for
 * "channel_id" every time (21 → 17 µs); strings over 8 bytes are decoded by Buffer's
 * `utf8Slice` straight from the byte range (17 → 12 µs; TextDecoder on a subarray and
 * `toString("utf8", ...)` were slower); shorter ASCII strings are built in JS. A declared length
 * of 2^32-1 in five bytes fails in 6-9 µs, the cost of building the error. No pure-JS ETF
 * package on npm fits: `erlpack` and `@yukikaze-bot/erlpack` are native addons, and `etf.js`
 * (1.0.1) throws on bad input, has no depth bound, rejects bigs over 8 bytes and pulls in pako.
 *
 * @internal
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"

/** A value decoded from ETF: what `JSON.parse` can return. @internal */
export type Value = null | boolean | number | string | Array<Value> | { [key: string]: Value }

/**
 * Why bytes could not be decoded as ETF, and where.
 *
 * @internal
 */
export class EtfDecodeError extends Data.TaggedError("EtfDecodeError")<{
  readonly reason: string
  /** The byte offset at which decoding stopped. */
  readonly offset: number
}> {
  override get message() {
    return `ETF: ${this.reason} (at byte ${this.offset})`
  }
}

/**
 * Why a value could not be encoded as ETF (a cycle, or nesting deeper than `maxDepth`).
 *
 * @internal
 */
export class EtfEncodeError extends Data.TaggedError("EtfEncodeError")<{
  readonly reason: string
}> {
  override get message() {
    return `ETF: ${this.reason}`
  }
}

/** @internal */
export interface DecodeOptions {
  /** The deepest nesting of lists, tuples and maps accepted. Default 256. */
  readonly maxDepth?: number | undefined
  /** The largest input accepted, in bytes. Default 64 MiB. */
  readonly maxBytes?: number | undefined
}

/** @internal */
export const defaultMaxDepth = 256

/** @internal */
export const defaultMaxBytes = 64 * 1024 * 1024

/** Bigs beyond this many bytes (512 bits) are refused: converting them to decimal is superlinear. @internal */
export const maxBigBytes = 64

/** ETF tags. @internal */
export const Tag = {
  Version: 131,
  NewFloat: 70,
  Compressed: 80,
  SmallInteger: 97,
  Integer: 98,
  Float: 99,
  Atom: 100,
  SmallTuple: 104,
  LargeTuple: 105,
  Nil: 106,
  String: 107,
  List: 108,
  Binary: 109,
  SmallBig: 110,
  LargeBig: 111,
  Map: 116,
  SmallAtom: 115,
  AtomUtf8: 118,
  SmallAtomUtf8: 119
} as const

// ---------------------------------------------------------------------------
// decode
// ---------------------------------------------------------------------------

/** Thrown inside the decoder only, caught by `decode`: unwinding the recursion is the point. */
class Failure {
  constructor(readonly reason: string, readonly offset: number) {}
}

const utf8 = new TextDecoder("utf-8")

/**
 * Node's Buffer decodes UTF-8 from a byte range without a subarray and about twice as fast as
 * `TextDecoder` for the short strings payloads are made of; `utf8Slice` is what
 * `buf.toString("utf8", start, end)` calls without its argument checks. Feature-detected: any
 * runtime without it uses TextDecoder.
 */
type Utf8Buffer = Buffer & { readonly utf8Slice: (start: number, end: number) => string }
const hasUtf8Slice = (() => {
  try {
    const probe = Buffer.from([0x61, 0xc3, 0xa9]) as Partial<Utf8Buffer>
    return typeof probe.utf8Slice === "function" && probe.utf8Slice(1, 3) === "é"
  } catch {
    return false
  }
})()

/** ASCII strings up to this length are built in JS: below it any native call costs more. */
const shortString = 8

// The decoder state. Decoding is synchronous and not re-entrant (no callbacks run inside it),
// so module-level state is safe and saves an object per message.
let bytes: Uint8Array = new Uint8Array(0)
let buffer = Buffer.alloc(0) as Utf8Buffer
let view: DataView = new DataView(bytes.buffer)
let pos = 0
let end = 0
let maxDepth = defaultMaxDepth

const fail = (reason: string, offset: number = pos): never => {
  throw new Failure(reason, offset)
}

/** Fails unless `n` more bytes are there; `what` is a constant (no string is built on the good path). */
const need = (n: number, what: string): void => {
  if (n > end - pos) fail(`${what} needs ${n} bytes, ${end - pos} left`)
}

const u8 = (): number => {
  if (pos >= end) fail("unexpected end of input")
  return bytes[pos++]!
}

const u16 = (): number => {
  need(2, "a 2-byte length")
  const v = (bytes[pos]! << 8) | bytes[pos + 1]!
  pos += 2
  return v
}

const u32 = (): number => {
  need(4, "a 4-byte length")
  const v = ((bytes[pos]! << 24) | (bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!) >>> 0
  pos += 4
  return v
}

const slowText = (start: number, stop: number): string =>
  hasUtf8Slice ? buffer.utf8Slice(start, stop) : utf8.decode(bytes.subarray(start, stop))

/** UTF-8 text of the next `n` bytes (already checked to be there). */
const text = (n: number): string => {
  const start = pos
  pos += n
  if (n > shortString) return slowText(start, pos)
  let s = ""
  for (let i = start; i < pos; i++) {
    const b = bytes[i]!
    if (b >= 0x80) return slowText(start, pos)
    s += String.fromCharCode(b)
  }
  return s
}

/** Latin-1 text of the next `n` bytes (ATOM_EXT and SMALL_ATOM_EXT are Latin-1). */
const latin1 = (n: number): string => {
  let s = ""
  for (let i = pos; i < pos + n; i++) s += String.fromCharCode(bytes[i]!)
  pos += n
  return s
}

const atomText = (tag: number): string => {
  const n = tag === Tag.SmallAtom || tag === Tag.SmallAtomUtf8 ? u8() : u16()
  need(n, "an atom")
  return tag === Tag.Atom || tag === Tag.SmallAtom ? latin1(n) : text(n)
}

const atomValue = (name: string): Value =>
  name === "nil" ? null : name === "true" ? true : name === "false" ? false : name

const two32 = 4294967296

/** A big integer: a number when it is a safe integer, else its decimal string. */
const big = (n: number, start: number): number | string => {
  const negative = u8()
  if (negative > 1) fail(`a big integer has sign byte ${negative}`, pos - 1)
  need(n, "a big integer")
  if (n > 8) {
    if (n > maxBigBytes) fail(`a big integer of ${n} bytes exceeds ${maxBigBytes}`, start)
    let v = 0n
    for (let i = pos + n - 1; i >= pos; i--) v = (v << 8n) | BigInt(bytes[i]!)
    pos += n
    if (v <= BigInt(Number.MAX_SAFE_INTEGER)) return negative ? -Number(v) : Number(v)
    return negative ? `-${v}` : `${v}`
  }
  // Little-endian digits: `lo` the low 32 bits, `hi` the rest
  let lo = 0
  let hi = 0
  for (let i = n - 1; i >= 4; i--) hi = hi * 256 + bytes[pos + i]!
  for (let i = Math.min(n, 4) - 1; i >= 0; i--) lo = lo * 256 + bytes[pos + i]!
  pos += n
  if (hi < 0x200000) {
    const v = hi * two32 + lo
    return negative && v !== 0 ? -v : v
  }
  // hi * 2^32 + lo, exactly, as high * 10^4 + low with both parts exact doubles:
  // 2^32 = 429496 * 10^4 + 7296, and hi < 2^32 keeps every product below 2^53.
  let high = hi * 429496
  let low = hi * 7296 + lo
  const carry = Math.floor(low / 10000)
  high += carry
  low -= carry * 10000
  const digits = low < 10 ? "000" : low < 100 ? "00" : low < 1000 ? "0" : ""
  return `${negative ? "-" : ""}${high}${digits}${low}`
}

// Map keys repeat across every message ("id", "channel_id", ...). A string made by
// `text` is a fresh, uninternalized string, and storing it as a property name makes V8
// look it up in its string table each time; a key from this cache is the same string
// as last time. A direct-mapped table: a slot holds the bytes and the string of one key.
const cacheSize = 1024
const cachedBytes: Array<Uint8Array | undefined> = new Array(cacheSize).fill(undefined)
const cachedKeys: Array<string> = new Array(cacheSize).fill("")
const maxCachedKey = 24

const cachedKey = (n: number): string => {
  const start = pos
  let h = n
  for (let i = start; i < start + n; i++) h = (h * 31 + bytes[i]!) | 0
  const slot = h & (cacheSize - 1)
  const hit = cachedBytes[slot]
  if (hit !== undefined && hit.length === n) {
    let same = true
    for (let i = 0; i < n; i++) {
      if (hit[i] !== bytes[start + i]) {
        same = false
        break
      }
    }
    if (same) {
      pos += n
      return cachedKeys[slot]!
    }
  }
  const k = text(n)
  cachedBytes[slot] = bytes.slice(start, start + n)
  cachedKeys[slot] = k
  return k
}

const key = (depth: number): string => {
  const tag = u8()
  switch (tag) {
    case Tag.Binary: {
      const n = u32()
      need(n, "a binary")
      return n <= maxCachedKey ? cachedKey(n) : text(n)
    }
    case Tag.Atom:
    case Tag.SmallAtom:
    case Tag.AtomUtf8:
    case Tag.SmallAtomUtf8:
      return atomText(tag)
    case Tag.SmallInteger:
    case Tag.Integer:
    case Tag.SmallBig:
    case Tag.LargeBig:
      pos--
      return String(value(depth))
    default:
      return fail(`a map key of type ${tag} is not a binary, atom or integer`, pos - 1)
  }
}

const value = (depth: number): Value => {
  const tag = u8()
  switch (tag) {
    case Tag.SmallInteger:
      return u8()
    case Tag.Integer: {
      need(4, "an integer")
      const v = (bytes[pos]! << 24) | (bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!
      pos += 4
      return v
    }
    case Tag.NewFloat: {
      need(8, "a float")
      const v = view.getFloat64(pos)
      pos += 8
      return v
    }
    case Tag.Float: {
      need(31, "a float")
      let s = ""
      for (let i = pos; i < pos + 31 && bytes[i] !== 0; i++) s += String.fromCharCode(bytes[i]!)
      pos += 31
      const v = Number(s.trim())
      if (s.trim() === "" || Number.isNaN(v)) fail(`a FLOAT_EXT is not a number`, pos - 31)
      return v
    }
    case Tag.Binary: {
      const n = u32()
      need(n, "a binary")
      return text(n)
    }
    case Tag.Atom:
    case Tag.SmallAtom:
    case Tag.AtomUtf8:
    case Tag.SmallAtomUtf8:
      return atomValue(atomText(tag))
    case Tag.Nil:
      return []
    case Tag.String: {
      const n = u16()
      need(n, "a string")
      const out: Array<Value> = []
      for (let i = 0; i < n; i++) out.push(bytes[pos + i]!)
      pos += n
      return out
    }
    case Tag.List: {
      const n = u32()
      // Each element takes at least one byte, and the tail one more
      need(n + 1, "a list (one byte per element and the tail)")
      if (depth >= maxDepth) fail(`nesting deeper than ${maxDepth}`, pos - 5)
      const out: Array<Value> = []
      for (let i = 0; i < n; i++) out.push(value(depth + 1))
      if (u8() !== Tag.Nil) fail("an improper list (its tail is not NIL)", pos - 1)
      return out
    }
    case Tag.SmallTuple:
    case Tag.LargeTuple: {
      const n = tag === Tag.SmallTuple ? u8() : u32()
      need(n, "a tuple (one byte per element)")
      if (depth >= maxDepth) fail(`nesting deeper than ${maxDepth}`)
      const out: Array<Value> = []
      for (let i = 0; i < n; i++) out.push(value(depth + 1))
      return out
    }
    case Tag.Map: {
      const n = u32()
      // A key and a value take at least one byte each
      need(n * 2, "a map (two bytes per pair)")
      if (depth >= maxDepth) fail(`nesting deeper than ${maxDepth}`, pos - 5)
      const out: { [key: string]: Value } = {}
      for (let i = 0; i < n; i++) {
        const k = key(depth + 1)
        const v = value(depth + 1)
        if (k !== "__proto__") out[k] = v
        else Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
      }
      return out
    }
    case Tag.SmallBig:
    case Tag.LargeBig: {
      const start = pos - 1
      return big(tag === Tag.SmallBig ? u8() : u32(), start)
    }
    case Tag.Compressed:
      return fail("compressed terms (tag 80) are not supported", pos - 1)
    default:
      return fail(`unsupported tag ${tag}`, pos - 1)
  }
}

/**
 * Decodes one ETF message (version byte 131 and one term). Never throws: a truncated, malformed,
 * too deep or too large input gives an `EtfDecodeError` with the reason and the offset.
 *
 * @internal
 */
export const decode = (input: Uint8Array, options?: DecodeOptions): Either.Either<Value, EtfDecodeError> => {
  const maxBytes = options?.maxBytes ?? defaultMaxBytes
  if (input.length > maxBytes) {
    return Either.left(
      new EtfDecodeError({ reason: `a message of ${input.length} bytes exceeds the limit of ${maxBytes}`, offset: 0 })
    )
  }
  bytes = input
  buffer = Buffer.from(input.buffer, input.byteOffset, input.byteLength) as Utf8Buffer
  view = new DataView(input.buffer, input.byteOffset, input.byteLength)
  pos = 0
  end = input.length
  maxDepth = options?.maxDepth ?? defaultMaxDepth
  try {
    const version = u8()
    if (version !== Tag.Version) fail(`version byte ${version}, expected ${Tag.Version}`, 0)
    const result = value(0)
    if (pos !== end) fail(`${end - pos} bytes after the term`)
    return Either.right(result)
  } catch (e) {
    if (e instanceof Failure) return Either.left(new EtfDecodeError({ reason: e.reason, offset: e.offset }))
    // A RangeError from the engine (stack) or anything else unexpected is still bad input, not a crash
    return Either.left(new EtfDecodeError({ reason: String(e), offset: pos }))
  } finally {
    // Drop the reference so a large message can be collected
    bytes = emptyBytes
    buffer = emptyBuffer
    view = emptyView
  }
}

const emptyBytes = new Uint8Array(0)
const emptyBuffer = Buffer.alloc(0) as Utf8Buffer
const emptyView = new DataView(new ArrayBuffer(0))

// ---------------------------------------------------------------------------
// encode
// ---------------------------------------------------------------------------

/** @internal */
export interface EncodeOptions {
  /** The deepest nesting of arrays and objects accepted (cycles hit it). Default 256. */
  readonly maxDepth?: number | undefined
}

class EncodeFailure {
  constructor(readonly reason: string) {}
}

// One growing scratch buffer for the process; `encode` returns a copy of what it wrote.
let out = new Uint8Array(4096)
let outView = new DataView(out.buffer)
let at = 0
const utf8Encoder = new TextEncoder()

const reserve = (n: number): void => {
  if (at + n <= out.length) return
  let size = out.length * 2
  while (size < at + n) size *= 2
  const grown = new Uint8Array(size)
  grown.set(out.subarray(0, at))
  out = grown
  outView = new DataView(out.buffer)
}

const put8 = (b: number): void => {
  reserve(1)
  out[at++] = b
}

const put32 = (v: number): void => {
  reserve(4)
  outView.setUint32(at, v)
  at += 4
}

const putAtom = (name: string): void => {
  // SMALL_ATOM_UTF8_EXT: the atoms we write are short ASCII names
  reserve(2 + name.length)
  out[at++] = Tag.SmallAtomUtf8
  out[at++] = name.length
  for (let i = 0; i < name.length; i++) out[at++] = name.charCodeAt(i)
}

const putString = (s: string): void => {
  // At most 3 UTF-8 bytes per UTF-16 unit
  reserve(5 + s.length * 3)
  out[at] = Tag.Binary
  const lengthAt = at + 1
  at += 5
  let n = 0
  if (s.length <= 32) {
    for (; n < s.length; n++) {
      const c = s.charCodeAt(n)
      if (c >= 0x80) break
      out[at + n] = c
    }
  }
  if (n < s.length) n = utf8Encoder.encodeInto(s, out.subarray(at)).written!
  outView.setUint32(lengthAt, n)
  at += n
}

/** SMALL_BIG_EXT of a non-negative magnitude below 2^64 given as a bigint, with its sign. */
const putBig = (magnitude: bigint, negative: boolean): void => {
  let n = 0
  for (let m = magnitude; m > 0n; m >>= 8n) n++
  if (n > 255) throw new EncodeFailure("a bigint of more than 255 bytes")
  reserve(3 + n)
  out[at++] = Tag.SmallBig
  out[at++] = n
  out[at++] = negative ? 1 : 0
  for (let m = magnitude; m > 0n; m >>= 8n) out[at++] = Number(m & 0xffn)
}

const putInteger = (v: number): void => {
  if (v >= 0 && v <= 255) {
    reserve(2)
    out[at++] = Tag.SmallInteger
    out[at++] = v
  } else if (v >= -2147483648 && v <= 2147483647) {
    reserve(5)
    out[at++] = Tag.Integer
    outView.setInt32(at, v)
    at += 4
  } else {
    // A safe integer takes at most 7 bytes
    const negative = v < 0
    let m = negative ? -v : v
    reserve(10)
    out[at++] = Tag.SmallBig
    const lengthAt = at++
    out[at++] = negative ? 1 : 0
    let n = 0
    while (m > 0) {
      const digit = m % 256
      out[at++] = digit
      m = (m - digit) / 256
      n++
    }
    out[lengthAt] = n
  }
}

let encodeMaxDepth = defaultMaxDepth

const putValue = (v: unknown, depth: number): void => {
  switch (typeof v) {
    case "string":
      return putString(v)
    case "number":
      if (Number.isSafeInteger(v)) return putInteger(v === 0 ? 0 : v)
      if (!Number.isFinite(v)) return putAtom("nil")
      reserve(9)
      out[at++] = Tag.NewFloat
      outView.setFloat64(at, v)
      at += 8
      return
    case "boolean":
      return putAtom(v ? "true" : "false")
    case "bigint":
      return putBig(v < 0n ? -v : v, v < 0n)
    case "undefined":
    case "function":
    case "symbol":
      return putAtom("nil")
    case "object": {
      if (v === null) return putAtom("nil")
      if (depth >= encodeMaxDepth) throw new EncodeFailure(`nesting deeper than ${encodeMaxDepth} (or a cycle)`)
      const toJSON = (v as { toJSON?: unknown }).toJSON
      if (typeof toJSON === "function") return putValue(toJSON.call(v), depth + 1)
      if (Array.isArray(v)) {
        if (v.length === 0) return put8(Tag.Nil)
        put8(Tag.List)
        put32(v.length)
        for (let i = 0; i < v.length; i++) putValue(v[i], depth + 1)
        return put8(Tag.Nil)
      }
      put8(Tag.Map)
      const countAt = at
      put32(0)
      let count = 0
      const keys = Object.keys(v)
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!
        const item = (v as Record<string, unknown>)[k]
        const type = typeof item
        if (type === "undefined" || type === "function" || type === "symbol") continue
        putString(k)
        putValue(item, depth + 1)
        count++
      }
      outView.setUint32(countAt, count)
      return
    }
  }
}

/**
 * Encodes a JSON-like value as one ETF message. Fails (instead of overflowing the stack) on
 * a cycle or nesting deeper than `maxDepth`.
 *
 * @internal
 */
export const encode = (input: unknown, options?: EncodeOptions): Either.Either<Uint8Array, EtfEncodeError> => {
  at = 0
  encodeMaxDepth = options?.maxDepth ?? defaultMaxDepth
  try {
    put8(Tag.Version)
    putValue(input, 0)
    return Either.right(out.slice(0, at))
  } catch (e) {
    if (e instanceof EncodeFailure) return Either.left(new EtfEncodeError({ reason: e.reason }))
    return Either.left(new EtfEncodeError({ reason: String(e) }))
  } finally {
    // Don't keep a huge scratch buffer alive after one large payload
    if (out.length > 1024 * 1024) {
      out = new Uint8Array(4096)
      outView = new DataView(out.buffer)
    }
  }
}
