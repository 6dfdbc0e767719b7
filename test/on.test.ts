import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Stream from "effect/Stream"
import * as Gateway from "../src/Gateway.js"
import * as Intents from "../src/Intents.js"
import * as Fixtures from "../src/testing/fixtures.js"
import { Simulator } from "../src/testing/Simulator.js"
import { gatewayOn } from "./helpers.js"

/** Every log line's message, captured in `lines`. */
const captureLogs = (lines: Array<string>) =>
  Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => lines.push(String(message))))

const message = (i: number) =>
  Fixtures.messageCreate({ id: Fixtures.snowflake(5000 + i), channelId: Fixtures.snowflake(900), content: `m${i}` })

describe("gateway.on(...types)", () => {
  it.scoped("streams only the named dispatch events, typed", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const fiber = yield* gateway.on("MESSAGE_CREATE").pipe(
        Stream.map((event) => event.data.content),
        Stream.take(2),
        Stream.runCollect,
        Effect.fork
      )
      yield* sim.dispatch("TYPING_START", { channel_id: "10", user_id: "20", timestamp: 1 })
      yield* sim.dispatch("MESSAGE_CREATE", message(1))
      yield* sim.dispatch("MESSAGE_CREATE", message(2))
      assert.deepStrictEqual([...(yield* Fiber.join(fiber))], ["m1", "m2"])
    }).pipe(Effect.provide(gatewayOn({}, { intents: Intents.all }))))

  it.scoped("warns once, naming the missing intent, when the intents cannot bring an event", () => {
    const lines: Array<string> = []
    return Effect.gen(function*() {
      const gateway = yield* Gateway.Gateway
      const first = yield* Effect.fork(Stream.runDrain(gateway.on("MESSAGE_REACTION_ADD", "GUILD_CREATE")))
      const second = yield* Effect.fork(Stream.runDrain(gateway.on("MESSAGE_REACTION_ADD")))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(first)
      yield* Fiber.interrupt(second)
      const warnings = lines.filter((line) => line.includes("MESSAGE_REACTION_ADD"))
      assert.deepStrictEqual(warnings, [
        "MESSAGE_REACTION_ADD needs the GuildMessageReactions or DirectMessageReactions intent, which is not configured: Discord will not send it"
      ])
      assert.isFalse(lines.some((line) => line.includes("GUILD_CREATE needs")))
    }).pipe(
      Effect.provide(gatewayOn({}, { intents: Intents.fromNames("Guilds") })),
      Effect.provide(captureLogs(lines))
    )
  })

  it.scoped("warns that messages arrive without content when MessageContent is not configured", () => {
    const lines: Array<string> = []
    return Effect.gen(function*() {
      const gateway = yield* Gateway.Gateway
      const fiber = yield* Effect.fork(Stream.runDrain(gateway.on("MESSAGE_CREATE", "MESSAGE_DELETE")))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(lines.filter((line) => line.startsWith("MESSAGE_")), [
        "MESSAGE_CREATE will arrive with empty content, embeds, attachments, components and poll: the MessageContent intent is not configured (only DMs, mentions of the bot and its own messages keep them)"
      ])
    }).pipe(
      Effect.provide(gatewayOn({}, { intents: Intents.fromNames("Guilds", "GuildMessages") })),
      Effect.provide(captureLogs(lines))
    )
  })

  it.scoped("no warning when the intents cover the events", () => {
    const lines: Array<string> = []
    return Effect.gen(function*() {
      const gateway = yield* Gateway.Gateway
      const fiber = yield* Effect.fork(Stream.runDrain(gateway.on("MESSAGE_CREATE", "MESSAGE_REACTION_ADD")))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(fiber)
      assert.isFalse(lines.some((line) => line.startsWith("MESSAGE_")))
    }).pipe(
      Effect.provide(gatewayOn({}, {
        intents: Intents.fromNames("Guilds", "GuildMessages", "MessageContent", "GuildMessageReactions")
      })),
      Effect.provide(captureLogs(lines))
    )
  })
})
