import { assert, describe, it } from "@effect/vitest"
import { GatewayDispatchEvents } from "discord-api-types/v10"
import { DispatchSchemas } from "../../src/Events.js"

/**
 * Events discord-api-types names that we do not decode, with the reason.
 * Empty: both sides have the 79 events of the docs' "Receive Events" table.
 */
const onlyInDiscordApiTypes: Readonly<Record<string, string>> = {}

/**
 * Events we decode that discord-api-types does not name, with the reason.
 * Empty, for the same reason.
 */
const onlyInOurs: Readonly<Record<string, string>> = {}

describe("event names against discord-api-types (type-level check in discordApiTypes.ts)", () => {
  const theirs = new Set<string>(Object.values(GatewayDispatchEvents))
  const ours = new Set<string>(Object.keys(DispatchSchemas))

  it("every event discord-api-types names is one we decode, or a listed exception", () => {
    const missing = [...theirs].filter((name) => !ours.has(name) && !(name in onlyInDiscordApiTypes))
    assert.deepStrictEqual(missing, [])
  })

  it("every event we decode is one discord-api-types names, or a listed exception", () => {
    const extra = [...ours].filter((name) => !theirs.has(name) && !(name in onlyInOurs))
    assert.deepStrictEqual(extra, [])
  })

  it("no exception is stale", () => {
    assert.deepStrictEqual(Object.keys(onlyInDiscordApiTypes).filter((name) => ours.has(name)), [])
    assert.deepStrictEqual(Object.keys(onlyInOurs).filter((name) => theirs.has(name)), [])
  })
})
