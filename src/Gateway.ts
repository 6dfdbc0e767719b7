/**
 * One shard's connection to Discord's Gateway, as a scoped service.
 *
 * @example
 * ```ts
 * import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
 * import { Effect, Layer, Stream } from "effect"
 * import { Gateway, GatewayConfig, GatewaySocket, IdentifyLimiter, SessionStore } from "effect-discord-gateway"
 *
 * const program = Effect.gen(function*() {
 *   const gateway = yield* Gateway.Gateway
 *   yield* gateway.events.pipe(
 *     Stream.runForEach((event) =>
 *       event.type === "MESSAGE_CREATE" ? Effect.log(event.data.content) : Effect.void
 *     )
 *   )
 * })
 *
 * program.pipe(
 *   Effect.provide(Gateway.layer.pipe(
 *     Layer.provide([
 *       GatewayConfig.layerFromEnv(),
 *       GatewaySocket.layerWebSocketConstructor,
 *       NodeHttpClient.layerUndici,
 *       SessionStore.layerMemory,
 *       IdentifyLimiter.layerMemory()
 *     ])
 *   )),
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Socket from "@effect/platform/Socket"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as Subscribable from "effect/Subscribable"
import type * as Commands from "./Commands.js"
import type { KnownEventName } from "./Events.js"
import type { GatewayConfig } from "./GatewayConfig.js"
import type * as GatewayError from "./GatewayError.js"
import type { Dispatch, GatewayEvent } from "./GatewayEvent.js"
import type { IdentifyLimiter } from "./IdentifyLimiter.js"
import type * as Connection from "./internal/connection.js"
import * as internal from "./internal/gateway.js"
import type * as MemberRequests from "./internal/memberRequests.js"
import type { SessionStore } from "./SessionStore.js"

/**
 * The states of the connection state machine:
 * `Connecting → WaitingForHello → Identifying | Resuming → WaitingForReady → Ready → Disconnected`.
 *
 * @since 0.1.0
 * @category models
 */
export type GatewayStatus = Connection.Status

/**
 * The members gathered from every GUILD_MEMBERS_CHUNK answering one request.
 *
 * @since 0.1.0
 * @category models
 */
export interface GuildMembersResult extends MemberRequests.GuildMembersResult {}

/**
 * How a subscriber starts.
 *
 * @since 0.1.0
 * @category models
 */
export interface SubscribeOptions {
  /**
   * `true`: start with the replay (READY and the GUILD_CREATEs of the current session; the first
   * such subscriber gets every event delivered before it came). `false`: live events only.
   */
  readonly replay: boolean
}

/**
 * Why a command was not sent: it is too large, the gateway was shut down, or the gateway
 * stopped with a fatal error.
 *
 * @since 0.1.0
 * @category errors
 */
export type CommandError = GatewayError.PayloadTooLarge | GatewayError.GatewayClosed | GatewayError.GatewayFatalError

/**
 * The gateway of one shard. Every stream fails with the fatal error when the gateway stops for good.
 *
 * @since 0.1.0
 * @category models
 */
export interface Gateway {
  /** The shard id (`shard[0]` of the configuration). */
  readonly shard: number
  /**
   * Every dispatch event (decoded, `UNKNOWN_EVENT`, `DECODE_FAILURE`, `SESSION_LOST` markers), starting
   * with a replay whenever it is run: the first `events` subscriber gets everything delivered since the
   * gateway started; every later one gets READY and the GUILD_CREATEs of the current session (a
   * GUILD_DELETE takes its guild out; `startupReplay: "first-subscriber"` keeps nothing after the first).
   */
  readonly events: Stream.Stream<GatewayEvent, GatewayError.GatewayFatalError>
  /**
   * The same stream as `events`, subscribed at once in the current scope: no event published after
   * `subscribe` returns can be missed, however late the stream is run.
   */
  readonly subscribe: Effect.Effect<Stream.Stream<GatewayEvent, GatewayError.GatewayFatalError>, never, Scope.Scope>
  /** `subscribe` with options: `{ replay: false }` for live events only. */
  readonly subscribeWith: (
    options: SubscribeOptions
  ) => Effect.Effect<Stream.Stream<GatewayEvent, GatewayError.GatewayFatalError>, never, Scope.Scope>
  /**
   * Only the dispatch events of `types`, typed, starting with the session's READY and GUILD_CREATEs
   * when those are among `types`; it never takes the first `events` subscriber's replay. Logs one
   * warning when the configured intents cannot bring one of them (or bring messages without content).
   */
  readonly on: <K extends KnownEventName>(
    ...types: readonly [K, ...Array<K>]
  ) => Stream.Stream<Dispatch<K>, GatewayError.GatewayFatalError>
  /** The connection state: `get` for now, `changes` for every change. */
  readonly status: Subscribable.Subscribable<GatewayStatus>
  /** Waits until the gateway is READY (or RESUMED) for the first time; fails with the fatal error. */
  readonly ready: Effect.Effect<void, GatewayError.GatewayFatalError>
  /** The last heartbeat's time from send to ACK; `None` before the first ACK. */
  readonly latency: Effect.Effect<Option.Option<Duration.Duration>>
  /**
   * Payloads read from the socket but not yet published. When it reaches `inboundBufferCapacity` the
   * gateway stops reading the socket until subscribers catch up: a slow consumer costs bounded memory
   * and loses nothing.
   */
  readonly inboundBacklog: Effect.Effect<number>
  /** The current session id; `None` before READY and after the session was lost. */
  readonly sessionId: Effect.Effect<Option.Option<string>>
  /** The sequence of the last dispatch published in the current session (what Resume sends); `None` before the first. */
  readonly sequence: Effect.Effect<Option.Option<number>>
  /**
   * Sends a command (rate limited to Discord's 120 per 60 s with a reserve for heartbeats). Commands
   * wait, in order, while the gateway is disconnected.
   */
  readonly send: (command: Commands.GatewayCommand) => Effect.Effect<void, CommandError>
  /** Sends Update Presence (op 3). */
  readonly updatePresence: (presence: Commands.UpdatePresence) => Effect.Effect<void, CommandError>
  /** Sends Update Voice State (op 4). */
  readonly updateVoiceState: (voiceState: Commands.UpdateVoiceState) => Effect.Effect<void, CommandError>
  /** Sends Request Soundboard Sounds (op 31); the answers arrive as SOUNDBOARD_SOUNDS events. */
  readonly requestSoundboardSounds: (request: Commands.RequestSoundboardSounds) => Effect.Effect<void, CommandError>
  /**
   * Sends Request Guild Members (op 8) with a fresh nonce and gathers every GUILD_MEMBERS_CHUNK
   * answering it; fails with `RequestTimeout` when the answer is not complete within `timeout`.
   */
  readonly requestGuildMembers: (
    request: Omit<Commands.RequestGuildMembers, "nonce">,
    options?: { readonly timeout?: Duration.DurationInput }
  ) => Effect.Effect<GuildMembersResult, CommandError | GatewayError.RequestTimeout>
  /** Closes the connection resumably (never with 1000) and holds reconnecting until `resume`. */
  readonly pause: Effect.Effect<void>
  /** Reconnects after `pause`, resuming the session when Discord still has it. */
  readonly resume: Effect.Effect<void>
  /** Fails with the fatal error once the gateway stops for good; never succeeds. */
  readonly awaitFatal: Effect.Effect<never, GatewayError.GatewayFatalError>
}

/**
 * The gateway service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export const Gateway: Context.Tag<Gateway, Gateway> = Context.GenericTag<Gateway>("effect-discord-gateway/Gateway")

/**
 * What a gateway needs: its configuration, a WebSocket constructor, an `HttpClient` (for
 * `GET /gateway/bot` when no `gatewayUrl` is configured), a session store and an identify limiter.
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements =
  | GatewayConfig
  | Socket.WebSocketConstructor
  | HttpClient.HttpClient
  | SessionStore
  | IdentifyLimiter

/**
 * Builds a gateway in the current scope. Closing the scope ends the session
 * (close 1000), interrupts every fiber and releases the socket.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Gateway, GatewayError.GatewayFatalError, Scope.Scope | Requirements> = internal.make

/**
 * The gateway as a scoped layer (GatewayLive). By default its build waits for
 * READY, and fails with the typed error when Discord refuses the connection for good.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Gateway, GatewayError.GatewayFatalError, Requirements> = Layer.scoped(Gateway, make)
