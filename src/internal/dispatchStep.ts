/**
 * The dispatch step: one dispatch payload (op 0) from the inbox becomes one element of the event
 * stream, or is dropped with a reason.
 *
 * 1. The envelope: a dispatch without a name or a valid sequence is a bad frame.
 * 2. The session decides (`Session.accept`): a sequence already delivered (Discord's replay after
 *    a resume) is dropped; one beyond the next is delivered with a warning about the gap; a READY
 *    starts a new session. The sequence is recorded before the data is decoded, so a payload that
 *    fails its Schema never breaks resume.
 * 3. The data is decoded (`Dispatch.toEvent`): a known event checked against its Schema, an
 *    unknown one kept raw, one that fails its Schema delivered as DECODE_FAILURE.
 * 4. A GUILD_MEMBERS_CHUNK also goes to the member-request correlation.
 *
 * Synchronous and allocation-free beyond the event itself: what needs logging comes back as a
 * `Notice` for the connection's fiber to log.
 *
 * @internal
 */
import type { GatewayConfig } from "../GatewayConfig.js"
import type { GatewayEvent } from "../GatewayEvent.js"
import * as Dispatch from "./dispatch.js"
import type { Payload } from "./frameReader.js"
import type * as MemberRequests from "./memberRequests.js"
import * as Session from "./session.js"

/** Something to log about a dispatch, and the event, if it is still delivered. @internal */
export class Notice {
  constructor(
    readonly level: "Debug" | "Warning",
    readonly message: string,
    /** Counted in `bad_frames`. */
    readonly badFrame: boolean,
    readonly event: GatewayEvent | undefined
  ) {}
}

/** What the step reads. @internal */
export interface Context {
  readonly shard: number
  readonly decode: GatewayConfig["decode"]
  readonly session: Session.Session
  readonly memberRequests: MemberRequests.MemberRequests
  /** The URL this connection opened (the resume URL when READY names none). */
  readonly connectedUrl: string
}

/** @internal */
export const step = (context: Context, payload: Payload): GatewayEvent | Notice => {
  const { d, s, t } = payload
  if (typeof t !== "string" || !Session.isSequence(s)) {
    return new Notice("Warning", "ignored a dispatch without a name or a valid sequence", true, undefined)
  }
  const { session } = context
  const before = session.sequence()
  const verdict = session.accept(t, s, d, context.connectedUrl)
  if (verdict === "seen") {
    return new Notice("Debug", `dropped ${t} with sequence ${s}: already at ${before}`, false, undefined)
  }
  const event = context.decode === "full"
    ? Dispatch.toEvent(t, context.shard, s, d)
    : Dispatch.unknownEvent(t, context.shard, s, d)
  if (t === "GUILD_MEMBERS_CHUNK") context.memberRequests.onChunk(event)
  if (verdict === "gap") return new Notice("Warning", `sequence jumped from ${before} to ${s} (${t})`, false, event)
  return event
}
