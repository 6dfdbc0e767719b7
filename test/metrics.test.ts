import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Gateway from "../src/Gateway.js"
import * as GatewayMetrics from "../src/GatewayMetrics.js"
import { Simulator } from "../src/testing/Simulator.js"
import { gatewayOn } from "./helpers.js"

// Metrics live in one registry per process: the test compares values before and after.
const count = (metric: Metric.Metric.Counter<number>, ...tags: ReadonlyArray<readonly [string, string]>) =>
  Effect.map(
    Metric.value(tags.reduce((m, [key, value]) => m.pipe(Metric.tagged(key, value)), metric.pipe(Metric.tagged("shard", "7")))),
    (state) => state.count
  )

const typing = (i: number) => ({ channel_id: "10", user_id: "20", timestamp: i })

describe("GatewayMetrics", () => {
  it.scoped("counts events, bad frames, decode failures, commands, ended connections, lost sessions and heartbeat latency, tagged by shard", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const stream = yield* gateway.subscribe
      // The startup events (READY, then the GUILD_CREATE) are delivered, and counted, before `before`.
      yield* stream.pipe(Stream.filter((e) => e.type === "GUILD_CREATE"), Stream.take(1), Stream.runDrain)
      const before = {
        events: yield* count(GatewayMetrics.eventsReceived),
        bad: yield* count(GatewayMetrics.badFrames),
        failures: yield* count(GatewayMetrics.decodeFailures),
        commands: yield* count(GatewayMetrics.commandsSent),
        closed4000: yield* count(GatewayMetrics.connectionsEnded, ["reason", "ConnectionClosed"], ["close_code", "4000"]),
        lost: yield* count(GatewayMetrics.sessionsLost)
      }
      for (let i = 0; i < 3; i++) yield* sim.dispatch("TYPING_START", typing(i))
      yield* sim.dispatch("MESSAGE_DELETE", { id: 5, channel_id: "10" })
      yield* sim.sendRaw("this is not JSON")
      yield* gateway.updatePresence({ since: null, activities: [], status: "idle", afk: false })
      yield* stream.pipe(Stream.filter((e) => e.type === "DECODE_FAILURE"), Stream.take(1), Stream.runDrain)
      yield* TestClock.adjust("45 seconds") // one heartbeat and its ACK
      yield* sim.close(4000)
      yield* sim.takePayload(6)
      yield* sim.invalidSession(false)
      yield* stream.pipe(Stream.filter((e) => e.type === "SESSION_LOST"), Stream.take(1), Stream.runDrain)

      // 3 TYPING_START, the MESSAGE_DELETE that failed its Schema, and RESUMED
      assert.strictEqual((yield* count(GatewayMetrics.eventsReceived)) - before.events, 5)
      assert.strictEqual((yield* count(GatewayMetrics.badFrames)) - before.bad, 1)
      assert.strictEqual((yield* count(GatewayMetrics.decodeFailures)) - before.failures, 1)
      assert.strictEqual((yield* count(GatewayMetrics.commandsSent)) - before.commands, 1)
      assert.strictEqual(
        (yield* count(GatewayMetrics.connectionsEnded, ["reason", "ConnectionClosed"], ["close_code", "4000"])) -
          before.closed4000,
        1
      )
      assert.strictEqual((yield* count(GatewayMetrics.sessionsLost)) - before.lost, 1)
      const latency = yield* Metric.value(GatewayMetrics.heartbeatLatency.pipe(Metric.tagged("shard", "7")))
      assert.isAtLeast(latency.count, 1)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 }, { shard: [7, 8] }))))
})
