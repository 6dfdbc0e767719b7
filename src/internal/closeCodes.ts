/**
 * What a close code means for the session, per Discord's close code table
 * (topics/opcodes-and-status-codes.mdx) and "Resuming" in events/gateway.mdx.
 *
 * @internal
 */
import * as GatewayError from "../GatewayError.js"
import { CloseCode } from "./protocol.js"

/** @internal */
export type CloseDecision =
  | { readonly _tag: "Fatal"; readonly error: GatewayError.GatewayFatalError }
  | { readonly _tag: "Reidentify" }
  | { readonly _tag: "Resume" }

/**
 * Fatal codes stop the gateway; 4007 (invalid seq) and 4009 (session timed out)
 * need a new session; every other code, a dropped connection included, may resume.
 *
 * @internal
 */
export const decide = (shard: number, closeCode: number, reason: string): CloseDecision => {
  const fields = { shard, closeCode, reason }
  switch (closeCode) {
    case CloseCode.AuthenticationFailed:
      return { _tag: "Fatal", error: new GatewayError.AuthenticationFailed(fields) }
    case CloseCode.InvalidShard:
      return { _tag: "Fatal", error: new GatewayError.InvalidShard(fields) }
    case CloseCode.ShardingRequired:
      return { _tag: "Fatal", error: new GatewayError.ScalingRequired(fields) }
    case CloseCode.InvalidApiVersion:
      return { _tag: "Fatal", error: new GatewayError.InvalidApiVersion(fields) }
    case CloseCode.InvalidIntents:
      return { _tag: "Fatal", error: new GatewayError.InvalidIntents(fields) }
    case CloseCode.DisallowedIntents:
      return { _tag: "Fatal", error: new GatewayError.DisallowedIntents(fields) }
    case CloseCode.InvalidSeq:
    case CloseCode.SessionTimedOut:
      return { _tag: "Reidentify" }
    default:
      return { _tag: "Resume" }
  }
}
