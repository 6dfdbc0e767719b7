/**
 * Request Guild Members (op 8) and its answer: Discord sends the members as GUILD_MEMBERS_CHUNK
 * dispatches carrying the request's `nonce`, `chunk_count` of them. Each request gets a nonce
 * here; the dispatch step hands every chunk over (`onChunk`), and the request completes when
 * all of its chunks have arrived. The chunks are also delivered to the event stream as usual.
 * The request's nonce and what it gathered annotate the current span (the gateway's
 * `request_guild_members`, see tracing.ts).
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Random from "effect/Random"
import * as GatewayError from "../GatewayError.js"
import type { GatewayEvent } from "../GatewayEvent.js"
import type { Member } from "../schema/Member.js"
import type { PartialPresence } from "../schema/Presence.js"
import * as Tracing from "./tracing.js"

/** The members gathered by one Request Guild Members. @internal */
export interface GuildMembersResult {
  readonly guildId: string
  /** The members of every chunk that passed its Schema. */
  readonly members: ReadonlyArray<Member>
  /** With `presences: true`: the presences of those chunks. */
  readonly presences: ReadonlyArray<PartialPresence>
  /** The requested user ids Discord did not find. */
  readonly notFound: ReadonlyArray<string>
  /**
   * Chunks that failed their Schema: they count toward completion, but their members are only on
   * the event stream, as DECODE_FAILURE events with the raw data.
   */
  readonly undecodedChunks: number
}

interface Collector {
  readonly guildId: string
  readonly members: Array<Member>
  readonly presences: Array<PartialPresence>
  readonly notFound: Array<string>
  undecodedChunks: number
  received: number
  readonly done: Deferred.Deferred<void>
}

/** @internal */
export interface MemberRequests {
  /**
   * Sends a request (built by `send` around its nonce) and gathers its chunks, failing with
   * `RequestTimeout` when they are not all there after `timeout`.
   */
  readonly request: <E>(
    guildId: string,
    send: (nonce: string) => Effect.Effect<void, E>,
    timeout: Duration.DurationInput
  ) => Effect.Effect<GuildMembersResult, E | GatewayError.RequestTimeout>
  /** A GUILD_MEMBERS_CHUNK arrived, decoded or as a DECODE_FAILURE (with its raw data). */
  readonly onChunk: (event: GatewayEvent) => void
}

/** @internal */
export const make = (): MemberRequests => {
  const collectors = new Map<string, Collector>()
  let counter = 0

  const onChunk = (event: GatewayEvent): void => {
    if (collectors.size === 0) return
    const raw = (event.type === "GUILD_MEMBERS_CHUNK"
      ? event.data
      : event.type === "DECODE_FAILURE"
      ? event.raw
      : undefined) as { nonce?: unknown; chunk_count?: unknown } | null | undefined
    if (typeof raw?.nonce !== "string") return
    const collector = collectors.get(raw.nonce)
    if (collector === undefined) return
    if (event.type === "GUILD_MEMBERS_CHUNK") {
      const chunk = event.data
      for (const member of chunk.members) collector.members.push(member)
      if (chunk.presences) for (const presence of chunk.presences) collector.presences.push(presence)
      if (chunk.not_found) for (const id of chunk.not_found) collector.notFound.push(String(id))
    } else {
      collector.undecodedChunks++
    }
    collector.received++
    if (typeof raw.chunk_count === "number" && collector.received >= raw.chunk_count) {
      Deferred.unsafeDone(collector.done, Exit.void)
    }
  }

  const request: MemberRequests["request"] = (guildId, send, timeout) =>
    Effect.gen(function*() {
      const suffix = yield* Random.nextIntBetween(0, 1 << 30)
      const nonce = `${(++counter).toString(36)}.${suffix.toString(36)}`
      const collector: Collector = {
        guildId,
        members: [],
        presences: [],
        notFound: [],
        undecodedChunks: 0,
        received: 0,
        done: yield* Deferred.make<void>()
      }
      const millis = Duration.toMillis(Duration.decode(timeout))
      collectors.set(nonce, collector)
      yield* Effect.annotateCurrentSpan(Tracing.Attribute.nonce, nonce)
      yield* send(nonce).pipe(
        Effect.zipRight(Deferred.await(collector.done)),
        Effect.timeoutFail({
          duration: millis,
          onTimeout: () =>
            new GatewayError.RequestTimeout({
              request: `Request Guild Members for guild ${guildId}`,
              timeoutMillis: millis
            })
        }),
        Effect.ensuring(Effect.suspend(() => {
          collectors.delete(nonce)
          return Effect.annotateCurrentSpan({
            [Tracing.Attribute.memberChunks]: collector.received,
            [Tracing.Attribute.memberCount]: collector.members.length,
            [Tracing.Attribute.memberNotFound]: collector.notFound.length,
            [Tracing.Attribute.memberUndecoded]: collector.undecodedChunks
          })
        }))
      )
      return {
        guildId,
        members: collector.members,
        presences: collector.presences,
        notFound: collector.notFound,
        undecodedChunks: collector.undecodedChunks
      }
    })

  return { request, onChunk }
}
