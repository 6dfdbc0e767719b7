/**
 * `GET /gateway/bot`: the gateway URL, the recommended shard count and the
 * session start limit (events/gateway.mdx, "Get Gateway Bot").
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as GatewayError from "../GatewayError.js"
import type { IdentifyLimits } from "../IdentifyLimiter.js"

/** @internal */
export const GatewayBot = Schema.Struct({
  url: Schema.String,
  shards: Schema.Number,
  session_start_limit: Schema.Struct({
    total: Schema.Number,
    remaining: Schema.Number,
    reset_after: Schema.Number,
    max_concurrency: Schema.Number
  })
})

/** @internal */
export interface GatewayBot extends Schema.Schema.Type<typeof GatewayBot> {}

/** @internal */
export type GatewayBotFailure =
  | { readonly _tag: "Unauthorized" }
  | { readonly _tag: "Failed"; readonly reason: string }

/**
 * Asks Discord (or the simulator) for the gateway. A 401 is `Unauthorized`;
 * a 429 waits for `retry_after` and asks again.
 *
 * @internal
 */
export const fetch = (
  apiBaseUrl: string,
  token: Redacted.Redacted<string>
): Effect.Effect<GatewayBot, GatewayBotFailure, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const request = HttpClientRequest.get(`${apiBaseUrl.replace(/\/$/, "")}/gateway/bot`).pipe(
      HttpClientRequest.setHeader("Authorization", `Bot ${Redacted.value(token)}`)
    )
    while (true) {
      const response = yield* client.execute(request).pipe(
        Effect.mapError((error): GatewayBotFailure => ({ _tag: "Failed", reason: error.message }))
      )
      if (response.status === 401) return yield* Effect.fail<GatewayBotFailure>({ _tag: "Unauthorized" })
      if (response.status === 429) {
        const body = yield* response.json.pipe(Effect.orElseSucceed(() => ({})))
        const retryAfter = typeof (body as { retry_after?: unknown }).retry_after === "number"
          ? (body as { retry_after: number }).retry_after
          : 5
        yield* Effect.logWarning(`GET /gateway/bot is rate limited: retrying after ${retryAfter} s`)
        yield* Effect.sleep(Math.ceil(retryAfter * 1000))
        continue
      }
      if (response.status < 200 || response.status >= 300) {
        return yield* Effect.fail<GatewayBotFailure>({ _tag: "Failed", reason: `HTTP ${response.status}` })
      }
      return yield* HttpClientResponse.schemaBodyJson(GatewayBot)(response).pipe(
        Effect.mapError((error): GatewayBotFailure => ({ _tag: "Failed", reason: error.message }))
      )
    }
  }).pipe(Effect.scoped)

/**
 * `fetch` with its failures as the gateway's typed errors: a 401 is
 * `AuthenticationFailed`, anything else `GatewayUrlUnavailable`.
 *
 * @internal
 */
export const fetchOrFail = (
  apiBaseUrl: string,
  token: Redacted.Redacted<string>,
  shard: number
): Effect.Effect<GatewayBot, GatewayError.GatewayFatalError, HttpClient.HttpClient> =>
  fetch(apiBaseUrl, token).pipe(
    Effect.mapError((failure) =>
      failure._tag === "Unauthorized"
        ? new GatewayError.AuthenticationFailed({ shard, closeCode: 4004, reason: "GET /gateway/bot answered 401" })
        : new GatewayError.GatewayUrlUnavailable({ shard, reason: `GET /gateway/bot failed: ${failure.reason}` })
    )
  )

/**
 * The identify limits an answer reports (for the `IdentifyLimiter`).
 *
 * @internal
 */
export const identifyLimits = (bot: GatewayBot): IdentifyLimits => ({
  maxConcurrency: Math.max(1, bot.session_start_limit.max_concurrency),
  sessionStartLimit: {
    total: bot.session_start_limit.total,
    remaining: bot.session_start_limit.remaining,
    resetAfter: bot.session_start_limit.reset_after
  }
})
