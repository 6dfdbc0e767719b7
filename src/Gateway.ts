/**
 * One shard's connection to Discord's Gateway, as a scoped service.
 *
 * @example
 * ```ts
 * import { NodeRuntime } from "@effect/platform-node"
 * import { Effect, Layer, Stream } from "effect"
 * import { Gateway, GatewayConfig, GatewaySocket } from "effect-discord-gateway"
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
 *     Layer.provide(GatewayConfig.layerConfig()),
 *     Layer.provide(GatewaySocket.layerWebSocketConstructor)
 *   )),
 *   NodeRuntime.runMain
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as Socket from "@effect/platform/Socket"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { GatewayConfig } from "./GatewayConfig.js"
import type { GatewayFatalError } from "./GatewayError.js"
import type * as Connection from "./internal/connection.js"
import * as internal from "./internal/gateway.js"

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
export type GuildMembersResult = internal.GuildMembersResult

/**
 * What the gateway offers:
 * - `events`: every dispatch event as a `Stream` (decoded, unknown, decode failures, session-lost markers).
 *   It starts with a replay, whoever subscribed before: the first `events` subscriber gets everything
 *   delivered since the gateway started; every later one gets READY and the GUILD_CREATEs of the current
 *   session (a GUILD_DELETE takes its guild out; `startupReplay: "first-subscriber"` keeps nothing after
 *   the first). Fails with the fatal error when the gateway stops for good.
 * - `subscribe`: the same stream, subscribed at once in the current scope (no event published after
 *   `subscribe` returns can be missed, however late the stream is run); `subscribeWith({ replay: false })`
 *   for live events only.
 * - `on(...types)`: only those dispatch events, typed, starting with the session's READY and GUILD_CREATEs
 *   when those are among `types`; it never takes the first `events` subscriber's replay. Logs one warning
 *   when the configured intents cannot bring one of them (or when messages will arrive without content);
 * - `status` (read-only: `get` and `changes`), `latency` (heartbeat send→ACK), `sessionId`, `sequence`, `inboundBacklog` (payloads read
 *   but not yet published: when it reaches `inboundBufferCapacity` the gateway stops reading the socket
 *   until subscribers catch up, so a slow consumer costs bounded memory and loses nothing);
 * - commands: `send`, `updatePresence`, `updateVoiceState`, `requestGuildMembers`, `requestSoundboardSounds`
 *   (rate limited to Discord's 120 per 60 s with a reserve for heartbeats; they wait, in order, while disconnected);
 * - `pause` (close resumably, keep the session) and `resume`.
 *
 * @since 0.1.0
 * @category models
 */
export interface GatewayShape extends internal.GatewayShape {}

/**
 * The gateway service.
 *
 * @since 0.1.0
 * @category tags
 */
export class Gateway extends Context.Tag("effect-discord-gateway/Gateway")<Gateway, GatewayShape>() {}

/**
 * Builds a gateway in the current scope. Closing the scope ends the session
 * (close 1000), interrupts every fiber and releases the socket.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<
  GatewayShape,
  GatewayFatalError,
  Scope.Scope | GatewayConfig | Socket.WebSocketConstructor
> = internal.make

/**
 * The gateway as a scoped layer (GatewayLive). By default its build waits for
 * READY, and fails with the typed error when Discord refuses the connection for good.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Gateway, GatewayFatalError, GatewayConfig | Socket.WebSocketConstructor> = Layer
  .scoped(Gateway, make)
