/**
 * Wire-level facts of Discord's Gateway v10: opcodes, close codes and limits.
 * Shared by the client and the simulator so both speak from one table.
 *
 * @internal
 */

/** @internal */
export const GatewayVersion = 10

/** Gateway opcodes (topics/opcodes-and-status-codes.mdx). @internal */
export const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
  RequestSoundboardSounds: 31
} as const

/** @internal */
export type Op = typeof Op[keyof typeof Op]

/** Gateway close event codes. @internal */
export const CloseCode = {
  UnknownError: 4000,
  UnknownOpcode: 4001,
  DecodeError: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  InvalidSeq: 4007,
  RateLimited: 4008,
  SessionTimedOut: 4009,
  InvalidShard: 4010,
  ShardingRequired: 4011,
  InvalidApiVersion: 4012,
  InvalidIntents: 4013,
  DisallowedIntents: 4014
} as const

/** The close code a client sends when it wants the session kept (anything but 1000/1001). @internal */
export const ResumableCloseCode = 4000

/** The close code that ends a session for good. @internal */
export const SessionEndingCloseCode = 1000

/** Outbound payloads larger than this close the connection with 4002. @internal */
export const MaxPayloadBytes = 4096

/** Outbound commands per connection per window. @internal */
export const SendLimit = 120

/** The outbound rate-limit window, in milliseconds. @internal */
export const SendWindowMillis = 60_000

/** The four bytes that end every zlib-stream message (Z_SYNC_FLUSH). @internal */
export const ZlibSuffix = Uint8Array.of(0x00, 0x00, 0xff, 0xff)

/** A raw payload as it travels on the wire. @internal */
export interface RawPayload {
  readonly op: number
  readonly d?: unknown
  readonly s?: number | null
  readonly t?: string | null
}
