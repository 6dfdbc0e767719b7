/**
 * An in-process Discord Gateway v10 server for tests, demos and benchmarks. It speaks
 * the real protocol (Hello, Identify, Resume, heartbeats, zlib-stream, close codes,
 * rate limits) either in memory, where Effect's `Clock` drives its timing rules, or
 * on a real localhost WebSocket.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as Socket from "@effect/platform/Socket"
import * as PlatformSocket from "@effect/platform/Socket"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Intents from "../Intents.js"
import * as Fixtures from "./fixtures.js"
import { Engine, type EngineOptions } from "./internal/engine.js"
import * as MemoryHttp from "./internal/memoryHttp.js"
import { memoryWebSocketConstructor } from "./internal/memorySocket.js"
import * as WsHost from "./internal/wsHost.js"

/**
 * How the simulated gateway behaves. Every field has a default.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimulatorOptions {
  /** The bot token Identify and Resume must carry. Default `"test-token"`. */
  readonly token?: string | undefined
  /** The `heartbeat_interval` sent in Hello, in milliseconds. Default 41 250. */
  readonly heartbeatInterval?: number | undefined
  /** Whether heartbeats are acknowledged with op 11. Default `true`. */
  readonly ackHeartbeats?: boolean | undefined
  /** How many guilds the bot is in, or their ids. Default 1. */
  readonly guilds?: number | ReadonlyArray<string> | undefined
  /** The size of each simulated guild. */
  readonly guildOptions?: {
    readonly channels?: number | undefined
    readonly roles?: number | undefined
    readonly members?: number | undefined
    readonly presences?: boolean | number | undefined
  } | undefined
  /** The privileged intents the application is approved for. Default: all of them. */
  readonly allowedPrivilegedIntents?: number | undefined
  /** The shard count below which Identify is closed with 4011. Default: no requirement. */
  readonly requiredShards?: number | undefined
  /** `max_concurrency`: identify rate-limit buckets per 5 seconds. Default 1. */
  readonly maxConcurrency?: number | undefined
  /** The recommended shard count `GET /gateway/bot` returns. Default 1. */
  readonly shards?: number | undefined
  /** The `session_start_limit` at start (Identify spends from it). Default total 1000, remaining 1000, reset after a day. */
  readonly sessionStartLimit?: {
    readonly total: number
    readonly remaining: number
    readonly resetAfter: number
  } | undefined
  /**
   * READY's `resume_gateway_url`; a path (`"/resume"`) is resolved against the simulator's URL.
   * Default: the simulator's URL.
   */
  readonly resumeUrl?: string | undefined
  /** How long a disconnected session stays resumable, in milliseconds. Default 180 000. */
  readonly sessionTimeoutMs?: number | undefined
  /**
   * The sequence of a session's first dispatch (READY). Discord starts at 1; other servers that
   * speak the protocol start at 0 (Spacebar). Default 1.
   */
  readonly firstSequence?: 0 | 1 | undefined
  /**
   * Whether heartbeats count toward the 120 payloads per 60 s after which the simulator closes
   * with 4008. Discord counts every payload; a test server that asks for heartbeats every second
   * may not. Default `true`.
   */
  readonly countHeartbeats?: boolean | undefined
  /**
   * Send each zlib-stream message in two or three WebSocket frames. Default `false`. zstd-stream
   * (which the simulator speaks where node:zlib has zstd, Node 22.15 and later) always sends one
   * message per frame, as Discord does.
   */
  readonly splitCompressedFrames?: boolean | undefined
  /** The port to listen on when served; 0 picks a free one. Default 0. */
  readonly port?: number | undefined
}

/**
 * A payload the client sent, as the simulator received it.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientPayload {
  /** The connection it arrived on (numbered from 1). */
  readonly connection: number
  /** Its opcode. */
  readonly op: number
  /** Its data. */
  readonly d: unknown
  /** When it arrived, by the simulator's clock (ms). */
  readonly at: number
}

/**
 * A close frame the client sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientClose {
  /** The connection the client closed. */
  readonly connection: number
  /** The close code the client sent. */
  readonly code: number
  /** The close reason the client sent. */
  readonly reason: string
}

/**
 * A connection the client opened, with the URL it used.
 *
 * @since 0.1.0
 * @category models
 */
export interface OpenedConnection {
  /** The connection number (from 1). */
  readonly connection: number
  /** The URL the client opened, with its query string. */
  readonly url: string
}

/**
 * A session as the simulator knows it: every dispatch ever assigned to it.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimulatedSession {
  /** The session id. */
  readonly id: string
  /** The shard it identified as. */
  readonly shard: readonly [number, number] | undefined
  /** Every dispatch sent in the session, in order: the ground truth. */
  readonly log: ReadonlyArray<{ readonly s: number; readonly t: string; readonly d: unknown }>
}

/**
 * Which connection a control acts on. Default: the newest live connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface ControlTarget {
  /** The connection to act on; default the latest live one. */
  readonly connection?: number | undefined
}

/**
 * Observations of what the client did, and controls that make the gateway misbehave
 * the ways Discord does. A control with no live connection does nothing.
 *
 * @since 0.1.0
 * @category models
 */
export interface Simulator {
  /** The gateway URL, without query string: `ws://127.0.0.1:PORT` when served, `ws://simulator.memory` in memory. */
  readonly url: string
  /** The HTTP origin serving `GET /api/v10/gateway/bot` (in memory: `memoryHttpUrl`, served by the layer's `HttpClient`). */
  readonly httpUrl: string
  /** `httpUrl` + `/api/v10`: the API base URL to give the client. */
  readonly apiBaseUrl: string
  /** Every payload received so far, in arrival order. */
  readonly payloads: Effect.Effect<ReadonlyArray<ClientPayload>>
  /** The next not-yet-taken payload with this op; waits (without using time) until one arrives. One cursor per op. */
  readonly takePayload: (op: number) => Effect.Effect<ClientPayload>
  /** The next not-yet-taken close frame sent by the client. */
  readonly takeClose: Effect.Effect<ClientClose>
  /** The next not-yet-taken connection the client opened. */
  readonly takeConnection: Effect.Effect<OpenedConnection>
  /** Every close frame the client sent so far. */
  readonly closes: Effect.Effect<ReadonlyArray<ClientClose>>
  /** Every connection opened so far. */
  readonly connections: Effect.Effect<ReadonlyArray<OpenedConnection>>
  /** The ids of the connections open now, oldest first (for `ControlTarget`). */
  readonly liveConnections: Effect.Effect<ReadonlyArray<number>>
  /**
   * Dispatches a guild's event as Discord routes it: to every live session whose shard
   * owns the guild (`(guild_id >> 22) % num_shards`). Returns how many sessions got it.
   */
  readonly dispatchGuild: (t: string, d: unknown, guildId: string) => Effect.Effect<number>
  /** Dispatches an event to a session (default: the newest) and returns its `s` (0 when there is no session). */
  readonly dispatch: (
    t: string,
    d: unknown,
    options?: { readonly session?: string | undefined }
  ) => Effect.Effect<number>
  /** Sends op 7 Reconnect. */
  readonly reconnect: Effect.Effect<void>
  /** Sends op 9 Invalid Session; `false` also ends the session. */
  readonly invalidSession: (resumable: boolean, target?: ControlTarget) => Effect.Effect<void>
  /** Closes the connection with this code (4007 and 4009 also end its session). */
  readonly close: (code: number, reason?: string, target?: ControlTarget) => Effect.Effect<void>
  /** Drops the connection without a close frame (the client sees 1006). */
  readonly drop: Effect.Effect<void>
  /** Drops one connection (`drop` drops the newest) without a close frame. */
  readonly dropConnection: (target: ControlTarget) => Effect.Effect<void>
  /** Sends op 1, asking the client to heartbeat now. */
  readonly requestHeartbeat: Effect.Effect<void>
  /** Switches op 11 Heartbeat ACKs off or on. */
  readonly setAckHeartbeats: (ack: boolean) => Effect.Effect<void>
  /** Sends a frame as is, bypassing JSON and compression. */
  readonly sendRaw: (frame: string | Uint8Array, target?: ControlTarget) => Effect.Effect<void>
  /** Invalidates every session: later resumes get op 9 `false`. */
  readonly invalidateSessions: Effect.Effect<void>
  /**
   * Holds every outbound frame (of live and new connections) while `true`, like a
   * congested network; `false` sends the held frames, in order. A drop discards them.
   */
  readonly holdFrames: (held: boolean) => Effect.Effect<void>
  /** Demands a shard count: identifies with fewer shards are closed with 4011. */
  readonly setRequiredShards: (count: number | undefined) => Effect.Effect<void>
  /** Closes every new connection with this code before Hello, like an outage; `undefined` accepts them again. */
  readonly refuseConnections: (code: number | undefined) => Effect.Effect<void>
  /** Stalls the handshake of later connections: no Hello (`"hello"`), or no answer to Identify/Resume (`"ready"`). */
  readonly stall: (phase: "hello" | "ready" | undefined) => Effect.Effect<void>
  /** Every session and its ground-truth dispatch log. */
  readonly sessions: Effect.Effect<ReadonlyArray<SimulatedSession>>
  /**
   * The WebSocket payload bytes of every frame sent so far, on every connection (text frames
   * counted as UTF-8, frame headers not counted): what a transport costs on the wire.
   */
  readonly bytesSent: Effect.Effect<number>
}

/**
 * The simulated gateway, as a service.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Simulator } from "effect-discord-gateway/testing"
 *
 * const program = Effect.gen(function* () {
 *   const sim = yield* Simulator
 *   const identify = yield* sim.takePayload(2)
 *   yield* sim.close(4000, "try again")
 * }).pipe(Effect.provide(Simulator.layerMemory({ guilds: 3 })))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const Simulator: Context.Tag<Simulator, Simulator> & {
  /** {@link layerMemory}. */
  readonly layerMemory: typeof layerMemory
  /** {@link layerServe}. */
  readonly layerServe: typeof layerServe
} = Object.assign(Context.GenericTag<Simulator>("effect-discord-gateway/testing/Simulator"), {
  layerMemory: (options?: SimulatorOptions) => layerMemory(options),
  layerServe: (options?: SimulatorOptions) => layerServe(options)
})

/**
 * An in-memory simulator plus the `Socket.WebSocketConstructor` that connects to it.
 * Its clock is Effect's `Clock`, so `TestClock` drives rate limits, identify buckets
 * and session timeouts.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (
  options?: SimulatorOptions
): Layer.Layer<Simulator | Socket.WebSocketConstructor | HttpClient.HttpClient> =>
  Layer.scopedContext(
    Effect.map(makeMemory(options), ({ httpClient, shape, webSocketConstructor }) =>
      Context.make(Simulator, shape).pipe(
        Context.add(PlatformSocket.WebSocketConstructor, webSocketConstructor),
        Context.add(HttpClient.HttpClient, httpClient)
      ))
  )

/**
 * A simulator served on a real WebSocket at 127.0.0.1. Closing the scope closes the
 * server and every connection.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServe = (options?: SimulatorOptions): Layer.Layer<Simulator> =>
  Layer.scoped(Simulator, Effect.map(serve(options), ({ shape }) => shape))

/**
 * The URL of the in-memory simulator.
 *
 * @since 0.1.0
 * @category constants
 */
export const memoryUrl = "ws://simulator.memory"

/**
 * The HTTP origin of the in-memory simulator: its `HttpClient` answers
 * `GET /api/v10/gateway/bot` there.
 *
 * @since 0.1.0
 * @category constants
 */
export const memoryHttpUrl = "http://simulator.memory"

const guildIds = (guilds: number | ReadonlyArray<string> | undefined): ReadonlyArray<string> =>
  typeof guilds === "object"
    ? guilds
    // Consecutive snowflakes land on consecutive shards by `(id >> 22) % num_shards`
    : Array.from({ length: guilds ?? 1 }, (_, i) => Fixtures.snowflake(100 + i))

const engineOptions = (options: SimulatorOptions | undefined, url: string, now: () => number): EngineOptions => ({
  url,
  now,
  token: options?.token ?? "test-token",
  heartbeatInterval: options?.heartbeatInterval ?? 41_250,
  ackHeartbeats: options?.ackHeartbeats ?? true,
  guilds: guildIds(options?.guilds),
  guildOptions: {
    ...(options?.guildOptions?.channels === undefined ? {} : { channels: options.guildOptions.channels }),
    ...(options?.guildOptions?.roles === undefined ? {} : { roles: options.guildOptions.roles }),
    ...(options?.guildOptions?.members === undefined ? {} : { members: options.guildOptions.members }),
    ...(options?.guildOptions?.presences === undefined ? {} : { presences: options.guildOptions.presences })
  },
  allowedPrivilegedIntents: options?.allowedPrivilegedIntents ?? Intents.privileged,
  requiredShards: options?.requiredShards,
  maxConcurrency: options?.maxConcurrency ?? 1,
  shards: options?.shards ?? 1,
  sessionStartLimit: {
    total: options?.sessionStartLimit?.total ?? 1000,
    remaining: options?.sessionStartLimit?.remaining ?? 1000,
    resetAfter: options?.sessionStartLimit?.resetAfter ?? 86_400_000
  },
  resumeUrl: options?.resumeUrl,
  sessionTimeoutMs: options?.sessionTimeoutMs ?? 180_000,
  firstSequence: options?.firstSequence ?? 1,
  countHeartbeats: options?.countHeartbeats ?? true,
  splitCompressedFrames: options?.splitCompressedFrames ?? false
})

/** Waits for the next item after `cursor` matching `match`, without using time. */
const take = <A>(
  engine: Engine,
  items: ReadonlyArray<A>,
  cursor: { index: number },
  match: (a: A) => boolean
): Effect.Effect<A> =>
  Effect.async<A>((resume) => {
    const attempt = (): boolean => {
      for (let i = cursor.index; i < items.length; i++) {
        const item = items[i]!
        if (match(item)) {
          cursor.index = i + 1
          resume(Effect.succeed(item))
          return true
        }
      }
      cursor.index = items.length
      return false
    }
    if (attempt()) return
    const unsubscribe = engine.subscribe(() => {
      if (attempt()) unsubscribe()
    })
    return Effect.sync(unsubscribe)
  })

const makeShape = (engine: Engine, url: string, httpUrl: string): Simulator => {
  const payloadCursors = new Map<number, { index: number }>()
  const closeCursor = { index: 0 }
  const connectionCursor = { index: 0 }
  return {
    url,
    httpUrl,
    apiBaseUrl: `${httpUrl}/api/v10`,
    payloads: Effect.sync(() => [...engine.payloads]),
    takePayload: (op) =>
      Effect.suspend(() => {
        let cursor = payloadCursors.get(op)
        if (cursor === undefined) {
          cursor = { index: 0 }
          payloadCursors.set(op, cursor)
        }
        return take(engine, engine.payloads, cursor, (p) => p.op === op)
      }),
    takeClose: Effect.suspend(() => take(engine, engine.closes, closeCursor, () => true)),
    takeConnection: Effect.suspend(() => take(engine, engine.connections, connectionCursor, () => true)),
    closes: Effect.sync(() => [...engine.closes]),
    connections: Effect.sync(() => [...engine.connections]),
    liveConnections: Effect.sync(() => engine.liveConnectionIds()),
    dispatch: (t, d, options) => Effect.sync(() => engine.dispatch(t, d, options?.session)),
    dispatchGuild: (t, d, guildId) => Effect.sync(() => engine.dispatchGuild(t, d, guildId)),
    reconnect: Effect.sync(() => engine.reconnect()),
    invalidSession: (resumable, target) => Effect.sync(() => engine.invalidSession(resumable, target?.connection)),
    close: (code, reason, target) => Effect.sync(() => engine.close(code, reason ?? "", target?.connection)),
    drop: Effect.sync(() => engine.drop()),
    dropConnection: (target) => Effect.sync(() => engine.drop(target.connection)),
    requestHeartbeat: Effect.sync(() => engine.requestHeartbeat()),
    setAckHeartbeats: (ack) =>
      Effect.sync(() => {
        engine.ackHeartbeats = ack
      }),
    sendRaw: (frame, target) => Effect.sync(() => engine.sendRaw(frame, target?.connection)),
    invalidateSessions: Effect.sync(() => engine.invalidateSessions()),
    holdFrames: (held) => Effect.sync(() => engine.holdFrames(held)),
    setRequiredShards: (count) =>
      Effect.sync(() => {
        engine.requiredShards = count
      }),
    stall: (phase) =>
      Effect.sync(() => {
        engine.stall = phase
      }),
    refuseConnections: (code) =>
      Effect.sync(() => {
        engine.refuseWith = code
      }),
    sessions: Effect.sync(() => engine.sessions()),
    bytesSent: Effect.sync(() => engine.bytesSent)
  }
}

/**
 * Builds an in-memory simulator and the WebSocket constructor that reaches it. The
 * scope's end drops every connection.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (options?: SimulatorOptions): Effect.Effect<
  {
    readonly shape: Simulator
    readonly webSocketConstructor: (url: string, protocols?: string | Array<string> | undefined) => WebSocket
    /** Answers `GET /api/v10/gateway/bot` at `apiBaseUrl`. */
    readonly httpClient: HttpClient.HttpClient
  },
  never,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const clock = yield* Effect.clock
    const engine = new Engine(engineOptions(options, memoryUrl, () => clock.unsafeCurrentTimeMillis()))
    yield* Effect.addFinalizer(() => Effect.sync(() => engine.shutdown()))
    const connect = memoryWebSocketConstructor(engine)
    // The memory socket implements the part of the DOM interface `Socket.fromWebSocket` uses
    const webSocketConstructor = (url: string): WebSocket => connect(url) as unknown as WebSocket
    const httpClient = MemoryHttp.make({ token: options?.token ?? "test-token", gatewayBot: () => engine.gatewayBot() })
    return { shape: makeShape(engine, memoryUrl, memoryHttpUrl), webSocketConstructor, httpClient }
  })

/**
 * Serves a simulator on 127.0.0.1 (WebSocket gateway and `GET /api/v10/gateway/bot`).
 * The scope's end closes the server and every connection.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve = (options?: SimulatorOptions): Effect.Effect<
  { readonly shape: Simulator; readonly port: number },
  never,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const clock = yield* Effect.clock
    const token = options?.token ?? "test-token"
    let engine: Engine | undefined
    const host = yield* Effect.acquireRelease(
      Effect.promise(() => WsHost.start(options?.port ?? 0, token, () => engine?.gatewayBot())),
      (host) => Effect.promise(() => host.stop())
    )
    engine = new Engine(engineOptions(options, host.url, () => clock.unsafeCurrentTimeMillis()))
    host.attach(engine)
    yield* Effect.addFinalizer(() => Effect.sync(() => engine.shutdown()))
    return { shape: makeShape(engine, host.url, host.httpUrl), port: host.port }
  })
