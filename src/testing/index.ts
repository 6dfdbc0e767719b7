/**
 * `effect-discord-gateway/testing`: the gateway simulator and fixture builders for
 * testing bots without Discord.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * from "./Simulator.js"

/**
 * Builders for Discord objects and event payloads used by the simulator.
 *
 * @since 0.1.0
 * @category fixtures
 */
export * as Fixtures from "./fixtures.js"

/**
 * Chaos mode: seeded scripts of gateway misbehaviour and a checker of the delivery guarantees.
 *
 * @since 0.1.0
 * @category chaos
 */
export * as Chaos from "./Chaos.js"
