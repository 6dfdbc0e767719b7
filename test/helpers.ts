import { assert } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestServices from "effect/TestServices"
import * as Gateway from "../src/Gateway.js"
import * as GatewayConfig from "../src/GatewayConfig.js"
import * as IdentifyLimiter from "../src/IdentifyLimiter.js"
import * as SessionStore from "../src/SessionStore.js"
import {
  type ClientPayload,
  type OpenedConnection,
  Simulator,
  type SimulatorOptions
} from "../src/testing/Simulator.js"

export const token = "test-token"

/** The gateway config pointing at the simulator in the context. */
export const configFor = (options: Partial<GatewayConfig.GatewayConfigOptions> = {}) =>
  Layer.unwrapEffect(
    Effect.map(Simulator, (sim) => GatewayConfig.layer({ token, gatewayUrl: sim.url, ...options }))
  )

/** The default services a gateway needs besides config, socket and HTTP: in-memory session store and limiter. */
export const defaults = Layer.merge(SessionStore.layerMemory, IdentifyLimiter.layerMemory())

/** An in-memory simulator plus a gateway connected to it (the layer's build waits for READY unless told otherwise). */
export const gatewayOn = (
  simulator: SimulatorOptions = {},
  config: Partial<GatewayConfig.GatewayConfigOptions> = {}
) =>
  Gateway.layer.pipe(
    Layer.provide(Layer.merge(configFor(config), defaults)),
    Layer.provideMerge(Simulator.layerMemory({ token, ...simulator }))
  )

/** Just the simulator and a config; build the gateway yourself with `Gateway.make`. */
export const simulatorWith = (
  simulator: SimulatorOptions = {},
  config: Partial<GatewayConfig.GatewayConfigOptions> = {}
) => Layer.provideMerge(Layer.merge(configFor(config), defaults), Simulator.layerMemory({ token, ...simulator }))

/**
 * Fails with `what` if `self` has not completed within `duration` of real time. The simulator's
 * `take*` wait for the client without using time, so a regression where the client never sends
 * would hang until vitest's 30 s limit; and a timeout on the TestClock would fire only when the
 * test moves the clock. So the timer runs on the live clock, and `self` on the test services.
 */
export const withinRealTime = (what: string, duration: Duration.DurationInput = "5 seconds") =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | Error, R> =>
  TestServices.provideWithLive(self, Effect.timeoutFail({
    duration,
    onTimeout: () => new Error(`${what} within ${Duration.format(duration)} (real time)`)
  }))

/** The client's next not-yet-taken payload with `op`, or a failure after 5 s of real time. */
export const nextPayload = (sim: Simulator, op: number): Effect.Effect<ClientPayload, Error> =>
  sim.takePayload(op).pipe(withinRealTime(`the client sent no payload with op ${op}`))

/** The next not-yet-taken connection the client opened, or a failure after 5 s of real time. */
export const nextConnection = (sim: Simulator): Effect.Effect<OpenedConnection, Error> =>
  sim.takeConnection.pipe(withinRealTime("the client opened no connection"))

/**
 * After the connection `first` broke: the client opens a new connection and resumes the session
 * on it from READY (1) and GUILD_CREATE (2), without identifying again.
 */
export const expectResume = (sim: Simulator, first: OpenedConnection) =>
  Effect.gen(function*() {
    const second = yield* nextConnection(sim)
    assert.notStrictEqual(second.connection, first.connection)
    const resume = yield* nextPayload(sim, 6)
    const [session] = yield* sim.sessions
    assert.strictEqual(resume.op, 6)
    assert.strictEqual(resume.connection, second.connection)
    assert.deepStrictEqual(resume.d, { token, session_id: session!.id, seq: 2 })
    assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 2).length, 1)
  })
