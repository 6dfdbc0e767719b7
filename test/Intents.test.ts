import { assert, describe, it } from "@effect/vitest"
import { pipe } from "effect/Function"
import * as Intents from "../src/Intents.js"

describe("Intents", () => {
  it("has every documented flag with its bit", () => {
    assert.strictEqual(Intents.Flags.Guilds, 1)
    assert.strictEqual(Intents.Flags.MessageContent, 1 << 15)
    assert.strictEqual(Intents.Flags.GuildScheduledEvents, 1 << 16)
    assert.strictEqual(Intents.Flags.AutoModerationConfiguration, 1 << 20)
    assert.strictEqual(Intents.Flags.DirectMessagePolls, 1 << 25)
    assert.strictEqual(Object.keys(Intents.Flags).length, 21)
  })

  it("knows the privileged intents", () => {
    assert.deepStrictEqual(Intents.toNames(Intents.privileged), ["GuildMembers", "GuildPresences", "MessageContent"])
    assert.strictEqual(Intents.nonPrivileged & Intents.privileged, 0)
    assert.strictEqual(Intents.nonPrivileged | Intents.privileged, Intents.all)
  })

  it("adds, removes and tests flags", () => {
    const intents = Intents.add(Intents.Flags.Guilds, Intents.Flags.GuildMessages)
    assert.isTrue(Intents.has(intents, Intents.Flags.GuildMessages))
    assert.isFalse(Intents.has(Intents.remove(intents, Intents.Flags.GuildMessages), Intents.Flags.GuildMessages))
  })

  it("has, add, remove and canReceive are dual (data-first and data-last)", () => {
    const piped = pipe(
      Intents.Flags.Guilds,
      Intents.add(Intents.Flags.GuildMessages),
      Intents.add(Intents.Flags.MessageContent),
      Intents.remove(Intents.Flags.Guilds)
    )
    assert.strictEqual(piped, Intents.Flags.GuildMessages | Intents.Flags.MessageContent)
    assert.isTrue(pipe(piped, Intents.has(Intents.Flags.MessageContent)))
    assert.isFalse(pipe(piped, Intents.has(Intents.Flags.Guilds)))
    assert.isTrue(pipe(piped, Intents.canReceive("MESSAGE_CREATE")))
    assert.isFalse(pipe(piped, Intents.canReceive("GUILD_ROLE_CREATE")))
    assert.strictEqual(Intents.canReceive(piped, "GUILD_ROLE_CREATE"), false)
  })

  it("parses names (as in DISCORD_INTENTS) and numbers, and names the unknown ones", () => {
    assert.deepStrictEqual(Intents.parse("Guilds, GuildMessages,MessageContent"), {
      _tag: "Right",
      value: 1 | (1 << 9) | (1 << 15)
    })
    assert.deepStrictEqual(Intents.parse("513"), { _tag: "Right", value: 513 })
    assert.deepStrictEqual(Intents.parse("Guilds,Gilds"), { _tag: "Left", unknown: ["Gilds"] })
  })

  it("maps events to the intents that bring them", () => {
    assert.isTrue(Intents.canReceive(Intents.Flags.DirectMessages, "MESSAGE_CREATE"))
    assert.isTrue(Intents.canReceive(Intents.Flags.GuildMessages, "MESSAGE_CREATE"))
    assert.isFalse(Intents.canReceive(Intents.Flags.Guilds, "MESSAGE_CREATE"))
    assert.isFalse(Intents.canReceive(Intents.Flags.Guilds, "PRESENCE_UPDATE"))
    assert.isTrue(Intents.canReceive(0, "READY"))
    assert.isTrue(Intents.canReceive(0, "INTERACTION_CREATE"))
    assert.deepStrictEqual(Intents.eventIntents["THREAD_MEMBERS_UPDATE"], [Intents.Flags.Guilds, Intents.Flags.GuildMembers])
  })
})
