import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Gateway from "../src/Gateway.js"
import type { GatewayEvent } from "../src/GatewayEvent.js"
import { Simulator } from "../src/testing/Simulator.js"
import { gatewayOn, token } from "./helpers.js"

const sequences = (events: ReadonlyArray<GatewayEvent>) =>
  events.flatMap((event) => ("sequence" in event ? [event.sequence] : []))

const typing = (i: number) => ({ channel_id: "10", user_id: "20", timestamp: i })

// Discord numbers a session's first dispatch 1; Spacebar, an independent server, numbers READY 0.
describe("sequences: a server that numbers READY 0", () => {
  it.scoped("READY with sequence 0 starts the session, and the first heartbeat carries 0, not null", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const ready = yield* gateway.events.pipe(Stream.runHead)
      assert.isTrue(Option.isSome(ready) && ready.value.type === "READY")
      assert.strictEqual(Option.isSome(ready) && "sequence" in ready.value ? ready.value.sequence : -1, 0)
      assert.strictEqual(yield* gateway.status.get, "Ready")
      assert.deepStrictEqual(yield* gateway.sequence, Option.some(0))
      // Jitter 0.5 of 41.25 s.
      yield* TestClock.adjust(20_625)
      const beat = yield* sim.takePayload(1).pipe(Effect.timeout("1 second"))
      assert.strictEqual(beat.d, 0)
      assert.strictEqual((yield* sim.connections).length, 1)
    }).pipe(
      Effect.provide(gatewayOn({ guilds: 0, firstSequence: 0 })),
      Effect.withRandom(Random.fixed([0.5]))
    ))

  it.scoped("every later dispatch is delivered, and a resume sends the last sequence and gets the replay once", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const collector = yield* gateway.events.pipe(Stream.take(9), Stream.runCollect, Effect.fork)
      yield* sim.takeConnection
      for (let i = 0; i < 3; i++) yield* sim.dispatch("TYPING_START_X", typing(i))
      yield* sim.drop
      for (let i = 3; i < 6; i++) yield* sim.dispatch("TYPING_START_X", typing(i))
      yield* sim.takeConnection
      const resume = yield* sim.takePayload(6).pipe(Effect.timeout("1 second"))
      const [session] = yield* sim.sessions
      // READY 0, GUILD_CREATE 1, three events 2..4 delivered before the drop.
      assert.deepStrictEqual(resume.d, { token, session_id: session!.id, seq: 4 })
      const events = Chunk.toReadonlyArray(yield* Fiber.join(collector))
      assert.deepStrictEqual(events.map((event) => event.type), [
        "READY",
        "GUILD_CREATE",
        ...Array.from({ length: 6 }, () => "UNKNOWN_EVENT"),
        "RESUMED"
      ])
      assert.deepStrictEqual(sequences(events), [0, 1, 2, 3, 4, 5, 6, 7, 8])
      assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 2).length, 1)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1, firstSequence: 0 }))))
})
