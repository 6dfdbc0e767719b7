/**
 * Which events a subscriber that arrives late is given first: each shard's READY and the
 * GUILD_CREATEs of its current session, the snapshot a bot builds its guild state from.
 *
 * - READY starts a shard's snapshot anew (a new session replaces the old one's).
 * - GUILD_CREATE is added to it; GUILD_DELETE takes its guild's GUILD_CREATE out again (READY
 *   already lists the guild as unavailable, which is what a late subscriber should believe).
 * - SESSION_LOST empties the shard's snapshot until its next READY; RESHARDED empties every one
 *   (the new shards' READYs follow).
 *
 * Decode failures and unknown events of those names count as those events: a READY that failed
 * its Schema is still the start of the session. The snapshot is what was received, not a cache:
 * a GUILD_UPDATE does not change the GUILD_CREATE that is replayed.
 *
 * @internal
 */
import type { ShardingEvent } from "../GatewayEvent.js"

/** What an event does to the snapshots. @internal */
export type Step =
  | { readonly _tag: "Start"; readonly shard: number }
  | { readonly _tag: "Add"; readonly shard: number; readonly guildId: string | undefined }
  | { readonly _tag: "Remove"; readonly shard: number; readonly guildId: string | undefined }
  | { readonly _tag: "Clear"; readonly shard: number | undefined }

const nameOf = (event: ShardingEvent): string =>
  event.type === "UNKNOWN_EVENT" || event.type === "DECODE_FAILURE" ? event.name : event.type

const guildIdOf = (event: ShardingEvent): string | undefined => {
  const data: unknown = event.type === "DECODE_FAILURE" ? event.raw : "data" in event ? event.data : undefined
  const id = typeof data === "object" && data !== null ? (data as { readonly id?: unknown }).id : undefined
  return typeof id === "string" ? id : undefined
}

/**
 * The hub's `retention` under a `startupReplay` setting: none keeps nothing after the first subscriber.
 *
 * @internal
 */
export const retentionFor = (
  startupReplay: "session" | "first-subscriber"
): ((event: ShardingEvent) => Step | undefined) | undefined => (startupReplay === "session" ? stepOf : undefined)

/**
 * The step of one event, or `undefined` for the events a snapshot does not hold (nearly all).
 *
 * @internal
 */
export const stepOf = (event: ShardingEvent): Step | undefined => {
  switch (nameOf(event)) {
    case "READY":
      return { _tag: "Start", shard: (event as { readonly shard: number }).shard }
    case "GUILD_CREATE":
      return { _tag: "Add", shard: (event as { readonly shard: number }).shard, guildId: guildIdOf(event) }
    case "GUILD_DELETE":
      return { _tag: "Remove", shard: (event as { readonly shard: number }).shard, guildId: guildIdOf(event) }
    case "SESSION_LOST":
      return { _tag: "Clear", shard: (event as { readonly shard: number }).shard }
    case "RESHARDED":
      return { _tag: "Clear", shard: undefined }
    default:
      return undefined
  }
}
