import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Gateway from "../src/Gateway.js"
import * as Fixtures from "../src/testing/fixtures.js"
import { Simulator } from "../src/testing/Simulator.js"
import { gatewayOn } from "./helpers.js"

/** A GUILD_CREATE whose role `i % 4` carries a number for its id: a wrong JSON type, rejected at any date. */
const badGuild = (i: number) => {
  const guild = Fixtures.guildCreate(Fixtures.snowflake(5000 + i), { roles: 4, members: 50 })
  const roles = guild["roles"] as Array<Record<string, unknown>>
  roles[i % 4]!["id"] = 12345
  return guild
}

/** A logger that keeps each line as the default logger writes it (format and level). */
const capturing = () => {
  const lines: Array<string> = []
  const logger = Logger.replace(Logger.defaultLogger, Logger.make((options) => {
    lines.push(Logger.stringLogger.log(options))
  }))
  return { lines, logger }
}

describe("decode failures in the log", () => {
  it.scoped("1 000 failing GUILD_CREATEs log one short line a minute (under 100 KB), every one counted and published", () => {
    // What a user's console gets: the default format, at the default level (Info).
    const { lines, logger } = capturing()
    return Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const failures = yield* gateway.events.pipe(
        Stream.filter((event) => event.type === "DECODE_FAILURE"),
        Stream.take(1001),
        Stream.runCollect,
        Effect.fork
      )
      for (let i = 0; i < 1000; i++) yield* sim.dispatch("GUILD_CREATE", badGuild(i))
      const warnings = () => lines.filter((line) => line.includes("DECODE_FAILURE"))
      for (let i = 0; i < 500 && warnings().length === 0; i++) yield* Effect.yieldNow()
      // A minute later the same kind is logged again, with the count of those it stood for.
      yield* TestClock.adjust("61 seconds")
      yield* sim.dispatch("GUILD_CREATE", badGuild(1000))
      const collected = yield* Fiber.join(failures)
      assert.strictEqual(collected.length, 1001)

      const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0)
      assert.isBelow(bytes, 100 * 1024)
      console.log(`decode-failure log for 1 001 failing GUILD_CREATEs: ${bytes} bytes in ${lines.length} lines`)
      const logged = warnings()
      assert.strictEqual(logged.length, 2)
      assert.match(
        logged[0]!,
        /GUILD_CREATE \(sequence \d+, shard 0\) failed its Schema, published as DECODE_FAILURE: roles\[0\]\.id: Expected/
      )
      assert.notInclude(logged[0]!, "readonly")
      assert.isBelow(logged[0]!.length, 600)
      assert.include(logged[1]!, "[999 more like it since the last such line]")
      // The whole error stays on the event.
      const first = collected.pipe((chunk) => [...chunk][0]!)
      assert.strictEqual(first.type, "DECODE_FAILURE")
      if (first.type === "DECODE_FAILURE") assert.include(first.error.message, "id")
    }).pipe(
      Effect.provide(gatewayOn({ guilds: 0 })),
      Effect.provide(logger)
    )
  })

  it.scoped("different paths are different kinds: each is logged; at most three paths per line", () => {
    const { lines, logger } = capturing()
    return Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const failures = yield* gateway.events.pipe(
        Stream.filter((event) => event.type === "DECODE_FAILURE"),
        Stream.take(2),
        Stream.runDrain,
        Effect.fork
      )
      const guild = Fixtures.guildCreate(Fixtures.snowflake(7000), { roles: 6 })
      for (const role of guild["roles"] as Array<Record<string, unknown>>) role["id"] = 1
      yield* sim.dispatch("GUILD_CREATE", guild)
      yield* sim.dispatch("GUILD_CREATE", { ...Fixtures.guildCreate(Fixtures.snowflake(7001)), owner_id: 2 })
      yield* Fiber.join(failures)
      const logged = lines.filter((line) => line.includes("DECODE_FAILURE"))
      assert.strictEqual(logged.length, 2)
      assert.include(logged[0]!, "roles[0].id")
      assert.include(logged[0]!, "roles[2].id")
      assert.notInclude(logged[0]!, "roles[3].id")
      assert.include(logged[0]!, "(+3 more)")
      assert.include(logged[1]!, "owner_id")
      // The guild says it is available: the union's other member (an unavailable guild) is not reported.
      assert.notInclude(logged[1]!, "unavailable")
    }).pipe(
      Effect.provide(gatewayOn({ guilds: 0 })),
      Effect.provide(logger)
    )
  })
})
