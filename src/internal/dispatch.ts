/**
 * Turns one dispatch payload into an element of the event stream: decoded with
 * the event's Schema when there is one, kept raw when there is none, and kept
 * raw with the error when the data fails its Schema.
 *
 * @internal
 */
import type * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { DispatchSchemas } from "../Events.js"
import type { GatewayEvent } from "../GatewayEvent.js"

type Decoder = (u: unknown) => Either.Either<unknown, ParseResult.ParseError>

// One compiled decoder per event name, built once.
const decoders: ReadonlyMap<string, Decoder> = new Map(
  Object.entries(DispatchSchemas).map(([name, schema]) => [
    name,
    Schema.decodeUnknownEither(schema as Schema.Schema<unknown, unknown>) as Decoder
  ])
)

/** @internal */
export const isKnown = (name: string): boolean => decoders.has(name)

/** @internal */
export const toEvent = (name: string, shard: number, sequence: number, data: unknown): GatewayEvent => {
  const decode = decoders.get(name)
  if (decode === undefined) {
    return { type: "UNKNOWN_EVENT", name, shard, sequence, data }
  }
  const result = decode(data)
  if (result._tag === "Left") {
    return { type: "DECODE_FAILURE", name, shard, sequence, raw: data, error: result.left }
  }
  // The decoder for `name` produced `DispatchData[name]`: the map pairs them.
  return { type: name, shard, sequence, data: result.right } as GatewayEvent
}
