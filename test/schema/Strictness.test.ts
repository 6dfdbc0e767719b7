import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { DispatchSchemas } from "../../src/Events.js"
import * as Dispatch from "../../src/internal/dispatch.js"
import * as Fixtures from "../../src/testing/fixtures.js"

const message = () => Fixtures.messageCreate({ id: Fixtures.snowflake(9001), channelId: Fixtures.snowflake(101) })

/** Both the hot path (the check in place) and the Schema's decoder reject `data`. */
const rejected = (name: "MESSAGE_CREATE" | "GUILD_CREATE", data: unknown) => {
  assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(DispatchSchemas[name] as Schema.Schema<unknown, unknown>)(data)))
  assert.strictEqual(Dispatch.toEvent(name, 0, 1, data).type, "DECODE_FAILURE")
}

describe("lenient about presence, strict about types", () => {
  it("the fixture decodes as it is", () => {
    assert.strictEqual(Dispatch.toEvent("MESSAGE_CREATE", 0, 1, message()).type, "MESSAGE_CREATE")
  })

  it("an integer above 2^53 is rejected, and so is a fraction where the docs say integer", () => {
    rejected("MESSAGE_CREATE", { ...message(), type: 2 ** 53 + 2 })
    rejected("MESSAGE_CREATE", { ...message(), flags: 1.5 })
    rejected("MESSAGE_CREATE", { ...message(), type: 1e400 })
  })

  it("a number where a snowflake string belongs is rejected", () => {
    const data = message()
    rejected("MESSAGE_CREATE", { ...data, author: { ...(data["author"] as object), id: 80351110224678912 } })
    rejected("MESSAGE_CREATE", { ...data, channel_id: 101 })
  })

  it("a present field added later is still checked: a number for global_name is rejected", () => {
    const data = message()
    rejected("MESSAGE_CREATE", { ...data, author: { ...(data["author"] as object), global_name: 7 } })
  })

  it("a guild whose role colors have a string is rejected, though colors may be absent", () => {
    const guild = Fixtures.guildCreate(Fixtures.snowflake(100))
    const roles = guild["roles"] as Array<Record<string, unknown>>
    const withoutColors = { ...guild, roles: roles.map(({ colors: _, ...role }) => role) }
    assert.strictEqual(Dispatch.toEvent("GUILD_CREATE", 0, 1, withoutColors).type, "GUILD_CREATE")
    rejected("GUILD_CREATE", { ...guild, roles: roles.map((role) => ({ ...role, colors: { primary_color: "red" } })) })
  })
})
