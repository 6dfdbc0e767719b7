import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Gateway from "../src/Gateway.js"
import { Simulator } from "../src/testing/Simulator.js"
import { gatewayOn } from "./helpers.js"

const presence = (name: string) => ({ since: null, activities: [{ name, type: 0 }], status: "online", afk: false }) as const

const firstGuildId = Effect.gen(function*() {
  const gateway = yield* Gateway.Gateway
  const ready = yield* gateway.events.pipe(Stream.runHead)
  if (ready._tag === "None" || ready.value.type !== "READY") return yield* Effect.dieMessage("no READY")
  return ready.value.data.guilds[0]!.id
})

describe("outbound rate limit: 120 per 60 s with a reserve for heartbeats", () => {
  it.scoped("commands wait for the window, in order, never dropped; heartbeats are never starved", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const fibers: Array<Fiber.RuntimeFiber<unknown, unknown>> = []
      for (let i = 0; i < 130; i++) {
        fibers.push(yield* Effect.fork(gateway.updatePresence(presence(`p${i}`))))
        yield* Effect.yieldNow()
      }
      yield* TestClock.adjust(1)
      const early = (yield* sim.payloads).filter((p) => p.op === 3)
      // 120 minus the reserve for heartbeats, identify and resume (ceil(60 s / 41.25 s) + 2 = 4).
      assert.strictEqual(early.length, 116)
      // The first heartbeat (jitter 0.5) still goes out while 15 commands wait.
      yield* TestClock.adjust(20_625)
      const beat = yield* sim.takePayload(1)
      assert.strictEqual(beat.at, 20_625)
      assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 3).length, 116)
      yield* TestClock.adjust(60_000)
      yield* Fiber.joinAll(fibers)
      const all = (yield* sim.payloads).filter((p) => p.op === 3)
      assert.strictEqual(all.length, 130)
      assert.deepStrictEqual(
        all.map((p) => (p.d as { activities: Array<{ name: string }> }).activities[0]!.name),
        Array.from({ length: 130 }, (_, i) => `p${i}`)
      )
      assert.isAtLeast(all[116]!.at, 60_000)
      // Within any 60 s: commands, heartbeats and the identify together stay within 120.
      const sent = yield* sim.payloads
      for (const first of sent) {
        const inWindow = sent.filter((p) => p.connection === first.connection && p.at >= first.at && p.at < first.at + 60_000)
        assert.isAtMost(inWindow.length, 120)
      }
      assert.strictEqual((yield* sim.closes).length, 0)
      assert.strictEqual((yield* sim.connections).length, 1)
    }).pipe(
      Effect.provide(gatewayOn({ guilds: 1 })),
      Effect.withRandom(Random.fixed([0.5]))
    ))

  // A server that asks for a beat a second and counted them with the commands would leave commands
  // 60 per window at most: this one, like the test servers that use such intervals, does not.
  it.scoped("a short heartbeat interval (1 s) caps the reserve: 100 commands per 60 s still go out, and every heartbeat on time", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const fibers: Array<Fiber.RuntimeFiber<unknown, unknown>> = []
      for (let i = 0; i < 150; i++) {
        fibers.push(yield* Effect.fork(gateway.updatePresence(presence(`p${i}`))))
        yield* Effect.yieldNow()
      }
      yield* TestClock.adjust(1)
      assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 3).length, 100)
      for (let second = 1; second <= 59; second++) yield* TestClock.adjust(1000)
      assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 3).length, 100)
      const beats = (yield* sim.payloads).filter((p) => p.op === 1)
      // First beat after 1 s × jitter 0.5, then one a second: none held back by the waiting commands.
      assert.isAtLeast(beats.length, 59)
      for (let i = 1; i < beats.length; i++) assert.strictEqual(beats[i]!.at - beats[i - 1]!.at, 1000)
      yield* TestClock.adjust(1000)
      yield* Fiber.joinAll(fibers)
      assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 3).length, 150)
      assert.strictEqual((yield* sim.closes).length, 0)
      assert.strictEqual((yield* sim.connections).length, 1)
    }).pipe(
      Effect.provide(gatewayOn({ guilds: 1, heartbeatInterval: 1000, countHeartbeats: false })),
      Effect.withRandom(Random.fixed([0.5]))
    ))

  it.scoped("a payload over 4096 bytes fails with PayloadTooLarge and is not sent", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const error = yield* Effect.flip(gateway.updatePresence(presence("x".repeat(5000))))
      assert.strictEqual(error._tag, "PayloadTooLarge")
      if (error._tag === "PayloadTooLarge") assert.isAbove(error.bytes, 4096)
      yield* gateway.updatePresence(presence("small"))
      const sent = (yield* sim.payloads).filter((p) => p.op === 3)
      assert.strictEqual(sent.length, 1)
    }).pipe(Effect.provide(gatewayOn())))

  it.scoped("commands issued while disconnected are sent after the resume", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      yield* sim.takeConnection
      yield* gateway.pause
      const fiber = yield* Effect.fork(gateway.updatePresence(presence("later")))
      yield* Effect.yieldNow()
      assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 3).length, 0)
      yield* gateway.resume
      yield* Fiber.join(fiber)
      const [sent] = (yield* sim.payloads).filter((p) => p.op === 3)
      assert.strictEqual(sent!.connection, 2)
    }).pipe(Effect.provide(gatewayOn())))

  it.scoped("a command after a long idle stretch goes out at once (no sender waits while idle; one starts on demand)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      yield* sim.takeConnection
      for (const name of ["first", "second"]) {
        yield* TestClock.adjust("10 minutes")
        yield* gateway.updatePresence(presence(name))
        const sent = (yield* sim.payloads).filter((p) => p.op === 3)
        assert.strictEqual((sent.at(-1)!.d as { activities: Array<{ name: string }> }).activities[0]!.name, name)
      }
      assert.strictEqual((yield* sim.payloads).filter((p) => p.op === 3).length, 2)
    }).pipe(Effect.provide(gatewayOn())))
})

describe("commands", () => {
  it.scoped("requestGuildMembers gathers the members of every chunk with its nonce", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const guildId = yield* firstGuildId
      const result = yield* gateway.requestGuildMembers({ guild_id: guildId, query: "", limit: 0 })
      assert.strictEqual(result.members.length, 1500)
      const request = yield* sim.takePayload(8)
      const d = request.d as { nonce?: string; guild_id: string }
      assert.strictEqual(d.guild_id, guildId)
      assert.isString(d.nonce)
      assert.isAtMost(d.nonce!.length, 32)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1, guildOptions: { members: 1500 } }))))

  it.scoped("requestGuildMembers fails with RequestTimeout when no answer completes in time", () =>
    Effect.gen(function*() {
      const gateway = yield* Gateway.Gateway
      // Paused: the request waits in the outbox and no chunk can arrive.
      yield* gateway.pause
      const fiber = yield* Effect.fork(
        gateway.requestGuildMembers({ guild_id: "1", user_ids: ["2"] }, { timeout: "5 seconds" })
      )
      yield* TestClock.adjust("4999 millis")
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust("1 millis")
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "RequestTimeout")
    }).pipe(Effect.provide(gatewayOn())))

  it.scoped("updateVoiceState and requestSoundboardSounds send op 4 and op 31", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const voice = { guild_id: "41771983423143937", channel_id: "127121515262115840", self_mute: false, self_deaf: true }
      yield* gateway.updateVoiceState(voice)
      assert.deepStrictEqual((yield* sim.takePayload(4)).d, voice)
      const guildId = yield* firstGuildId
      const sounds = yield* gateway.events.pipe(
        Stream.filter((event) => event.type === "SOUNDBOARD_SOUNDS"),
        Stream.take(1),
        Stream.runCollect,
        Effect.fork
      )
      yield* gateway.requestSoundboardSounds({ guild_ids: [guildId] })
      assert.deepStrictEqual((yield* sim.takePayload(31)).d, { guild_ids: [guildId] })
      assert.strictEqual(Chunk.size(yield* Fiber.join(sounds)), 1)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 }))))
})
