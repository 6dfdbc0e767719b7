import * as Socket from "@effect/platform/Socket"
import { NodeHttpClient, NodeSocket } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Gateway from "../src/Gateway.js"
import * as GatewayConfig from "../src/GatewayConfig.js"
import * as Fixtures from "../src/testing/fixtures.js"
import { Simulator } from "../src/testing/Simulator.js"
import { defaults, simulatorWith, token } from "./helpers.js"

describe("lifecycle", () => {
  it.scoped("walks the state machine Connecting → WaitingForHello → Identifying → WaitingForReady → Ready", () =>
    Effect.gen(function*() {
      const gateway = yield* Gateway.make
      const states = yield* gateway.status.changes.pipe(
        Stream.takeUntil((status) => status === "Ready"),
        Stream.runCollect
      )
      const seen = Chunk.toReadonlyArray(states).filter((status) => status !== "Disconnected")
      assert.deepStrictEqual(seen, ["Connecting", "WaitingForHello", "Identifying", "WaitingForReady", "Ready"])
    }).pipe(Effect.provide(simulatorWith({}, { waitForReady: false }))))

  it.scoped("closing the scope closes with 1000, stops the heartbeat and every fiber, and ends the stream", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const stream = yield* Effect.scoped(Effect.gen(function*() {
        const gateway = yield* Gateway.make
        const fiber = yield* gateway.events.pipe(Stream.runDrain, Effect.fork)
        yield* TestClock.adjust(1000)
        return fiber
      }))
      const close = yield* sim.takeClose
      assert.strictEqual(close.code, 1000)
      const before = (yield* sim.payloads).length
      yield* TestClock.adjust("10 minutes")
      assert.strictEqual((yield* sim.payloads).length, before)
      assert.strictEqual((yield* sim.connections).length, 1)
      const exit = yield* Fiber.await(stream)
      assert.strictEqual(exit._tag, "Success")
    }).pipe(Effect.provide(simulatorWith({ heartbeatInterval: 1000 }))))

  it.scoped("consecutive failed attempts wait for the reconnect schedule; a healthy connection resets it", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.make
      yield* sim.takeConnection
      yield* sim.refuseConnections(4000)
      // A healthy connection ends: the first reconnect is immediate.
      yield* sim.close(4000)
      const second = yield* sim.takeConnection
      // It is refused before Hello: the next attempt waits for the schedule (10 s).
      yield* TestClock.adjust(9_999)
      assert.strictEqual((yield* sim.connections).length, 2)
      yield* TestClock.adjust(1)
      const third = yield* sim.takeConnection
      assert.strictEqual(third.connection, second.connection + 1)
      yield* sim.refuseConnections(undefined)
      yield* TestClock.adjust(10_000)
      yield* sim.takeConnection
      yield* sim.takePayload(6)
      yield* gateway.status.changes.pipe(Stream.filter((status) => status === "Ready"), Stream.runHead)
      // Healthy again (RESUMED): the schedule is reset and the next reconnect is immediate.
      yield* sim.close(4000)
      yield* sim.takeConnection
      yield* sim.takePayload(6)
    }).pipe(Effect.provide(simulatorWith({ guilds: 1 }, { reconnectSchedule: Schedule.spaced("10 seconds") }))))
})

describe("handshake timeouts", () => {
  for (const phase of ["hello", "ready"] as const) {
    it.scoped(`no ${phase === "hello" ? "Hello" : "READY/RESUMED"} within the timeout → close resumably and reconnect`, () =>
      Effect.gen(function*() {
        const sim = yield* Simulator
        yield* Gateway.make
        yield* sim.takeConnection
        yield* sim.stall(phase)
        yield* sim.close(4000)
        const stalled = yield* sim.takeConnection
        yield* TestClock.adjust(4_999)
        assert.strictEqual((yield* sim.closes).length, 0)
        yield* TestClock.adjust(1)
        const close = yield* sim.takeClose
        assert.strictEqual(close.connection, stalled.connection)
        assert.notStrictEqual(close.code, 1000)
        yield* sim.stall(undefined)
        // A failed attempt: the next one waits for the reconnect schedule (10 s).
        yield* TestClock.adjust(10_000)
        yield* sim.takeConnection
        yield* sim.takePayload(6)
      }).pipe(Effect.provide(simulatorWith({ guilds: 1, heartbeatInterval: 60_000 }, {
        helloTimeout: "5 seconds",
        readyTimeout: "5 seconds",
        reconnectSchedule: Schedule.spaced("10 seconds")
      }))))
  }
})

describe("over a real localhost WebSocket (NodeSocket)", () => {
  it.live("connects, receives events, resumes after a drop, and shuts down with 1000", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const events = yield* gateway.events.pipe(
        Stream.filter((event) => event.type === "MESSAGE_CREATE"),
        Stream.take(4),
        Stream.runCollect,
        Effect.fork
      )
      const message = (i: number) =>
        Fixtures.messageCreate({ id: String(1300000000000000000n + BigInt(i)), channelId: "1300000000000000900" })
      yield* sim.dispatch("MESSAGE_CREATE", message(1))
      yield* sim.dispatch("MESSAGE_CREATE", message(2))
      yield* sim.drop
      yield* sim.dispatch("MESSAGE_CREATE", message(3))
      yield* sim.dispatch("MESSAGE_CREATE", message(4))
      const received = Chunk.toReadonlyArray(yield* Fiber.join(events))
      assert.deepStrictEqual(received.map((event) => ("sequence" in event ? event.sequence : 0)), [3, 4, 5, 6])
      assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 6).length, 1)
    }).pipe(
      Effect.provide(
        Gateway.layer.pipe(
          Layer.provide(Layer.unwrapEffect(Effect.map(Simulator, (sim) =>
            GatewayConfig.layer({ token, gatewayUrl: sim.url, compression: "zlib-stream" })))),
          Layer.provide(NodeSocket.layerWebSocketConstructor),
          Layer.provide(defaults),
          Layer.provide(NodeHttpClient.layerUndici),
    Layer.provideMerge(Simulator.layerServe({ token, guilds: 1 }))
        )
      ),
      Effect.scoped
    ))

  it.live("an event-loop stall longer than the heartbeat interval is not taken for a zombie when the ACK is waiting unread", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      yield* Gateway.Gateway
      for (let round = 0; round < 3; round++) {
        // The simulator got a heartbeat and sent its ACK: block the event loop past the next beat.
        yield* sim.takePayload(1)
        const until = Date.now() + 400
        while (Date.now() < until) {
          // busy: the ACK reaches the socket buffer but is not read until the stall ends
        }
      }
      yield* Effect.sleep("300 millis")
      assert.deepStrictEqual(yield* sim.closes, [])
      assert.strictEqual((yield* sim.connections).length, 1)
    }).pipe(
      Effect.provide(
        Gateway.layer.pipe(
          Layer.provide(Layer.unwrapEffect(Effect.map(Simulator, (sim) => GatewayConfig.layer({ token, gatewayUrl: sim.url })))),
          Layer.provide(NodeSocket.layerWebSocketConstructor),
          Layer.provide(defaults),
          Layer.provide(NodeHttpClient.layerUndici),
    Layer.provideMerge(Simulator.layerServe({ token, guilds: 1, heartbeatInterval: 250 }))
        )
      ),
      Effect.scoped
    ))

  it.live("without a configured URL, asks GET /gateway/bot with the bot token", () =>
    Effect.gen(function*() {
      const gateway = yield* Gateway.Gateway
      assert.isTrue(Option.isSome(yield* gateway.sessionId))
    }).pipe(
      Effect.provide(
        Gateway.layer.pipe(
          Layer.provide(Layer.unwrapEffect(Effect.map(Simulator, (sim) =>
            GatewayConfig.layer({ token, apiBaseUrl: sim.apiBaseUrl })))),
          Layer.provide(NodeSocket.layerWebSocketConstructor),
          Layer.provide(NodeHttpClient.layerUndici),
          Layer.provide(defaults),
    Layer.provideMerge(Simulator.layerServe({ token }))
        )
      ),
      Effect.scoped
    ))

  it.live("a token GET /gateway/bot rejects fails with AuthenticationFailed", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const exit = yield* Effect.exit(Effect.scoped(Gateway.make.pipe(
        Effect.provide(GatewayConfig.layer({ token: "wrong", apiBaseUrl: sim.apiBaseUrl })),
        Effect.provide(NodeSocket.layerWebSocketConstructor),
        Effect.provide(NodeHttpClient.layerUndici)
      )))
      assert.isTrue(exit._tag === "Failure" && exit.cause._tag === "Fail" && exit.cause.error._tag === "AuthenticationFailed")
    }).pipe(Effect.provide(defaults), Effect.provide(Simulator.layerServe({ token })), Effect.scoped))
})

describe("defects", () => {
  it.scoped("a defect in a connection is logged with its cause and retried after a backoff, never swallowed", () => {
    const lines: Array<string> = []
    return Effect.gen(function*() {
      const sim = yield* Simulator
      const construct = yield* Socket.WebSocketConstructor
      let calls = 0
      const flaky: typeof construct = (url, protocols) => {
        if (calls++ === 0) throw new Error("a bug in the socket factory")
        return construct(url, protocols)
      }
      const gateway = yield* Gateway.make.pipe(
        Effect.provide(GatewayConfig.layer({ token, gatewayUrl: sim.url, waitForReady: false })),
        Effect.provideService(Socket.WebSocketConstructor, flaky)
      )
      for (let i = 0; i < 100 && !lines.some((line) => line.includes("defect")); i++) yield* Effect.yieldNow()
      assert.strictEqual(calls, 1)
      assert.isTrue(lines.some((line) => line.includes("defect")))
      yield* TestClock.adjust("2 seconds")
      yield* gateway.ready
      assert.strictEqual(calls, 2)
    }).pipe(
      Effect.provide(defaults), Effect.provide(Simulator.layerMemory({ token })),
      Effect.provide(Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => lines.push(String(message)))))
    )
  })
})
