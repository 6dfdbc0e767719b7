/**
 * Typed failures of the gateway. Fatal close codes stop the gateway with one of
 * the `Fatal` errors; the other errors describe why a connection ended (they are
 * logged and counted, and the gateway reconnects) or why a command failed.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const closeFields = {
  shard: Schema.Number,
  closeCode: Schema.Number,
  reason: Schema.String
}

/**
 * Discord rejected the token (close 4004). Fatal.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthenticationFailed extends Schema.TaggedError<AuthenticationFailed>()(
  "AuthenticationFailed",
  closeFields
) {
  override get message() {
    return `Discord rejected the token (close ${this.closeCode}) on shard ${this.shard}: check DISCORD_TOKEN`
  }
}

/**
 * The shard sent in Identify is invalid (close 4010). Fatal.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidShard extends Schema.TaggedError<InvalidShard>()("InvalidShard", closeFields) {
  override get message() {
    return `Discord refused shard ${this.shard} (close ${this.closeCode}): the shard id must be below the shard count, and large bots must run a multiple of their assigned shard number`
  }
}

/**
 * The session would handle too many guilds: the bot must shard, or use more shards (close 4011). Fatal for this shard.
 *
 * @since 0.1.0
 * @category errors
 */
export class ScalingRequired extends Schema.TaggedError<ScalingRequired>()("ScalingRequired", closeFields) {
  override get message() {
    return `Discord requires more shards (close ${this.closeCode}) on shard ${this.shard}: use the shard count recommended by GET /gateway/bot`
  }
}

/**
 * The gateway version in the URL is invalid (close 4012). Fatal.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidApiVersion extends Schema.TaggedError<InvalidApiVersion>()("InvalidApiVersion", closeFields) {
  override get message() {
    return `Discord rejected the gateway API version (close ${this.closeCode}) on shard ${this.shard}`
  }
}

/**
 * The intents value is invalid (close 4013). Fatal.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidIntents extends Schema.TaggedError<InvalidIntents>()("InvalidIntents", closeFields) {
  override get message() {
    return `Discord rejected the intents value (close ${this.closeCode}) on shard ${this.shard}: check the configured intents`
  }
}

/**
 * A privileged intent was requested that the app is not allowed to use (close 4014). Fatal.
 *
 * @since 0.1.0
 * @category errors
 */
export class DisallowedIntents extends Schema.TaggedError<DisallowedIntents>()("DisallowedIntents", closeFields) {
  override get message() {
    return `Discord refused a privileged intent (close ${this.closeCode}) on shard ${this.shard}: enable it for the app in the Developer Portal or remove it from the configured intents`
  }
}

/**
 * Every error that stops the gateway for good.
 *
 * @since 0.1.0
 * @category errors
 */
export type GatewayFatalError =
  | AuthenticationFailed
  | InvalidShard
  | ScalingRequired
  | InvalidApiVersion
  | InvalidIntents
  | DisallowedIntents
  | GatewayUrlUnavailable
  | ReconnectExhausted

/**
 * The reconnect schedule gave up: it ended before a connection succeeded.
 *
 * @since 0.1.0
 * @category errors
 */
export class ReconnectExhausted extends Schema.TaggedError<ReconnectExhausted>()("ReconnectExhausted", {
  shard: Schema.Number,
  attempts: Schema.Number,
  lastReason: Schema.String
}) {
  override get message() {
    return `Shard ${this.shard} stopped reconnecting after ${this.attempts} failed attempt(s); last: ${this.lastReason}`
  }
}

/**
 * The gateway URL could not be found: none was configured and `GET /gateway/bot` failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class GatewayUrlUnavailable extends Schema.TaggedError<GatewayUrlUnavailable>()("GatewayUrlUnavailable", {
  shard: Schema.Number,
  reason: Schema.String
}) {
  override get message() {
    return `No gateway URL for shard ${this.shard}: ${this.reason}. Set gatewayUrl in the config or provide an HttpClient layer for GET /gateway/bot`
  }
}

/**
 * Discord asked the client to reconnect (op 7). The gateway resumes.
 *
 * @since 0.1.0
 * @category errors
 */
export class ReconnectRequest extends Schema.TaggedError<ReconnectRequest>()("ReconnectRequest", {
  shard: Schema.Number
}) {
  override get message() {
    return `Discord asked shard ${this.shard} to reconnect (op 7): resuming`
  }
}

/**
 * Discord answered with Invalid Session (op 9). `resumable` is its `d` field.
 *
 * @since 0.1.0
 * @category errors
 */
export class SessionInvalidated extends Schema.TaggedError<SessionInvalidated>()("SessionInvalidated", {
  shard: Schema.Number,
  resumable: Schema.Boolean
}) {
  override get message() {
    return this.resumable
      ? `Discord invalidated the connection of shard ${this.shard} (op 9, resumable): resuming`
      : `Discord invalidated the session of shard ${this.shard} (op 9): identifying anew after 1-5 s`
  }
}

/**
 * No heartbeat ACK arrived between two heartbeats: the connection is a zombie. The gateway resumes.
 *
 * @since 0.1.0
 * @category errors
 */
export class HeartbeatTimeout extends Schema.TaggedError<HeartbeatTimeout>()("HeartbeatTimeout", {
  shard: Schema.Number,
  intervalMillis: Schema.Number
}) {
  override get message() {
    return `No heartbeat ACK within ${this.intervalMillis} ms on shard ${this.shard}: closing the zombie connection and resuming`
  }
}

/**
 * Hello or READY/RESUMED did not arrive in time. The gateway reconnects.
 *
 * @since 0.1.0
 * @category errors
 */
export class HandshakeTimeout extends Schema.TaggedError<HandshakeTimeout>()("HandshakeTimeout", {
  shard: Schema.Number,
  waitingFor: Schema.Literal("Hello", "Ready"),
  timeoutMillis: Schema.Number
}) {
  override get message() {
    return `Shard ${this.shard} waited ${this.timeoutMillis} ms for ${this.waitingFor}: reconnecting`
  }
}

/**
 * The connection closed with a close code that allows reconnecting.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectionClosed extends Schema.TaggedError<ConnectionClosed>()("ConnectionClosed", {
  shard: Schema.Number,
  closeCode: Schema.Number,
  reason: Schema.String
}) {
  override get message() {
    return `Shard ${this.shard}'s connection closed (code ${this.closeCode}${this.reason ? `: ${this.reason}` : ""})`
  }
}

/**
 * The socket failed (could not open, dropped, or an error event).
 *
 * @since 0.1.0
 * @category errors
 */
export class SocketError extends Schema.TaggedError<SocketError>()("SocketError", {
  shard: Schema.Number,
  reason: Schema.String,
  cause: Schema.Defect
}) {
  override get message() {
    return `Shard ${this.shard}'s socket failed: ${this.reason}`
  }
}

/**
 * An inbound frame could not be read (bad compression, not JSON, not a gateway payload).
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends Schema.TaggedError<DecodeError>()("DecodeError", {
  shard: Schema.Number,
  reason: Schema.String
}) {
  override get message() {
    return `Shard ${this.shard} received an unreadable frame: ${this.reason}`
  }
}

/**
 * An outbound payload is larger than Discord's 4096-byte limit; it was not sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  op: Schema.Number,
  bytes: Schema.Number,
  limit: Schema.Number
}) {
  override get message() {
    return `The op ${this.op} payload is ${this.bytes} bytes, over Discord's ${this.limit}-byte limit: it was not sent`
  }
}

/**
 * A request (such as Request Guild Members) got no complete answer in time.
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestTimeout extends Schema.TaggedError<RequestTimeout>()("RequestTimeout", {
  request: Schema.String,
  timeoutMillis: Schema.Number
}) {
  override get message() {
    return `${this.request} got no complete answer within ${this.timeoutMillis} ms`
  }
}

/**
 * The gateway was shut down; commands can no longer be sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class GatewayClosed extends Schema.TaggedError<GatewayClosed>()("GatewayClosed", {
  shard: Schema.Number
}) {
  override get message() {
    return `Shard ${this.shard}'s gateway is shut down`
  }
}

/**
 * A command or lookup named a shard this process does not run (or not a valid guild id).
 *
 * @since 0.1.0
 * @category errors
 */
export class ShardUnavailable extends Schema.TaggedError<ShardUnavailable>()("ShardUnavailable", {
  shard: Schema.Number,
  shardCount: Schema.Number,
  reason: Schema.String
}) {
  override get message() {
    return `Shard ${this.shard} of ${this.shardCount} is not available here: ${this.reason}`
  }
}

/**
 * Why one connection ended; the gateway decides from it whether to resume, identify anew or stop.
 *
 * @since 0.1.0
 * @category errors
 */
export type ConnectionEnded =
  | ReconnectRequest
  | SessionInvalidated
  | HeartbeatTimeout
  | HandshakeTimeout
  | ConnectionClosed
  | SocketError
  | DecodeError
