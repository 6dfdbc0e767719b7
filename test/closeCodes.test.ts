import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Gateway from "../src/Gateway.js"
import * as IdentifyLimiter from "../src/IdentifyLimiter.js"
import * as Intents from "../src/Intents.js"
import { Simulator } from "../src/testing/Simulator.js"
import { expectResume, gatewayOn, nextConnection, nextPayload, token, withinRealTime } from "./helpers.js"

const presence = { since: null, activities: [], status: "online", afk: false } as const

describe("fatal close codes stop the gateway with their typed error and never reconnect", () => {
  const fatal = [
    [4004, "AuthenticationFailed"],
    [4010, "InvalidShard"],
    [4011, "ScalingRequired"],
    [4012, "InvalidApiVersion"],
    [4013, "InvalidIntents"],
    [4014, "DisallowedIntents"]
  ] as const
  for (const [code, tag] of fatal) {
    it.scoped(`close ${code} → ${tag}`, () =>
      Effect.gen(function*() {
        const sim = yield* Simulator
        const gateway = yield* Gateway.Gateway
        yield* nextConnection(sim)
        const stream = yield* gateway.events.pipe(Stream.runDrain, Effect.flip, Effect.fork)
        yield* sim.close(code, "closed by the test")
        const error = yield* Fiber.join(stream).pipe(withinRealTime(`the event stream did not fail after close ${code}`))
        assert.strictEqual(error._tag, tag)
        assert.strictEqual("closeCode" in error ? error.closeCode : undefined, code)
        const sendError = yield* Effect.flip(gateway.updatePresence(presence))
        assert.strictEqual(sendError._tag, tag)
        yield* TestClock.adjust("10 minutes")
        assert.strictEqual((yield* sim.connections).length, 1)
      }).pipe(Effect.provide(gatewayOn({ guilds: 1 }))))
  }

  it.effect("a wrong token fails the layer's build with AuthenticationFailed", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(gatewayOn({ token: "another-token" }))))
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        assert.strictEqual(exit.cause.error._tag, "AuthenticationFailed")
        assert.include(exit.cause.error.message, "4004")
      } else {
        assert.fail("expected a typed failure")
      }
    }))

  it.effect("a privileged intent the app may not use fails the build with DisallowedIntents", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(
        gatewayOn({ allowedPrivilegedIntents: 0 }, { intents: Intents.fromNames("Guilds", "MessageContent") })
      )))
      assert.isTrue(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag === "DisallowedIntents")
    }))

  it.effect("a shard count below the required one fails the build with ScalingRequired", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(gatewayOn({ requiredShards: 2 }))))
      assert.isTrue(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag === "ScalingRequired")
    }))
})

describe("4007 and 4009 start a new session", () => {
  for (const code of [4007, 4009]) {
    it.scoped(`close ${code} → identify anew and report the lost session`, () =>
      Effect.gen(function*() {
        const sim = yield* Simulator
        const gateway = yield* Gateway.Gateway
        const lost = yield* gateway.events.pipe(
          Stream.filter((event) => event.type === "SESSION_LOST"),
          Stream.runHead,
          Effect.fork
        )
        const first = yield* nextConnection(sim)
        const firstIdentify = yield* nextPayload(sim, 2)
        assert.strictEqual(firstIdentify.op, 2)
        assert.strictEqual(firstIdentify.connection, first.connection)
        assert.strictEqual(firstIdentify.at, 0)
        yield* sim.close(code)
        // Discord allows one identify per 5 s: the new one waits for that (plus the limiter's margin).
        yield* TestClock.adjust("6 seconds")
        const second = yield* nextConnection(sim)
        assert.notStrictEqual(second.connection, first.connection)
        const identify = yield* nextPayload(sim, 2)
        assert.strictEqual(identify.op, 2)
        assert.strictEqual(identify.connection, second.connection)
        assert.strictEqual(identify.at, IdentifyLimiter.IdentifyIntervalMillis + IdentifyLimiter.defaultMarginMillis)
        const d = identify.d as { token: string; shard: unknown }
        assert.strictEqual(d.token, token)
        assert.deepStrictEqual(d.shard, [0, 1])
        assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 6).length, 0)
        const marker = yield* Fiber.join(lost).pipe(withinRealTime("no SESSION_LOST arrived"))
        assert.strictEqual(marker._tag === "Some" ? marker.value.type : "none", "SESSION_LOST")
      }).pipe(Effect.provide(gatewayOn({ guilds: 1 }))))
  }
})

describe("every other close code, and a dropped connection, resume", () => {
  for (const code of [4000, 4001, 4002, 4003, 4005, 4008, 1001, 1011]) {
    it.scoped(`close ${code} → resume`, () =>
      Effect.gen(function*() {
        const sim = yield* Simulator
        const first = yield* nextConnection(sim)
        yield* sim.close(code)
        // READY 1, GUILD_CREATE 2: the resume asks for what came after 2, on the new connection.
        yield* expectResume(sim, first)
      }).pipe(Effect.provide(gatewayOn({ guilds: 1 }))))
  }

  it.scoped("a dropped TCP connection (no close frame) → resume", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const first = yield* nextConnection(sim)
      yield* sim.drop
      yield* expectResume(sim, first)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 }))))
})
