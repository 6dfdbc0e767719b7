/**
 * Turns one dispatch payload into an element of the event stream: decoded with
 * the event's Schema when there is one, kept raw when there is none, and kept
 * raw with the error when the data fails its Schema. A Schema without
 * transformations (all 79 today) is checked in place by `validator.ts`: the
 * parsed payload, unknown fields included, is the event's data.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { DispatchSchemas } from "../Events.js"
import type { GatewayEvent } from "../GatewayEvent.js"
import * as Validator from "./validator.js"

interface Codec {
  /**
   * The Schema's check in place, when it has one: an accepted payload is its
   * own decoded value, unknown fields included, with nothing copied.
   */
  readonly validate: ((u: unknown) => boolean) | undefined
  /** The full decoder: for a Schema with transformations, and for the readable error of a payload the check rejects. */
  readonly decode: (u: unknown) => Either.Either<unknown, ParseResult.ParseError>
}

const schemas: ReadonlyMap<string, Schema.Schema<unknown, unknown>> = new Map(
  Object.entries(DispatchSchemas) as Array<[string, Schema.Schema<unknown, unknown>]>
)

// One codec per event name, built at the event's first arrival: compiling all
// 79 up front costs tens of milliseconds at startup, mostly for events a bot
// never receives.
const codecs = new Map<string, Codec>()

const codecOf = (name: string): Codec | undefined => {
  const built = codecs.get(name)
  if (built !== undefined) return built
  const schema = schemas.get(name)
  if (schema === undefined) return undefined
  const codec: Codec = {
    validate: Either.getOrUndefined(Validator.compile(schema)),
    // Every failing path, not only the first: the log names up to three.
    decode: Schema.decodeUnknownEither(schema, { errors: "all" })
  }
  codecs.set(name, codec)
  return codec
}

/**
 * Event objects are built by constructors, not object literals: V8 may "pretenure" a literal's
 * allocation site whose objects often survive a young GC, allocating every later one in the old
 * generation, where each keeps its young payload alive through every young GC until the next full
 * one (measured: a quarter of all allocated bytes promoted, a third of the client's CPU in GC).
 * Constructor calls are not pretenured.
 */
class Event {
  constructor(
    readonly type: string,
    readonly shard: number,
    readonly sequence: number,
    readonly data: unknown
  ) {}
}

class Unknown {
  readonly type = "UNKNOWN_EVENT"
  constructor(
    readonly name: string,
    readonly shard: number,
    readonly sequence: number,
    readonly data: unknown
  ) {}
}

/** An `UNKNOWN_EVENT` for a dispatch published without decoding. @internal */
export const unknownEvent = (name: string, shard: number, sequence: number, data: unknown): GatewayEvent =>
  new Unknown(name, shard, sequence, data) as GatewayEvent

/** @internal */
export const isKnown = (name: string): boolean => schemas.has(name)

/** @internal */
export const toEvent = (name: string, shard: number, sequence: number, data: unknown): GatewayEvent => {
  const codec = codecOf(name)
  if (codec === undefined) {
    return unknownEvent(name, shard, sequence, data)
  }
  // The check and the decoder accept the same payloads (test/validator.test.ts);
  // the decoder runs after a rejection so that DECODE_FAILURE carries its ParseError.
  if (codec.validate === undefined || !codec.validate(data)) {
    const result = codec.decode(data)
    if (result._tag === "Left") {
      return { type: "DECODE_FAILURE", name, shard, sequence, raw: data, error: result.left }
    }
    data = result.right
  }
  // The Schema for `name` accepted `data` as `DispatchData[name]`: the map pairs them.
  return new Event(name, shard, sequence, data) as GatewayEvent
}
