/**
 * Against what an independent server sends: a localhost WebSocket server that answers with the
 * frames Spacebar (spacebarchat/server, a Discord-compatible server) really sent to a probe
 * client, verbatim, in their order (test/fixtures/spacebar/session.json). It behaves as Spacebar
 * was seen to: refuses a connection without a User-Agent (close 4002), numbers READY 0, acks
 * heartbeats with `{"op":11,"d":{}}`, answers every Resume with op 9 `false`.
 */
import { assert, describe, it } from "@effect/vitest"
import { NodeHttpClient } from "@effect/platform-node"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { readFileSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { WebSocketServer } from "ws"
import * as Gateway from "../src/Gateway.js"
import * as GatewayConfig from "../src/GatewayConfig.js"
import * as GatewaySocket from "../src/GatewaySocket.js"
import * as DecodeFailureLog from "../src/internal/decodeFailureLog.js"
import { defaults } from "./helpers.js"

interface Frame {
  readonly op: number
  readonly t?: string | null
  readonly s?: number | null
  readonly d?: unknown
}

const capture = JSON.parse(readFileSync(new URL("./fixtures/spacebar/session.json", import.meta.url), "utf8")) as {
  readonly frames: ReadonlyArray<Frame>
  readonly resumeAnswer: Frame
}
const hello = capture.frames.find((frame) => frame.op === 10)!
const ack = capture.frames.find((frame) => frame.op === 11)!
const dispatches = capture.frames.filter((frame) => frame.op === 0)

interface Replayer {
  readonly url: string
  readonly userAgents: ReadonlyArray<string | undefined>
  readonly received: ReadonlyArray<Frame>
}

/** The replaying server on a free localhost port, closed with the scope. */
const replayer = Effect.acquireRelease(
  Effect.async<{ readonly server: WebSocketServer; readonly replayer: Replayer }>((resume) => {
    const userAgents: Array<string | undefined> = []
    const received: Array<Frame> = []
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 })
    server.on("connection", (socket, request) => {
      const userAgent = request.headers["user-agent"]
      userAgents.push(userAgent)
      if (userAgent === undefined) {
        socket.close(4002, "Gateway connection rejected: User-Agent header is required.")
        return
      }
      socket.send(JSON.stringify(hello))
      socket.on("message", (data) => {
        const frame = JSON.parse(String(data)) as Frame
        received.push(frame)
        if (frame.op === 1) socket.send(JSON.stringify(ack))
        if (frame.op === 6) socket.send(JSON.stringify(capture.resumeAnswer))
        if (frame.op === 2) for (const dispatch of dispatches) socket.send(JSON.stringify(dispatch))
      })
    })
    server.on("listening", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({ server, replayer: { url: `ws://127.0.0.1:${port}/`, userAgents, received } }))
    })
  }),
  ({ server }) => Effect.async<void>((resume) => server.close(() => resume(Effect.void)))
).pipe(Effect.map(({ replayer }) => replayer))

describe("against Spacebar's own frames", () => {
  it.live("reaches READY (sequence 0) and delivers every dispatch; READY, GUILD_CREATE, MESSAGE_CREATE and most others decode", () =>
    Effect.gen(function*() {
      const server = yield* replayer
      const events = yield* Effect.gen(function*() {
        const gateway = yield* Gateway.Gateway
        return yield* gateway.events.pipe(Stream.take(dispatches.length), Stream.runCollect, Effect.timeout("10 seconds"))
      }).pipe(Effect.provide(Gateway.layer.pipe(
        Layer.provide(GatewayConfig.layer({ token: "spacebar-token", gatewayUrl: server.url, intents: 33281 })),
        Layer.provide(GatewaySocket.layerWebSocketConstructor),
        Layer.provide(defaults),
        Layer.provide(NodeHttpClient.layerUndici)
      )))
      const delivered = Chunk.toReadonlyArray(events)
      assert.deepStrictEqual(
        delivered.map((event) => ("sequence" in event ? event.sequence : -1)),
        dispatches.map((frame) => frame.s)
      )
      // What stays a DECODE_FAILURE is where Spacebar departs from Discord on fields Discord has always
      // sent or on a JSON type: relaxing those would cost every user the guarantee.
      const failures = delivered.flatMap((event) =>
        event.type === "DECODE_FAILURE"
          ? [`${event.name} ${event.sequence}: ${DecodeFailureLog.issuesOf(event.error).map((issue) => issue.path.join(".")).join(", ")}`]
          : []
      )
      assert.deepStrictEqual(failures, [
        // a string "0" for the author's public_flags (an integer), beside a reaction in Spacebar's own shape
        "MESSAGE_UPDATE 7: reactions.0.emoji.id, reactions.0.me, author.public_flags",
        // without afk_channel_id, system_channel_id, rules_channel_id (required and nullable since API v6)
        "GUILD_UPDATE 18: afk_channel_id, system_channel_id, rules_channel_id",
        "GUILD_UPDATE 19: afk_channel_id, system_channel_id, rules_channel_id",
        // without guild_id and status
        "PRESENCE_UPDATE 22: guild_id, status"
      ])
      const decoded = new Set(delivered.map((event) => event.type))
      for (const name of ["READY", "GUILD_CREATE", "MESSAGE_CREATE", "TYPING_START", "MESSAGE_REACTION_ADD", "MESSAGE_UPDATE", "INVITE_CREATE", "GUILD_ROLE_CREATE", "CHANNEL_CREATE"]) {
        assert.isTrue(decoded.has(name as never), `${name} decoded`)
      }
      assert.deepStrictEqual(
        delivered.filter((event) => event.type === "UNKNOWN_EVENT").map((event) => event.type === "UNKNOWN_EVENT" && event.name),
        ["READY_SUPPLEMENTAL"]
      )
      assert.strictEqual(delivered[0]!.type, "READY")
      // One connection: the User-Agent was sent, and nothing made the client reconnect.
      assert.deepStrictEqual(server.userAgents, [GatewaySocket.userAgent])
      assert.strictEqual(server.received.filter((frame) => frame.op === 2).length, 1)
    }).pipe(Effect.scoped))
})
