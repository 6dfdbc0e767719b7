import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as GatewayConfig from "../src/GatewayConfig.js"
import * as GatewayBot from "../src/internal/gatewayBot.js"
import * as Sharding from "../src/Sharding.js"
import { Simulator } from "../src/testing/Simulator.js"
import { defaults } from "./helpers.js"

const body = {
  url: "wss://gateway.discord.gg",
  shards: 9,
  session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 }
}

/** An HttpClient answering with `responses` in turn, recording when and with which Authorization it was asked. */
const scripted = (responses: ReadonlyArray<readonly [number, unknown]>) => {
  const requests: Array<{ readonly at: number; readonly authorization: string | undefined; readonly url: string }> = []
  const client = HttpClient.make((request, url) =>
    Effect.map(Clock.currentTimeMillis, (at) => {
      const [status, json] = responses[Math.min(requests.length, responses.length - 1)]!
      requests.push({ at, authorization: request.headers["authorization"], url: url.toString() })
      return HttpClientResponse.fromWeb(request, new Response(JSON.stringify(json), { status }))
    })
  )
  return { client, requests }
}

describe("GET /gateway/bot", () => {
  it.effect("sends Authorization: Bot <token> and decodes url, shards and session_start_limit", () =>
    Effect.gen(function*() {
      const { client, requests } = scripted([[200, body]])
      const bot = yield* GatewayBot.fetch("https://discord.com/api/v10/", Redacted.make("abc")).pipe(
        Effect.provideService(HttpClient.HttpClient, client)
      )
      assert.deepStrictEqual(bot, body)
      assert.deepStrictEqual(requests.map((r) => [r.url, r.authorization]), [[
        "https://discord.com/api/v10/gateway/bot",
        "Bot abc"
      ]])
    }))

  it.effect("a 429 waits retry_after seconds, then asks again", () =>
    Effect.gen(function*() {
      const { client, requests } = scripted([[429, { message: "You are being rate limited.", retry_after: 2.5, global: false }], [
        200,
        body
      ]])
      const fiber = yield* GatewayBot.fetch("https://discord.com/api/v10", Redacted.make("abc")).pipe(
        Effect.provideService(HttpClient.HttpClient, client),
        Effect.fork
      )
      yield* TestClock.adjust(2499)
      assert.strictEqual(requests.length, 1)
      yield* TestClock.adjust(1)
      assert.deepStrictEqual((yield* Fiber.join(fiber)).shards, 9)
      assert.deepStrictEqual(requests.map((r) => r.at), [0, 2500])
    }))

  it.effect("a 401 fails Sharding with AuthenticationFailed", () =>
    Effect.gen(function*() {
      const { client } = scripted([[401, { message: "401: Unauthorized", code: 0 }]])
      const error = yield* Effect.flip(Effect.scoped(Sharding.make({ shards: "auto" }))).pipe(
        Effect.provide(GatewayConfig.layer({ token: "wrong" })),
        Effect.provideService(HttpClient.HttpClient, client),
        Effect.provide(defaults), Effect.provide(Simulator.layerMemory())
      )
      assert.strictEqual(error._tag, "AuthenticationFailed")
    }))
})
