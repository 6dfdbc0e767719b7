/**
 * Why one connection ended: the shard loop decides from it whether to resume, identify anew or
 * stop (closeCodes.ts). Users never receive these; they appear in logs and in the
 * `connection_ends` metric's `reason` label (the `_tag`).
 *
 * @internal
 */
import * as Schema from "effect/Schema"

/**
 * Discord asked the client to reconnect (op 7). The gateway resumes.
 *
 * @internal
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
 * @internal
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
 * @internal
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
 * @internal
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
 * @internal
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
 * @internal
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
 * @internal
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
 * Why one connection ended; the gateway decides from it whether to resume, identify anew or stop.
 *
 * @internal
 */
export type ConnectionEnded =
  | ReconnectRequest
  | SessionInvalidated
  | HeartbeatTimeout
  | HandshakeTimeout
  | ConnectionClosed
  | SocketError
  | DecodeError
