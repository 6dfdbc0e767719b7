/**
 * The elements of `Gateway.events`: decoded dispatch events, unknown events,
 * decode failures and session-lost markers. Narrowing on `type` narrows `data`.
 *
 * @since 0.1.0
 */
import type * as ParseResult from "effect/ParseResult"
import type { DispatchData, KnownEventName } from "./Events.js"

/**
 * A dispatch event whose data decoded with its Schema.
 *
 * @since 0.1.0
 * @category models
 */
export type Dispatch<K extends KnownEventName = KnownEventName> = {
  readonly [N in K]: {
    readonly type: N
    readonly shard: number
    readonly sequence: number
    readonly data: DispatchData[N]
  }
}[K]

/**
 * A dispatch event this library has no Schema for; its data is kept as received.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnknownEvent {
  /** The marker of an event with no Schema. */
  readonly type: "UNKNOWN_EVENT"
  /** The dispatch name (`t`). */
  readonly name: string
  /** The shard that received it. */
  readonly shard: number
  /** Its sequence (`s`). */
  readonly sequence: number
  /** Its data (`d`), as received. */
  readonly data: unknown
}

/**
 * A known dispatch event whose data failed its Schema. The raw payload and the
 * error are kept; the connection goes on and the sequence number is not lost.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodeFailure {
  /** The marker of an event that failed its Schema. */
  readonly type: "DECODE_FAILURE"
  /** The dispatch name (`t`). */
  readonly name: string
  /** The shard that received it. */
  readonly shard: number
  /** Its sequence (`s`). */
  readonly sequence: number
  /** Its data (`d`), as received. */
  readonly raw: unknown
  /** Why it failed: the whole ParseError. */
  readonly error: ParseResult.ParseError
}

/**
 * The session was lost (op 9 `false`, close 4007 or 4009, or a refused resume):
 * events after `lastSequence` of `sessionId` will never arrive. A new session
 * follows; resynchronise any state built from events.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionLost {
  /** The marker of a session Discord ended: events may have been missed, and a new session starts with READY. */
  readonly type: "SESSION_LOST"
  /** The shard whose session ended. */
  readonly shard: number
  /** The session that ended. */
  readonly sessionId: string
  /** The last sequence delivered in it. */
  readonly lastSequence: number
  /** Why it ended (op 9, a close code, an expired resume). */
  readonly reason: string
}

/**
 * Every element of the event stream.
 *
 * @since 0.1.0
 * @category models
 */
/**
 * `Sharding` switched to a new set of shards (after a 4011 or a manual `reshard`).
 * What follows comes from the new shards, starting with their READY and
 * GUILD_CREATE events: a full snapshot to rebuild state from. Events Discord sent
 * to both sets while the new one was starting may appear on both sides of this marker.
 *
 * @since 0.1.0
 * @category models
 */
export interface Resharded {
  /** The marker of a switch to a new shard set: its READY and GUILD_CREATE events follow. */
  readonly type: "RESHARDED"
  /** The old shard count. */
  readonly previousShardCount: number
  /** The new shard count. */
  readonly shardCount: number
}

/**
 * Everything the event stream carries.
 *
 * @since 0.1.0
 * @category models
 */
export type GatewayEvent = Dispatch | UnknownEvent | DecodeFailure | SessionLost

/**
 * What `Sharding`'s merged stream carries: the events of every shard, each with
 * its `shard`, and the `RESHARDED` marker.
 *
 * @since 0.1.0
 * @category models
 */
export type ShardingEvent = GatewayEvent | Resharded
