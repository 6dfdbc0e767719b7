import * as Socket from "@effect/platform/Socket"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as Zlib from "node:zlib"
import { WebSocket as WsClient } from "ws"
import * as Intents from "../../src/Intents.js"
import * as Fixtures from "../../src/testing/fixtures.js"
import { makeMemory, memoryUrl, serve, type SimulatorOptions } from "../../src/testing/Simulator.js"

interface Received {
  readonly op: number
  readonly d: unknown
  readonly s: number | null
  readonly t: string | null
}

interface Closed {
  readonly code: number
  readonly reason: string
  readonly wasClean: boolean
}

const query = "?v=10&encoding=json"
const suffix = [0x00, 0x00, 0xff, 0xff]

/** Opens a raw in-memory client socket (no gateway client involved). */
const connect = (
  webSocketConstructor: (url: string) => WebSocket,
  url = `${memoryUrl}${query}`
) =>
  Effect.gen(function*() {
    const ws = webSocketConstructor(url)
    const frames = yield* Queue.unbounded<string | Uint8Array>()
    const closed = yield* Deferred.make<Closed>()
    ws.addEventListener("message", (event) => {
      Queue.unsafeOffer(frames, event.data as string | Uint8Array)
    })
    ws.addEventListener("close", (event) => {
      Deferred.unsafeDone(closed, Exit.succeed({ code: event.code, reason: event.reason, wasClean: event.wasClean }))
    })
    const next: Effect.Effect<Received> = Effect.map(Queue.take(frames), (frame) => {
      assert.strictEqual(typeof frame, "string")
      return JSON.parse(frame as string) as Received
    })
    return {
      ws,
      frames,
      next,
      send: (payload: unknown) => Effect.sync(() => ws.send(JSON.stringify(payload))),
      closed: Deferred.await(closed),
      pending: Effect.map(Queue.size(frames), (n) => n)
    }
  })

const setup = (options?: SimulatorOptions) =>
  Effect.gen(function*() {
    const { httpClient, shape, webSocketConstructor } = yield* makeMemory(options)
    return { sim: shape, httpClient, open: (url?: string) => connect(webSocketConstructor, url) }
  })

const identify = (extra: Record<string, unknown> = {}) => ({
  op: 2,
  d: {
    token: "test-token",
    intents: Intents.nonPrivileged,
    properties: { os: "linux", browser: "t", device: "t" },
    ...extra
  }
})

type Client = Effect.Effect.Success<ReturnType<typeof connect>>

const identified = (client: Client, guilds: number) =>
  Effect.gen(function*() {
    const hello = yield* client.next
    assert.strictEqual(hello.op, 10)
    yield* client.send(identify())
    const ready = yield* client.next
    for (let i = 0; i < guilds; i++) yield* client.next
    return ready
  })

describe("Simulator connection handshake", () => {
  it.scoped("sends Hello with the configured heartbeat_interval on open", () =>
    Effect.gen(function*() {
      const { open, sim } = yield* setup({ heartbeatInterval: 1234 })
      const client = yield* open()
      const hello = yield* client.next
      assert.deepStrictEqual(hello, { op: 10, d: { heartbeat_interval: 1234 }, s: null, t: null })
      const connection = yield* sim.takeConnection
      assert.deepStrictEqual(connection, { connection: 1, url: `${memoryUrl}${query}` })
    }))

  it.scoped("closes with 4012 on a wrong API version", () =>
    Effect.gen(function*() {
      const { open } = yield* setup()
      const client = yield* open(`${memoryUrl}?v=9&encoding=json`)
      assert.strictEqual((yield* client.closed).code, 4012)
    }))

  it.scoped("closes with 4002 on an encoding other than json and etf", () =>
    Effect.gen(function*() {
      const { open } = yield* setup()
      const client = yield* open(`${memoryUrl}?v=10&encoding=msgpack`)
      assert.strictEqual((yield* client.closed).code, 4002)
    }))
})

describe("Simulator heartbeats", () => {
  it.scoped("acknowledges op 1 with op 11, and stops when ACKs are off", () =>
    Effect.gen(function*() {
      const { open, sim } = yield* setup()
      const client = yield* open()
      yield* client.next
      yield* client.send({ op: 1, d: null })
      assert.strictEqual((yield* client.next).op, 11)
      assert.strictEqual((yield* sim.takePayload(1)).d, null)

      yield* sim.setAckHeartbeats(false)
      yield* client.send({ op: 1, d: 5 })
      assert.strictEqual((yield* sim.takePayload(1)).d, 5)
      yield* sim.requestHeartbeat
      // The next frame is the server's heartbeat request, not an ACK
      assert.strictEqual((yield* client.next).op, 1)
    }))
})

describe("Simulator identify", () => {
  it.scoped("answers Identify with READY then one GUILD_CREATE per guild, with increasing s", () =>
    Effect.gen(function*() {
      const { open, sim } = yield* setup({ guilds: 3 })
      const client = yield* open()
      yield* client.next
      yield* client.send(identify())
      const ready = yield* client.next
      assert.strictEqual(ready.t, "READY")
      assert.strictEqual(ready.s, 1)
      const d = ready.d as Record<string, unknown>
      assert.strictEqual(d["v"], 10)
      assert.strictEqual(d["session_id"], "sim-session-1")
      assert.strictEqual(d["resume_gateway_url"], memoryUrl)
      assert.strictEqual((d["guilds"] as ReadonlyArray<unknown>).length, 3)
      for (let s = 2; s <= 4; s++) {
        const guild = yield* client.next
        assert.strictEqual(guild.t, "GUILD_CREATE")
        assert.strictEqual(guild.s, s)
      }
      const [session] = yield* sim.sessions
      assert.deepStrictEqual(session?.log.map((e) => e.s), [1, 2, 3, 4])
    }))

  it.scoped("closes with 4004 on a wrong token", () =>
    Effect.gen(function*() {
      const { open } = yield* setup()
      const client = yield* open()
      yield* client.next
      yield* client.send(identify({ token: "nope" }))
      const closed = yield* client.closed
      assert.strictEqual(closed.code, 4004)
      assert.isTrue(closed.wasClean)
    }))

  it.scoped("rejects unknown intents with 4013 and unapproved privileged intents with 4014", () =>
    Effect.gen(function*() {
      const { open } = yield* setup({ allowedPrivilegedIntents: 0 })
      const a = yield* open()
      yield* a.next
      yield* a.send(identify({ intents: 1 << 18 }))
      assert.strictEqual((yield* a.closed).code, 4013)
      const b = yield* open()
      yield* b.next
      yield* b.send(identify({ intents: Intents.Flags.MessageContent }))
      assert.strictEqual((yield* b.closed).code, 4014)
    }))

  it.scoped("rejects an invalid shard with 4010 and too few shards with 4011", () =>
    Effect.gen(function*() {
      const { open, sim } = yield* setup()
      const a = yield* open()
      yield* a.next
      yield* a.send(identify({ shard: [2, 2] }))
      assert.strictEqual((yield* a.closed).code, 4010)
      yield* sim.setRequiredShards(4)
      const b = yield* open()
      yield* b.next
      yield* b.send(identify({ shard: [0, 2] }))
      assert.strictEqual((yield* b.closed).code, 4011)
    }))

  it.scoped("answers a second identify in the same bucket within 5 s with op 9 false", () =>
    Effect.gen(function*() {
      const { open } = yield* setup()
      const a = yield* open()
      yield* identified(a, 1)
      const b = yield* open()
      yield* b.next
      yield* b.send(identify())
      assert.deepStrictEqual(yield* b.next, { op: 9, d: false, s: null, t: null })
      yield* TestClock.adjust("5 seconds")
      yield* b.send(identify())
      assert.strictEqual((yield* b.next).t, "READY")
    }))

  it.scoped("routes guilds to shards by (guild_id >> 22) % num_shards", () =>
    Effect.gen(function*() {
      const { open } = yield* setup({ guilds: 4, maxConcurrency: 2 })
      const client = yield* open()
      yield* client.next
      yield* client.send(identify({ shard: [1, 2] }))
      const ready = yield* client.next
      const d = ready.d as { guilds: ReadonlyArray<{ id: string }>; shard: [number, number] }
      assert.deepStrictEqual(d.shard, [1, 2])
      assert.strictEqual(d.guilds.length, 2)
      for (const guild of d.guilds) assert.strictEqual(Number((BigInt(guild.id) >> 22n) % 2n), 1)
    }))

  it.scoped("dispatchGuild reaches the live session of the guild's shard; every Identify spends a session start", () =>
    Effect.gen(function*() {
      const { httpClient, open, sim } = yield* setup({
        guilds: 4,
        maxConcurrency: 2,
        shards: 2,
        sessionStartLimit: { total: 10, remaining: 5, resetAfter: 60_000 }
      })
      const gatewayBot = Effect.flatMap(
        httpClient.get(`${sim.apiBaseUrl}/gateway/bot`, { headers: { authorization: "Bot test-token" } }),
        (response) => response.json
      ).pipe(Effect.scoped, Effect.orDie)
      const start = (shard: readonly [number, number]) =>
        Effect.gen(function*() {
          const client = yield* open()
          assert.strictEqual((yield* client.next).op, 10)
          yield* client.send(identify({ shard }))
          assert.strictEqual((yield* client.next).t, "READY")
          for (let i = 0; i < 2; i++) assert.strictEqual((yield* client.next).t, "GUILD_CREATE")
          return client
        })
      yield* start([0, 2])
      const shard1 = yield* start([1, 2])
      assert.deepStrictEqual(yield* gatewayBot, {
        url: memoryUrl,
        shards: 2,
        session_start_limit: { total: 10, remaining: 3, reset_after: 60_000, max_concurrency: 2 }
      })
      const guild = [100, 101, 102, 103].map((i) => Fixtures.snowflake(i))
        .find((id) => Number((BigInt(id) >> 22n) % 2n) === 1)!
      assert.strictEqual(yield* sim.dispatchGuild("TYPING_START", { guild_id: guild }, guild), 1)
      const typing = yield* shard1.next
      assert.strictEqual(typing.t, "TYPING_START")
      // After the reset the budget is full again.
      yield* TestClock.adjust("60 seconds")
      const refreshed = (yield* gatewayBot) as { session_start_limit: { remaining: number } }
      assert.strictEqual(refreshed.session_start_limit.remaining, 10)
    }))

  it.scoped("closes with 4003 before identify, 4005 on a second identify, 4001 on an unknown opcode", () =>
    Effect.gen(function*() {
      const { open } = yield* setup()
      const a = yield* open()
      yield* a.next
      yield* a.send({ op: 8, d: { guild_id: "1", query: "", limit: 0 } })
      assert.strictEqual((yield* a.closed).code, 4003)
      const b = yield* open()
      yield* identified(b, 1)
      yield* b.send(identify())
      assert.strictEqual((yield* b.closed).code, 4005)
      const c = yield* open()
      yield* c.next
      yield* c.send({ op: 99, d: null })
      assert.strictEqual((yield* c.closed).code, 4001)
    }))
})

describe("Simulator resume", () => {
  it.scoped("replays the dispatches missed while disconnected, then RESUMED", () =>
    Effect.gen(function*() {
      const { open, sim } = yield* setup({ guilds: 1 })
      const a = yield* open()
      yield* identified(a, 1)
      a.ws.close(4000, "resuming")
      assert.deepStrictEqual(yield* sim.takeClose, { connection: 1, code: 4000, reason: "resuming" })
      assert.strictEqual((yield* a.closed).code, 4000)

      assert.strictEqual(yield* sim.dispatch("MESSAGE_CREATE", { content: "one" }), 3)
      assert.strictEqual(yield* sim.dispatch("MESSAGE_CREATE", { content: "two" }), 4)

      const b = yield* open()
      yield* b.next
      yield* b.send({ op: 6, d: { token: "test-token", session_id: "sim-session-1", seq: 2 } })
      const replayed = [yield* b.next, yield* b.next, yield* b.next]
      assert.deepStrictEqual(replayed.map((p) => [p.s, p.t]), [
        [3, "MESSAGE_CREATE"],
        [4, "MESSAGE_CREATE"],
        [5, "RESUMED"]
      ])
    }))

  it.scoped("answers a resume of an unknown session with op 9 false", () =>
    Effect.gen(function*() {
      const { open } = yield* setup()
      const client = yield* open()
      yield* client.next
      yield* client.send({ op: 6, d: { token: "test-token", session_id: "nope", seq: 1 } })
      assert.deepStrictEqual(yield* client.next, { op: 9, d: false, s: null, t: null })
    }))

  it.scoped("answers op 9 false after invalidateSessions and after the session timed out", () =>
    Effect.gen(function*() {
      const { open, sim } = yield* setup({ sessionTimeoutMs: 10_000 })
      const a = yield* open()
      yield* identified(a, 1)
      yield* sim.drop
      const closed = yield* a.closed
      assert.deepStrictEqual([closed.code, closed.wasClean], [1006, false])
      yield* TestClock.adjust("11 seconds")
      const b = yield* open()
      yield* b.next
      yield* b.send({ op: 6, d: { token: "test-token", session_id: "sim-session-1", seq: 2 } })
      assert.strictEqual((yield* b.next).op, 9)

      yield* b.send(identify())
      yield* b.next
      yield* b.next
      yield* sim.invalidateSessions
      yield* sim.close(4000)
      const c = yield* open()
      yield* c.next
      yield* c.send({ op: 6, d: { token: "test-token", session_id: "sim-session-2", seq: 2 } })
      assert.deepStrictEqual((yield* c.next).d, false)
    }))
})

describe("Simulator limits", () => {
  it.scoped("closes with 4008 after more than 120 payloads in 60 s", () =>
    Effect.gen(function*() {
      const { open, sim } = yield* setup({ ackHeartbeats: false })
      const client = yield* open()
      yield* client.next
      for (let i = 0; i < 120; i++) yield* client.send({ op: 1, d: null })
      yield* TestClock.adjust("60 seconds")
      for (let i = 0; i < 120; i++) yield* client.send({ op: 1, d: null })
      yield* client.send({ op: 1, d: null })
      assert.strictEqual((yield* client.closed).code, 4008)
      assert.strictEqual((yield* sim.payloads).length, 241)
    }))

  it.scoped("closes with 4002 on a payload over 4096 bytes or invalid JSON", () =>
    Effect.gen(function*() {
      const { open } = yield* setup()
      const a = yield* open()
      yield* a.next
      yield* a.send({ op: 1, d: "x".repeat(4096) })
      assert.strictEqual((yield* a.closed).code, 4002)
      const b = yield* open()
      yield* b.next
      b.ws.send("{not json")
      assert.strictEqual((yield* b.closed).code, 4002)
    }))
})

describe("Simulator commands", () => {
  it.scoped("answers Request Guild Members with chunks of at most 1000, echoing the nonce", () =>
    Effect.gen(function*() {
      const { open } = yield* setup({ guildOptions: { members: 2500 } })
      const client = yield* open()
      const ready = yield* identified(client, 1)
      const guildId = (ready.d as { guilds: ReadonlyArray<{ id: string }> }).guilds[0]!.id
      yield* client.send({ op: 8, d: { guild_id: guildId, query: "", limit: 0, nonce: "n1" } })
      const chunks = [yield* client.next, yield* client.next, yield* client.next]
      assert.deepStrictEqual(
        chunks.map((c) => {
          const d = c.d as { members: ReadonlyArray<unknown>; chunk_index: number; chunk_count: number; nonce: string }
          return [c.t, d.members.length, d.chunk_index, d.chunk_count, d.nonce]
        }),
        [
          ["GUILD_MEMBERS_CHUNK", 1000, 0, 3, "n1"],
          ["GUILD_MEMBERS_CHUNK", 1000, 1, 3, "n1"],
          ["GUILD_MEMBERS_CHUNK", 500, 2, 3, "n1"]
        ]
      )
      yield* client.send({ op: 8, d: { guild_id: guildId, user_ids: ["1"], limit: 0 } })
      const notFound = (yield* client.next).d as { members: ReadonlyArray<unknown>; not_found: ReadonlyArray<string> }
      assert.deepStrictEqual([notFound.members.length, notFound.not_found], [0, ["1"]])
    }))

  it.scoped("answers Request Soundboard Sounds with one SOUNDBOARD_SOUNDS per guild", () =>
    Effect.gen(function*() {
      const { open } = yield* setup()
      const client = yield* open()
      yield* identified(client, 1)
      yield* client.send({ op: 31, d: { guild_ids: ["10", "20"] } })
      const a = yield* client.next
      const b = yield* client.next
      assert.deepStrictEqual([a.t, a.d, b.d], ["SOUNDBOARD_SOUNDS", { guild_id: "10", soundboard_sounds: [] }, {
        guild_id: "20",
        soundboard_sounds: []
      }])
    }))
})

const inflater = () => {
  const inflate = Zlib.createInflate()
  return (chunk: Uint8Array): Promise<string> =>
    new Promise((resolve, reject) => {
      const out: Array<Buffer> = []
      const onData = (data: Buffer) => out.push(data)
      inflate.on("data", onData)
      inflate.write(chunk)
      inflate.flush(Zlib.constants.Z_SYNC_FLUSH, () => {
        inflate.off("data", onData)
        resolve(Buffer.concat(out).toString("utf8"))
      })
      inflate.once("error", reject)
    })
}

const endsWithSuffix = (frame: Uint8Array) => suffix.every((byte, i) => frame[frame.length - 4 + i] === byte)

describe("Simulator zlib-stream", () => {
  it.scoped("compresses every message through one context, each ending with 00 00 ff ff", () =>
    Effect.gen(function*() {
      const { open, sim } = yield* setup({ guilds: 2 })
      const client = yield* open(`${memoryUrl}${query}&compress=zlib-stream`)
      const inflate = inflater()
      const read = Effect.gen(function*() {
        const frame = yield* Queue.take(client.frames)
        assert.instanceOf(frame, Uint8Array)
        assert.isTrue(endsWithSuffix(frame as Uint8Array))
        return JSON.parse(yield* Effect.promise(() => inflate(frame as Uint8Array))) as Received
      })
      assert.strictEqual((yield* read).op, 10)
      yield* client.send(identify())
      const startup = [(yield* read).t, (yield* read).t, (yield* read).t]
      assert.deepStrictEqual(startup, ["READY", "GUILD_CREATE", "GUILD_CREATE"])
      yield* client.send({ op: 1, d: 3 })
      assert.strictEqual((yield* read).op, 11)
      // A close queued behind a message still being compressed goes out after it
      yield* sim.dispatch("TYPING_START", {})
      yield* sim.close(4000, "bye")
      assert.strictEqual((yield* read).t, "TYPING_START")
      assert.strictEqual((yield* client.closed).code, 4000)
    }))

  it.scoped("splits each compressed message over several frames when asked", () =>
    Effect.gen(function*() {
      const { open } = yield* setup({ splitCompressedFrames: true })
      const client = yield* open(`${memoryUrl}${query}&compress=zlib-stream`)
      const inflate = inflater()
      const read = Effect.gen(function*() {
        const parts: Array<Uint8Array> = []
        while (true) {
          const frame = (yield* Queue.take(client.frames)) as Uint8Array
          parts.push(frame)
          if (endsWithSuffix(frame)) break
        }
        assert.isAtLeast(parts.length, 2)
        return JSON.parse(yield* Effect.promise(() => inflate(Buffer.concat(parts)))) as Received
      })
      assert.strictEqual((yield* read).op, 10)
      yield* client.send(identify())
      assert.strictEqual((yield* read).t, "READY")
      assert.strictEqual((yield* read).t, "GUILD_CREATE")
    }))
})

describe("Simulator with @effect/platform Socket", () => {
  it.scoped("works as the WebSocketConstructor of Socket.makeWebSocket", () =>
    Effect.gen(function*() {
      const { shape: sim, webSocketConstructor } = yield* makeMemory()
      const socket = yield* Socket.makeWebSocket(`${memoryUrl}${query}`, { closeCodeIsError: () => false }).pipe(
        Effect.provideService(Socket.WebSocketConstructor, webSocketConstructor)
      )
      const frames = yield* Queue.unbounded<string>()
      const fiber = yield* Effect.fork(socket.runRaw((data) => Queue.offer(frames, String(data))))
      const hello = JSON.parse(yield* Queue.take(frames)) as Received
      assert.strictEqual(hello.op, 10)
      const write = yield* socket.writer
      yield* write(JSON.stringify({ op: 1, d: null }))
      assert.strictEqual((JSON.parse(yield* Queue.take(frames)) as Received).op, 11)
      yield* write(new Socket.CloseEvent(4000, "bye"))
      assert.deepStrictEqual(yield* sim.takeClose, { connection: 1, code: 4000, reason: "bye" })
      yield* Fiber.join(fiber)
    }))

  it.scoped("a server close reaches runRaw as a SocketCloseError with the code", () =>
    Effect.gen(function*() {
      const { shape: sim, webSocketConstructor } = yield* makeMemory()
      const socket = yield* Socket.makeWebSocket(`${memoryUrl}${query}`).pipe(
        Effect.provideService(Socket.WebSocketConstructor, webSocketConstructor)
      )
      const fiber = yield* Effect.fork(socket.runRaw(() => sim.close(4009, "timed out")))
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.isTrue(Socket.SocketCloseError.is(error))
      assert.strictEqual(Socket.SocketCloseError.is(error) ? error.code : 0, 4009)
    }))
})

const wsClient = (
  url: string
): Effect.Effect<{ next: Effect.Effect<Received>; send: (p: unknown) => void }, never, Scope.Scope> =>
  Effect.gen(function*() {
    const frames = yield* Queue.unbounded<string>()
    const ws = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const ws = new WsClient(url)
        ws.on("message", (data) => Queue.unsafeOffer(frames, String(data)))
        return ws
      }),
      (ws) => Effect.sync(() => ws.terminate())
    )
    yield* Effect.async<void>((resume) => {
      ws.once("open", () => resume(Effect.void))
    })
    return {
      next: Effect.map(Queue.take(frames), (text) => JSON.parse(text) as Received),
      send: (payload: unknown) => ws.send(JSON.stringify(payload))
    }
  })

describe("Simulator served on localhost", () => {
  it.live("answers GET /api/v10/gateway/bot: 401 without the token, 200 with it", () =>
    Effect.scoped(Effect.gen(function*() {
      const { shape } = yield* serve({ shards: 4, maxConcurrency: 2 })
      const endpoint = `${shape.httpUrl}/api/v10/gateway/bot`
      const unauthorized = yield* Effect.promise(() => fetch(endpoint))
      assert.strictEqual(unauthorized.status, 401)
      const body = yield* Effect.promise(() => unauthorized.json())
      assert.deepStrictEqual(body, { message: "401: Unauthorized", code: 0 })
      const ok = yield* Effect.promise(() => fetch(endpoint, { headers: { Authorization: "Bot test-token" } }))
      assert.strictEqual(ok.status, 200)
      const bot = (yield* Effect.promise(() => ok.json())) as {
        readonly session_start_limit: { readonly reset_after: number }
      }
      // A fresh window: a day long, minus the few real milliseconds since the server started.
      const resetAfter = bot.session_start_limit.reset_after
      assert.isTrue(resetAfter > 86_390_000 && resetAfter <= 86_400_000, `reset_after ${resetAfter}`)
      assert.deepStrictEqual<unknown>(bot, {
        url: shape.url,
        shards: 4,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: resetAfter, max_concurrency: 2 }
      })
    })))

  it.live("speaks the protocol over a real WebSocket", () =>
    Effect.scoped(Effect.gen(function*() {
      const { shape } = yield* serve()
      const client = yield* wsClient(`${shape.url}${query}`)
      assert.strictEqual((yield* client.next).op, 10)
      client.send(identify())
      const ready = yield* client.next
      assert.strictEqual(ready.t, "READY")
      assert.strictEqual((ready.d as { resume_gateway_url: string }).resume_gateway_url, shape.url)
      assert.strictEqual((yield* client.next).t, "GUILD_CREATE")
      assert.strictEqual((yield* shape.takeConnection).url, `${shape.url}/${query}`)
    })))
})
