/**
 * The payload encoding of a connection (`encoding=json` or `encoding=etf`): what is sent is
 * encoded here, and what arrives is decoded here, so the rest of the connection sees plain
 * values either way.
 *
 * @internal
 */
import * as Either from "effect/Either"
import type { Encoding } from "../GatewayConfig.js"
import * as Etf from "./etf.js"

/** What goes on the wire: a text frame (JSON) or a binary frame (ETF). @internal */
export type Frame = string | Uint8Array

/**
 * Encodes an outbound payload. Our payloads are JSON-like values: a value JSON.stringify cannot
 * take (a cycle) throws in either encoding, a defect of the caller.
 *
 * @internal
 */
export const encode = (encoding: Encoding, payload: unknown): Frame => {
  if (encoding === "json") return JSON.stringify(payload)
  const encoded = Etf.encode(payload)
  if (Either.isLeft(encoded)) throw new Error(`ETF: cannot encode the payload: ${encoded.left.reason}`)
  return encoded.right
}

/** The size of a frame in bytes, for the 4096-byte limit on what is sent. @internal */
export const byteLength = (frame: Frame): number =>
  typeof frame === "string" ? Buffer.byteLength(frame, "utf8") : frame.byteLength
