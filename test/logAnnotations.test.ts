import { it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"
import { assert, describe } from "vitest"
import * as Gateway from "../src/Gateway.js"
import { Simulator } from "../src/testing/Simulator.js"
import { simulatorWith } from "./helpers.js"

describe("log annotations", () => {
  it.scoped("the shard's lines carry the shard; a connection's lines also carry its session and mode", () => {
    const lines: Array<{ message: string; annotations: Record<string, unknown> }> = []
    const capture = Logger.make(({ annotations, message }) => {
      lines.push({ message: String(message), annotations: Object.fromEntries(HashMap.toEntries(annotations)) })
    })
    return Effect.gen(function*() {
      const sim = yield* Simulator
      yield* Gateway.make
      // read by the connection's fiber: a warning from it
      yield* sim.sendRaw("not json")
      // the connection ends: the shard's loop logs why
      yield* sim.reconnect
      for (let i = 0; i < 200 && !lines.some((l) => l.message.includes("reconnect (op 7)")); i++) yield* Effect.yieldNow()

      const fromConnection = lines.find((l) => l.message.includes("ignored an inbound frame"))
      assert.isDefined(fromConnection)
      assert.strictEqual(fromConnection!.annotations["shard"], 0)
      assert.strictEqual(fromConnection!.annotations["mode"], "identify")
      assert.strictEqual(fromConnection!.annotations["session"], "new")

      const fromShard = lines.find((l) => l.message.includes("reconnect (op 7)"))
      assert.isDefined(fromShard)
      assert.strictEqual(fromShard!.annotations["shard"], 0)
      assert.isUndefined(fromShard!.annotations["mode"])
    }).pipe(
      Effect.provide(simulatorWith()),
      Effect.provide(Logger.replace(Logger.defaultLogger, capture))
    )
  })
})
