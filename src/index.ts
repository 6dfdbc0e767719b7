/**
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as ClusterSharding from "./ClusterSharding.js"

/**
 * @since 0.1.0
 */
export * as Commands from "./Commands.js"

/**
 * @since 0.1.0
 */
export * as Events from "./Events.js"

/**
 * @since 0.1.0
 */
export * as Gateway from "./Gateway.js"

/**
 * @since 0.1.0
 */
export * as GatewayConfig from "./GatewayConfig.js"

/**
 * @since 0.1.0
 */
export * as GatewayError from "./GatewayError.js"

/**
 * @since 0.1.0
 */
export * as GatewayEvent from "./GatewayEvent.js"

/**
 * @since 0.1.0
 */
export * as GatewayMetrics from "./GatewayMetrics.js"

/**
 * @since 0.1.0
 */
export * as GatewaySocket from "./GatewaySocket.js"

/**
 * @since 0.1.0
 */
export * as GatewayTuning from "./GatewayTuning.js"

/**
 * @since 0.1.0
 */
export * as IdentifyLimiter from "./IdentifyLimiter.js"

/**
 * @since 0.1.0
 */
export * as Intents from "./Intents.js"

/**
 * @since 0.1.0
 */
export * as SessionStore from "./SessionStore.js"

/**
 * @since 0.1.0
 */
export * as Sharding from "./Sharding.js"

/**
 * @since 0.1.0
 */
export * as SqlIdentifyLimiter from "./SqlIdentifyLimiter.js"

/**
 * @since 0.1.0
 */
export * as SqlSessionStore from "./SqlSessionStore.js"
