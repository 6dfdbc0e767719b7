import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Gateway from "../src/Gateway.js"
import * as GatewayConfig from "../src/GatewayConfig.js"
import { Simulator, type SimulatorOptions } from "../src/testing/Simulator.js"

export const token = "test-token"

/** The gateway config pointing at the simulator in the context. */
export const configFor = (options: Partial<GatewayConfig.GatewayConfigOptions> = {}) =>
  Layer.unwrapEffect(
    Effect.map(Simulator, (sim) => GatewayConfig.layer({ token, gatewayUrl: sim.url, ...options }))
  )

/** An in-memory simulator plus a gateway connected to it (the layer's build waits for READY unless told otherwise). */
export const gatewayOn = (
  simulator: SimulatorOptions = {},
  config: Partial<GatewayConfig.GatewayConfigOptions> = {}
) =>
  Gateway.layer.pipe(
    Layer.provide(configFor(config)),
    Layer.provideMerge(Simulator.layerMemory({ token, ...simulator }))
  )

/** Just the simulator and a config; build the gateway yourself with `Gateway.make`. */
export const simulatorWith = (
  simulator: SimulatorOptions = {},
  config: Partial<GatewayConfig.GatewayConfigOptions> = {}
) => Layer.provideMerge(configFor(config), Simulator.layerMemory({ token, ...simulator }))
