/**
 * An `HttpClient` that answers `GET /api/v10/gateway/bot` from the in-memory
 * simulator, so code that asks Discord for the gateway (automatic shard count,
 * session start limit) runs in tests without a socket. Any other request is a 404.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"

/** @internal */
export const make = (options: { readonly token: string; readonly gatewayBot: () => unknown }): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    Effect.sync(() => {
      const json = (status: number, body: unknown) =>
        HttpClientResponse.fromWeb(
          request,
          new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })
        )
      if (request.method !== "GET" || !url.pathname.endsWith("/api/v10/gateway/bot")) {
        return json(404, { message: "404: Not Found", code: 0 })
      }
      if (request.headers["authorization"] !== `Bot ${options.token}`) {
        return json(401, { message: "401: Unauthorized", code: 0 })
      }
      return json(200, options.gatewayBot())
    })
  )
