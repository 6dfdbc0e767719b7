/**
 * The gateway's spans: their names, their attribute keys, and the helpers that start and end
 * the ones whose life does not match an effect's. Spans cover lifecycle steps only (a connection
 * attempt, its Identify or Resume, the decision and wait after a connection ends, a reshard, a
 * Request Guild Members): nothing here runs per event, and no span stays open, or referenced,
 * once its step is over (a connection lives for hours; a span kept on it would too).
 *
 * | span | from | to |
 * | --- | --- | --- |
 * | `discord.gateway.connect` | the socket is opened | READY/RESUMED (ok), or the attempt's end (error) |
 * | `discord.gateway.identify` / `discord.gateway.resume` | Hello (the bucket wait included) | READY/RESUMED, or the attempt's end |
 * | `discord.gateway.reconnect` | a connection ended | the next attempt may start (backoff included), or the shard stops (error) |
 * | `discord.sharding.reshard` | a reshard starts | the new shards are READY and the old ones closed |
 * | `discord.gateway.request_guild_members` | the request is sent | all chunks arrived, or the timeout |
 *
 * A shard's first attempt belongs to the span current where the shard started (the user's, or
 * the reshard that started it); `reconnect` spans are roots, and the attempt after one is its
 * child, so a long-running shard makes one short trace per reconnect instead of one endless trace.
 * The attempt after a pause starts a trace of its own too.
 *
 * Statuses: an attempt that ends before READY/RESUMED ends its spans with the `ConnectionEnded`
 * error (interrupted when this side stopped it: pause, shutdown); a `reconnect` that stops the
 * shard ends with its fatal error (`AuthenticationFailed`, `ReconnectExhausted`, ...).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import type * as Tracer from "effect/Tracer"
import type * as ConnectionEnded from "./connectionEnded.js"

/**
 * The span names.
 *
 * @internal
 */
export const SpanName = {
  connect: "discord.gateway.connect",
  identify: "discord.gateway.identify",
  resume: "discord.gateway.resume",
  reconnect: "discord.gateway.reconnect",
  reshard: "discord.sharding.reshard",
  requestGuildMembers: "discord.gateway.request_guild_members"
} as const

/**
 * The attribute keys. The token is never an attribute; neither is a member query (user input).
 *
 * @internal
 */
export const Attribute = {
  /** The shard's id (every gateway span). */
  shardId: "discord.shard.id",
  /** The shard count (every gateway span; the new count on `reshard`). */
  shardCount: "discord.shard.count",
  /** The session resumed, or the one READY started (on `connect` once live), or the one that ended. */
  sessionId: "discord.session.id",
  /** `identify` or `resume`: how the attempt opens its session. */
  mode: "discord.gateway.mode",
  /** Attempts in a row since the last connection that reached READY/RESUMED (1: the first). */
  attempt: "discord.gateway.attempt",
  /** The URL connected to (the gateway URL, or the session's resume URL); no query, no token. */
  url: "discord.gateway.url",
  /** The close code the connection ended with (when the socket closed). */
  closeCode: "discord.gateway.close_code",
  /**
   * Why the connection ended (the `ConnectionEnded` tag, as in the `connections_ended` metric):
   * `ConnectionClosed`, `SocketError`, `HeartbeatTimeout`, `HandshakeTimeout`, `ReconnectRequest`,
   * `SessionInvalidated`, `DecodeError`.
   */
  reason: "discord.gateway.reason",
  /** On `connect`: the close code of the connection before it. */
  previousCloseCode: "discord.gateway.previous_close_code",
  /** On `connect`: why the connection before it ended. */
  previousReason: "discord.gateway.previous_reason",
  /** On `reconnect`: whether the connection that ended had reached READY/RESUMED. */
  healthy: "discord.gateway.healthy",
  /** On `reconnect`: `resume`, `identify` (the session is lost), `fatal` or `exhausted` (the shard stops). */
  decision: "discord.gateway.decision",
  /** On `reconnect`: the wait before the next attempt (the reconnect schedule, or op 9's 1-5 s). */
  backoffMillis: "discord.gateway.backoff_ms",
  /** On `resume`: the sequence resumed from. */
  sequence: "discord.gateway.sequence",
  /** On `identify` / `resume`: Hello's heartbeat interval. */
  heartbeatInterval: "discord.gateway.heartbeat_interval_ms",
  /** On `identify`: the wait for the shard's identify bucket (max_concurrency, one per 5 s). */
  identifyWait: "discord.gateway.identify_wait_ms",
  /** On `reshard`: the shard count before. */
  previousShardCount: "discord.sharding.previous_shard_count",
  /** On `reshard`: `user` (`reshard`) or `scaling_required` (close 4011). */
  trigger: "discord.sharding.trigger",
  /** On `request_guild_members`: the guild. */
  guildId: "discord.guild.id",
  /** On `request_guild_members`: the request's nonce (as on its GUILD_MEMBERS_CHUNK dispatches). */
  nonce: "discord.gateway.nonce",
  /** On `request_guild_members`: the `limit` asked for. */
  memberLimit: "discord.guild_members.limit",
  /** On `request_guild_members`: whether presences were asked for. */
  memberPresences: "discord.guild_members.presences",
  /** On `request_guild_members`: how many `user_ids` were asked for. */
  memberUserIds: "discord.guild_members.user_ids",
  /** On `request_guild_members`: the chunks received. */
  memberChunks: "discord.guild_members.chunks",
  /** On `request_guild_members`: the members received. */
  memberCount: "discord.guild_members.count",
  /** On `request_guild_members`: the requested user ids Discord did not find. */
  memberNotFound: "discord.guild_members.not_found",
  /** On `request_guild_members`: chunks that failed their Schema. */
  memberUndecoded: "discord.guild_members.undecoded_chunks"
} as const

/**
 * `Effect.makeSpan` / `withSpan` options: no stack trace (it would point here, and costs an
 * `Error` per span).
 *
 * @internal
 */
export const spanOptions = (options: Tracer.SpanOptions): Tracer.SpanOptions => ({ ...options, captureStackTrace: false })

/**
 * Runs `f` with the time spans end at now: the clock's, or 0 when tracer timing is off (as
 * `Effect.withSpan` does).
 */
const endingAt = (f: (endTime: bigint) => void): Effect.Effect<void> =>
  Effect.flatMap(FiberRef.get(FiberRef.currentTracerTimingEnabled), (timing) =>
    Effect.clockWith((clock) =>
      Effect.sync(() => {
        f(timing ? clock.unsafeCurrentTimeNanos() : 0n)
      })
    ))

const end = (span: Tracer.Span, exit: Exit.Exit<unknown, unknown>, endTime: bigint): void => {
  if (span.status._tag !== "Ended") span.end(endTime, exit)
}

/**
 * The spans of one connection attempt while it is not live: `connect`, and from Hello on its
 * `identify` or `resume`. Both are dropped once ended, so a live connection holds two empty slots.
 *
 * @internal
 */
export interface Attempt {
  /** The `connect` span, until it ends. */
  connect: Tracer.Span | undefined
  /** The `identify` or `resume` span, from Hello until it ends. */
  step: Tracer.Span | undefined
}

/** The attributes of `connect`. @internal */
export interface AttemptInfo {
  /** `[id, count]`. */
  readonly shard: readonly [number, number]
  readonly mode: "identify" | "resume"
  readonly url: string
  /** The session resumed (resume mode). */
  readonly sessionId: string | undefined
  /** Attempts in a row since the last live connection, this one included. */
  readonly attempt: number
  /** Of the connection before (none for the first, or after a pause). */
  readonly previousCloseCode: number | undefined
  readonly previousReason: string | undefined
  /** The span the attempt belongs to: the `reconnect` before it; `undefined`: the current span. */
  readonly parent: Tracer.AnySpan | undefined
  /** Starts a trace of its own (the attempt after a pause). */
  readonly root: boolean
}

/**
 * Starts the `connect` span of an attempt.
 *
 * @internal
 */
export const startAttempt = (info: AttemptInfo): Effect.Effect<Attempt> => {
  const attributes: Record<string, unknown> = {
    [Attribute.shardId]: info.shard[0],
    [Attribute.shardCount]: info.shard[1],
    [Attribute.mode]: info.mode,
    [Attribute.attempt]: info.attempt,
    [Attribute.url]: info.url
  }
  if (info.sessionId !== undefined) attributes[Attribute.sessionId] = info.sessionId
  if (info.previousCloseCode !== undefined) attributes[Attribute.previousCloseCode] = info.previousCloseCode
  if (info.previousReason !== undefined) attributes[Attribute.previousReason] = info.previousReason
  return Effect.map(
    Effect.makeSpan(
      SpanName.connect,
      spanOptions({
        attributes,
        kind: "client",
        ...(info.parent !== undefined ? { parent: info.parent } : info.root ? { root: true } : {})
      })
    ),
    (connect): Attempt => ({ connect, step: undefined })
  )
}

/**
 * Starts the attempt's `identify` or `resume` span (a child of its `connect`).
 *
 * @internal
 */
export const startStep = (
  attempt: Attempt,
  mode: "identify" | "resume",
  attributes: Record<string, unknown>
): Effect.Effect<void> => {
  if (attempt.connect === undefined) return Effect.void
  const name = mode === "identify" ? SpanName.identify : SpanName.resume
  return Effect.map(Effect.makeSpan(name, spanOptions({ attributes, parent: attempt.connect })), (span) => {
    attempt.step = span
  })
}

/**
 * READY or RESUMED arrived: the attempt's spans end ok (`connect` with the session id).
 *
 * @internal
 */
export const live = (attempt: Attempt, sessionId: string | undefined): Effect.Effect<void> =>
  endAttempt(attempt, Exit.void, (connect) => {
    if (sessionId !== undefined) connect.attribute(Attribute.sessionId, sessionId)
  })

/** Ends the attempt's spans (once: they are dropped from it) with `exit`, after `beforeEnd`. */
const endAttempt = (
  attempt: Attempt,
  exit: Exit.Exit<unknown, unknown>,
  beforeEnd?: (connect: Tracer.Span) => void
): Effect.Effect<void> =>
  Effect.suspend(() => {
    const { connect, step } = attempt
    if (connect === undefined && step === undefined) return Effect.void
    attempt.connect = undefined
    attempt.step = undefined
    if (connect !== undefined) beforeEnd?.(connect)
    return endingAt((endTime) => {
      if (step !== undefined) end(step, exit, endTime)
      if (connect !== undefined) end(connect, exit, endTime)
    })
  })

/** Why a connection ended, as attributes. @internal */
export const endAttributes = (ended: ConnectionEnded.ConnectionEnded, span: Tracer.Span): void => {
  span.attribute(Attribute.reason, ended._tag)
  if (ended._tag === "ConnectionClosed") span.attribute(Attribute.closeCode, ended.closeCode)
}

/**
 * The attempt ended before READY/RESUMED (a no-op once live): its spans end with the reason,
 * as an error, or as an interruption when this side stopped it (pause, shutdown).
 *
 * @internal
 */
export const failAttempt = (
  attempt: Attempt,
  outcome: Exit.Exit<{ readonly end: ConnectionEnded.ConnectionEnded; readonly stopped: boolean }, unknown>
): Effect.Effect<void> =>
  Exit.isSuccess(outcome)
    ? endAttempt(
      attempt,
      outcome.value.stopped ? Exit.interrupt(FiberId.none) : Exit.fail(outcome.value.end),
      (connect) => endAttributes(outcome.value.end, connect)
    )
    : endAttempt(attempt, outcome)

/**
 * The attributes of a `reconnect` span: the connection that ended, and the session.
 *
 * @internal
 */
export const reconnectAttributes = (
  shard: readonly [number, number],
  attempt: number,
  healthy: boolean,
  ended: ConnectionEnded.ConnectionEnded,
  sessionId: string | undefined
): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {
    [Attribute.shardId]: shard[0],
    [Attribute.shardCount]: shard[1],
    [Attribute.attempt]: attempt,
    [Attribute.healthy]: healthy,
    [Attribute.reason]: ended._tag
  }
  if (ended._tag === "ConnectionClosed") attributes[Attribute.closeCode] = ended.closeCode
  if (sessionId !== undefined) attributes[Attribute.sessionId] = sessionId
  return attributes
}

/**
 * The attributes a `request_guild_members` span starts with (not the query: user input).
 *
 * @internal
 */
export const memberRequestAttributes = (
  shard: readonly [number, number],
  request: {
    readonly guild_id: string
    readonly limit?: number | undefined
    readonly presences?: boolean | undefined
    readonly user_ids?: string | ReadonlyArray<string> | undefined
  }
): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {
    [Attribute.shardId]: shard[0],
    [Attribute.shardCount]: shard[1],
    [Attribute.guildId]: request.guild_id
  }
  if (request.limit !== undefined) attributes[Attribute.memberLimit] = request.limit
  if (request.presences !== undefined) attributes[Attribute.memberPresences] = request.presences
  if (request.user_ids !== undefined) {
    attributes[Attribute.memberUserIds] = typeof request.user_ids === "string" ? 1 : request.user_ids.length
  }
  return attributes
}
