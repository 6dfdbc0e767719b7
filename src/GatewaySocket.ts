/**
 * The WebSocket the gateway opens, for Node: `ws` with a `User-Agent` header.
 *
 * Discord does not need one, but other servers that speak its protocol may refuse a connection
 * without it (Spacebar closes with 4002, "User-Agent header is required"), and Node 20's only
 * WebSocket, `ws`, sends none by default. `NodeSocket.layerWebSocketConstructor` from
 * `@effect/platform-node` works as well wherever that is no concern.
 *
 * @since 0.1.0
 */
import * as Socket from "@effect/platform/Socket"
import * as Layer from "effect/Layer"
import * as WS from "ws"

/**
 * The `User-Agent` sent when connecting, in the form Discord asks of HTTP clients:
 * `DiscordBot ($url, $version)`.
 *
 * @since 0.1.0
 * @category constants
 */
export const userAgent = "DiscordBot (https://www.npmjs.com/package/effect-discord-gateway, 0.1.0)"

/**
 * A `Socket.WebSocketConstructor` on `ws` that sends `userAgent` (or the given one).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWebSocketConstructor = (options?: { readonly userAgent?: string | undefined }) =>
(url: string, protocols?: string | Array<string> | undefined): globalThis.WebSocket =>
  new WS.WebSocket(url, protocols, {
    headers: { "User-Agent": options?.userAgent ?? userAgent }
  }) as unknown as globalThis.WebSocket

/**
 * The gateway's sockets on `ws`, with a `User-Agent` header.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { Gateway, GatewayConfig, GatewaySocket, IdentifyLimiter, SessionStore } from "effect-discord-gateway"
 *
 * // Layer<Gateway, GatewayFatalError | ConfigError>: nothing left to provide
 * const GatewayLive = Gateway.layer.pipe(
 *   Layer.provide([
 *     GatewayConfig.layerFromEnv(),
 *     GatewaySocket.layerWebSocketConstructor,
 *     NodeHttpClient.layerUndici,
 *     SessionStore.layerMemory,
 *     IdentifyLimiter.layerMemory()
 *   ])
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWebSocketConstructor: Layer.Layer<Socket.WebSocketConstructor> = Layer.succeed(
  Socket.WebSocketConstructor,
  makeWebSocketConstructor()
)
