import { NodeHttpClient, NodeSocket } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as util from "node:util"
import * as Gateway from "../src/Gateway.js"
import * as GatewayConfig from "../src/GatewayConfig.js"
import * as Intents from "../src/Intents.js"
import { Simulator } from "../src/testing/Simulator.js"
import { defaults } from "./helpers.js"

// Distinctive, so a hit can only be the token itself. Both the right token and a
// wrong one the client sends are secrets.
const secret = "MTA1NzQ2.GhOst-S3cret_tOk3n.unit-test-0123456789"
const wrongSecret = "MTA1NzQ2.WrOng-S3cret_tOk3n.unit-test-9876543210"
const secrets = [secret, wrongSecret, "GhOst-S3cret", "WrOng-S3cret"]

/** Every rendering of every log line: default, logfmt, JSON, structured, the raw message, its cause and annotations. */
const makeCapture = () => {
  const lines: Array<string> = []
  const logger = Logger.make<unknown, void>((options) => {
    lines.push(
      Logger.stringLogger.log(options),
      Logger.logfmtLogger.log(options),
      Logger.jsonLogger.log(options),
      util.inspect(Logger.structuredLogger.log(options), { depth: null }),
      util.inspect(options.message, { depth: null, showHidden: true }),
      Cause.pretty(options.cause, { renderErrorCause: true }),
      util.inspect(options.cause, { depth: null }),
      util.inspect(options.annotations, { depth: null })
    )
  })
  const layer = Layer.merge(Logger.replace(Logger.defaultLogger, logger), Logger.minimumLogLevel(LogLevel.All))
  return { lines, layer }
}

/** Every way a user might print an error or a value. */
const renderings = (value: unknown): ReadonlyArray<string> => {
  const out = [
    String(value),
    util.inspect(value, { depth: null, showHidden: true }),
    util.format("%o", value),
    (() => {
      try {
        return JSON.stringify(value) ?? ""
      } catch (error) {
        return `JSON.stringify threw: ${String(error)}`
      }
    })()
  ]
  if (value instanceof Error) out.push(value.message, value.stack ?? "", Cause.pretty(Cause.fail(value)))
  return out
}

const assertNoToken = (texts: ReadonlyArray<string>, where: string) => {
  for (const text of texts) {
    for (const s of secrets) {
      if (text.includes(s)) assert.fail(`the token appears in ${where}: ${text.slice(0, 2000)}`)
    }
  }
}

const configFor = (token: string, options: Partial<GatewayConfig.GatewayConfigOptions> = {}) =>
  Layer.unwrapEffect(Effect.map(Simulator, (sim) => GatewayConfig.layer({ token, gatewayUrl: sim.url, ...options })))

describe("the token never appears in logs, errors or printed config", () => {
  it.scoped("identify, resume, op 9, zombie, handshake timeout, bad frames, a too-large command, a request timeout, then close 4004", () => {
    const capture = makeCapture()
    return Effect.gen(function*() {
      const sim = yield* Simulator
      const rendered: Array<string> = []
      const gateway = yield* Gateway.make
      const stream = yield* gateway.subscribe
      const failure = yield* stream.pipe(Stream.runDrain, Effect.flip, Effect.fork)
      yield* sim.takePayload(2)
      // Resume after a drop.
      yield* sim.drop
      yield* sim.takePayload(6)
      // A refused session: op 9 false, identify again after 1-5 s.
      yield* sim.invalidSession(false)
      yield* TestClock.adjust("6 seconds")
      yield* sim.takePayload(2)
      // A zombie connection: no ACK, close 4000, resume.
      yield* sim.setAckHeartbeats(false)
      yield* TestClock.adjust("3 seconds")
      yield* sim.setAckHeartbeats(true)
      yield* sim.takePayload(6)
      // No READY/RESUMED in time: HandshakeTimeout.
      yield* sim.stall("ready")
      yield* sim.close(4000)
      yield* TestClock.adjust("6 seconds")
      yield* sim.stall(undefined)
      yield* TestClock.adjust("1 minute")
      // Frames the client must log and ignore, and an event that fails its Schema.
      yield* sim.sendRaw("not json")
      yield* sim.sendRaw(JSON.stringify({ op: "0" }))
      yield* sim.dispatch("MESSAGE_DELETE", { id: 5 })
      // A command over 4096 bytes fails with PayloadTooLarge.
      const tooLarge = yield* Effect.flip(gateway.updatePresence({
        since: null,
        activities: [{ name: "x".repeat(5000), type: 0 }],
        status: "online",
        afk: false
      }))
      rendered.push(...renderings(tooLarge))
      // A request nobody answers fails with RequestTimeout.
      const timedOut = yield* Effect.fork(Effect.flip(gateway.requestGuildMembers(
        { guild_id: "1", query: "", limit: 0 },
        { timeout: "2 seconds" }
      )))
      yield* TestClock.adjust("3 seconds")
      const requestTimeout = yield* Fiber.join(timedOut)
      assert.strictEqual(requestTimeout._tag, "RequestTimeout")
      rendered.push(...renderings(requestTimeout))
      yield* TestClock.adjust("1 second")
      // Fatal: Discord rejects the token.
      yield* sim.close(4004, "Authentication failed.")
      const fatal = yield* Fiber.join(failure)
      assert.strictEqual(fatal._tag, "AuthenticationFailed")
      rendered.push(...renderings(fatal))
      const commandError = yield* Effect.flip(gateway.updatePresence({
        since: null,
        activities: [],
        status: "online",
        afk: false
      }))
      rendered.push(...renderings(commandError))
      // The simulator saw the token (the test is real), the client never printed it.
      const identify = (yield* sim.payloads).find((p) => p.op === 2)
      assert.strictEqual((identify?.d as { token?: unknown }).token, secret)
      assert.isAtLeast((yield* sim.payloads).filter((p) => p.op === 6).length, 2)
      assert.isAtLeast(capture.lines.length, 20)
      assert.isTrue(capture.lines.some((line) => line.includes("4004")), "the fatal close is logged")
      assertNoToken(capture.lines, "a log line")
      assertNoToken(rendered, "a printed error")
    }).pipe(
      Effect.provide(configFor(secret, {
        readyTimeout: "5 seconds",
        reconnectSchedule: Schedule.spaced("1 second")
      })),
      Effect.provide(defaults), Effect.provide(Simulator.layerMemory({ token: secret, guilds: 1, heartbeatInterval: 1000 })),
      Effect.provide(capture.layer),
      Effect.withRandom(Random.fixed([0.5]))
    )
  })

  const buildFailures = [
    ["a wrong token (close 4004)", { token: secret }, { token: wrongSecret }, "AuthenticationFailed"],
    [
      "a disallowed intent (close 4014)",
      { token: secret, allowedPrivilegedIntents: 0 },
      { token: secret, intents: Intents.fromNames("Guilds", "MessageContent") },
      "DisallowedIntents"
    ],
    [
      "refused connections until the schedule gives up (ReconnectExhausted)",
      { token: secret },
      { token: secret, reconnectSchedule: Schedule.recurs(2) },
      "ReconnectExhausted"
    ]
  ] as const
  for (const [name, simulator, client, tag] of buildFailures) {
    it.scoped(`a failed build: ${name}`, () => {
      const capture = makeCapture()
      return Effect.gen(function*() {
        const sim = yield* Simulator
        if (tag === "ReconnectExhausted") yield* sim.refuseConnections(4000)
        const fiber = yield* Effect.fork(Effect.exit(Effect.scoped(Gateway.make.pipe(
          Effect.provide(GatewayConfig.layer({ ...client, gatewayUrl: sim.url }))
        ))))
        yield* TestClock.adjust("1 minute")
        const exit = yield* Fiber.join(fiber)
        if (!Exit.isFailure(exit)) return assert.fail("expected the build to fail")
        const error = Cause.failureOption(exit.cause)
        assert.strictEqual(error._tag === "Some" ? error.value._tag : "none", tag)
        assertNoToken([...renderings(exit), Cause.pretty(exit.cause), ...renderings(exit.cause)], "a printed exit")
        if (error._tag === "Some") assertNoToken(renderings(error.value), "a printed error")
        assertNoToken(capture.lines, "a log line")
      }).pipe(
        Effect.provide(defaults), Effect.provide(Simulator.layerMemory({ ...simulator, guilds: 1 })),
        Effect.provide(capture.layer)
      )
    })
  }

  it.live("GET /gateway/bot: a 401 and an unreachable API (over real HTTP)", () => {
    const capture = makeCapture()
    return Effect.gen(function*() {
      const sim = yield* Simulator
      const build = (token: string, apiBaseUrl: string) =>
        Effect.exit(Effect.scoped(Gateway.make.pipe(
          Effect.provide(GatewayConfig.layer({ token, apiBaseUrl })),
          Effect.provide(NodeSocket.layerWebSocketConstructor),
          Effect.provide(NodeHttpClient.layerUndici)
        )))
      const unauthorized = yield* build(wrongSecret, sim.apiBaseUrl)
      // Port 9 (discard) on localhost: nothing listens, the request fails at once.
      const unreachable = yield* build(secret, "http://127.0.0.1:9/api/v10")
      const tags = [unauthorized, unreachable].map((exit) =>
        Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error._tag : "none"
      )
      assert.deepStrictEqual(tags, ["AuthenticationFailed", "GatewayUrlUnavailable"])
      for (const exit of [unauthorized, unreachable]) {
        assertNoToken([...renderings(exit), ...(Exit.isFailure(exit) ? [Cause.pretty(exit.cause)] : [])], "a printed exit")
        if (Exit.isFailure(exit) && exit.cause._tag === "Fail") assertNoToken(renderings(exit.cause.error), "an error")
      }
      assertNoToken(capture.lines, "a log line")
    }).pipe(
      Effect.provide(defaults), Effect.provide(Simulator.layerServe({ token: secret })),
      Effect.provide(capture.layer),
      Effect.scoped
    )
  })

  it.effect("the config, built directly or from DISCORD_TOKEN, prints without the token", () =>
    Effect.gen(function*() {
      const direct = GatewayConfig.make({ token: secret })
      const fromEnv = yield* GatewayConfig.GatewayConfig.pipe(
        Effect.provide(GatewayConfig.layerFromEnv()),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["DISCORD_TOKEN", secret]])))
      )
      for (const config of [direct, fromEnv]) {
        assertNoToken([...renderings(config), ...renderings(config.token)], "a printed config")
      }
    }))
})
