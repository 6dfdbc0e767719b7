/**
 * The simulator's protocol engine: Discord's Gateway v10 server rules in plain
 * TypeScript, independent of the transport (in-memory pair or real `ws` server)
 * and of Effect. Time comes from the injected `now()`, ids from counters.
 *
 * @internal
 */
import * as Zlib from "node:zlib"
import * as Either from "effect/Either"
import * as Etf from "../../internal/etf.js"
import * as Intents from "../../Intents.js"
import {
  CloseCode,
  GatewayVersion,
  MaxPayloadBytes,
  Op,
  SendLimit,
  SendWindowMillis,
  ZlibSuffix
} from "../../internal/protocol.js"
import * as Fixtures from "../fixtures.js"

/** One client connection as the engine sees it. @internal */
export interface Transport {
  readonly send: (frame: string | Uint8Array) => void
  readonly close: (code: number, reason: string) => void
  /** Drops the connection without a close frame. */
  readonly terminate: () => void
}

/** What a transport reports to. @internal */
export interface TransportHost {
  readonly onOpen: (conn: Transport, url: string) => void
  readonly onMessage: (conn: Transport, data: string | Uint8Array) => void
  readonly onClose: (conn: Transport, code: number, reason: string) => void
}

/** @internal */
export interface EngineOptions {
  readonly url: string
  readonly now: () => number
  readonly token: string
  readonly heartbeatInterval: number
  readonly ackHeartbeats: boolean
  readonly guilds: ReadonlyArray<string>
  readonly guildOptions: GuildOptions
  readonly allowedPrivilegedIntents: number
  readonly requiredShards: number | undefined
  readonly maxConcurrency: number
  /** The recommended shard count of `GET /gateway/bot` (at least `requiredShards`). */
  readonly shards: number
  readonly sessionStartLimit: { readonly total: number; readonly remaining: number; readonly resetAfter: number }
  readonly resumeUrl: string | undefined
  readonly sessionTimeoutMs: number
  readonly firstSequence: number
  readonly countHeartbeats: boolean
  readonly splitCompressedFrames: boolean
}

/** @internal */
export interface GuildOptions {
  readonly channels?: number
  readonly roles?: number
  readonly members?: number
  readonly presences?: boolean | number
}

/** @internal */
export interface ClientPayload {
  readonly connection: number
  readonly op: number
  readonly d: unknown
  readonly at: number
}

/** @internal */
export interface ClientClose {
  readonly connection: number
  readonly code: number
  readonly reason: string
}

/** @internal */
export interface OpenedConnection {
  readonly connection: number
  readonly url: string
}

/** @internal */
export interface LoggedDispatch {
  readonly s: number
  readonly t: string
  readonly d: unknown
}

/** @internal */
export interface SessionView {
  readonly id: string
  readonly shard: readonly [number, number] | undefined
  readonly log: ReadonlyArray<LoggedDispatch>
}

interface Session {
  readonly id: string
  readonly shard: readonly [number, number] | undefined
  readonly intents: number
  readonly log: Array<LoggedDispatch>
  seq: number
  connection: Conn | undefined
  invalidated: boolean
  detachedAt: number | undefined
}

type OutItem =
  | { readonly _tag: "json"; readonly text: string | Uint8Array }
  | { readonly _tag: "raw"; readonly frame: string | Uint8Array }
  | { readonly _tag: "close"; readonly code: number; readonly reason: string }

/** Every documented intent bit (events/gateway.mdx, "List of Intents"). */
const knownIntents = Intents.all
const privilegedIntents = Intents.privileged
const identifyWindowMillis = 5_000
const clientOps: ReadonlySet<number> = new Set([
  Op.Heartbeat,
  Op.Identify,
  Op.PresenceUpdate,
  Op.VoiceStateUpdate,
  Op.Resume,
  Op.RequestGuildMembers,
  Op.RequestSoundboardSounds,
  43 // Request Channel Info
])
const maxMembersPerChunk = 1000
const textEncoder = new TextEncoder()

/**
 * A payload as Discord sends it in ETF: snowflakes (decimal strings of ids, too large for a safe
 * integer) become 64-bit integers, which the client decodes back to the same strings.
 *
 * @internal
 */
export const asDiscordSendsEtf = (value: unknown): unknown => {
  if (typeof value === "string") {
    return /^[1-9]\d{16,19}$/.test(value) && BigInt(value) > BigInt(Number.MAX_SAFE_INTEGER) && BigInt(value) < 2n ** 64n
      ? BigInt(value)
      : value
  }
  if (Array.isArray(value)) return value.map(asDiscordSendsEtf)
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) out[key] = asDiscordSendsEtf(inner)
    return out
  }
  return value
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** A connection's transport compression: one message at a time, `done` with its bytes. */
interface Compressor {
  compress(text: string | Uint8Array, done: (out: Buffer) => void): void
  destroy(): void
}

interface ZstdZlib {
  readonly createZstdCompress?: (options?: { readonly params?: Record<number, number> }) => Zlib.Deflate
  readonly constants: Record<string, number | undefined>
}
const zstdZlib = Zlib as unknown as ZstdZlib

/**
 * Whether this Node can compress zstd-stream (node:zlib has zstd from Node 22.15 and 23.8); on
 * an older Node the simulator refuses `compress=zstd-stream` with 4002.
 *
 * @internal
 */
export const canCompressZstd: boolean = typeof zstdZlib.createZstdCompress === "function" &&
  zstdZlib.constants["ZSTD_e_flush"] !== undefined

/**
 * One compression context per connection (zlib-stream: a deflate stream flushed with
 * Z_SYNC_FLUSH; zstd-stream: a zstd stream flushed with ZSTD_e_flush, as Discord does). node:zlib
 * is callback-based, so messages are compressed one at a time, and a message is complete when its
 * flush has called back. Not where the output first ends with the zlib suffix `00 00 ff ff`: when
 * a flush's output ends exactly where node:zlib's output buffer does, node:zlib calls deflate
 * again with the same flush and zlib adds an empty stored block (`00 00 00 ff ff`), which would
 * otherwise go out as the next message's frame (an empty message, and every later frame one
 * message late).
 */
class FlushingCompressor implements Compressor {
  private chunks: Array<Buffer> = []
  private closed = false

  constructor(private readonly stream: Zlib.Deflate, private readonly flushKind: number) {
    stream.on("data", (chunk: Buffer) => this.chunks.push(chunk))
    stream.on("error", () => {
      this.closed = true
    })
  }

  compress(text: string | Uint8Array, done: (out: Buffer) => void): void {
    this.stream.write(text)
    this.stream.flush(this.flushKind, () => {
      if (this.closed) return
      const out = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks)
      this.chunks = []
      done(out)
    })
  }

  destroy(): void {
    this.closed = true
    this.stream.close()
  }
}

const zlibCompressor = (): Compressor => new FlushingCompressor(Zlib.createDeflate(), Zlib.constants.Z_SYNC_FLUSH)

const zstdCompressor = (): Compressor =>
  new FlushingCompressor(
    zstdZlib.createZstdCompress!({
      params: { [zstdZlib.constants["ZSTD_c_compressionLevel"]!]: 6, [zstdZlib.constants["ZSTD_c_windowLog"]!]: 20 }
    }),
    zstdZlib.constants["ZSTD_e_flush"]!
  )

class Conn {
  open = true
  authenticated = false
  session: Session | undefined = undefined
  readonly sent: Array<number> = []
  private readonly queue: Array<OutItem> = []
  private busy = false
  private held = false
  private messages = 0

  constructor(
    readonly id: number,
    readonly url: string,
    readonly encoding: "json" | "etf",
    readonly transport: Transport,
    private readonly compressor: Compressor | undefined,
    private readonly split: boolean,
    private readonly meter: { bytesSent: number }
  ) {}

  push(item: OutItem): void {
    this.queue.push(item)
    this.pump()
  }

  /** Holds outbound frames (a slow network); releasing sends them, in order. */
  hold(held: boolean): void {
    this.held = held
    this.pump()
  }

  terminate(): void {
    this.queue.length = 0
    this.compressor?.destroy()
    this.transport.terminate()
  }

  private pump(): void {
    while (!this.busy && !this.held && this.queue.length > 0) {
      const item = this.queue.shift()!
      switch (item._tag) {
        case "json": {
          if (this.compressor === undefined) {
            this.write(item.text)
          } else {
            this.busy = true
            this.compressor.compress(item.text, (out) => {
              this.busy = false
              this.sendCompressed(out)
              this.pump()
            })
          }
          break
        }
        case "raw": {
          this.write(item.frame)
          break
        }
        case "close": {
          this.compressor?.destroy()
          this.transport.close(item.code, item.reason)
          break
        }
      }
    }
  }

  // Every frame leaves through here, so the engine counts what went on the wire.
  private write(frame: string | Uint8Array): void {
    this.meter.bytesSent += typeof frame === "string" ? Buffer.byteLength(frame) : frame.byteLength
    this.transport.send(frame)
  }

  private sendCompressed(out: Buffer): void {
    const index = this.messages++
    if (!this.split) {
      this.write(out)
      return
    }
    // Only the last frame may carry the suffix, so every cut is before it
    const head = out.length - ZlibSuffix.length
    const cuts = index % 2 === 1 && head >= 3
      ? [Math.floor(head / 3), Math.floor((2 * head) / 3)]
      : [Math.max(1, Math.floor(head / 2))]
    let start = 0
    for (const cut of cuts) {
      this.write(out.subarray(start, cut))
      start = cut
    }
    this.write(out.subarray(start))
  }
}

interface GuildData {
  readonly id: string
  readonly create: Record<string, unknown>
  readonly members: ReadonlyArray<Record<string, unknown>>
}

const memberUser = (member: Record<string, unknown>): Record<string, unknown> =>
  isRecord(member["user"]) ? member["user"] : {}

const memberId = (member: Record<string, unknown>): string => String(memberUser(member)["id"] ?? "")

/**
 * The gateway simulator's state machine.
 *
 * @internal
 */
export class Engine implements TransportHost {
  readonly payloads: Array<ClientPayload> = []
  readonly closes: Array<ClientClose> = []
  readonly connections: Array<OpenedConnection> = []
  ackHeartbeats: boolean
  requiredShards: number | undefined
  /** When set, every new connection is closed with this code before Hello (an outage). */
  refuseWith: number | undefined = undefined
  /** When set, new connections get no Hello ("hello"), or Identify/Resume get no answer ("ready"). */
  stall: "hello" | "ready" | undefined = undefined
  /** WebSocket payload bytes of every frame sent so far, on every connection (text as UTF-8). */
  bytesSent = 0
  private holding = false

  private readonly conns = new Map<Transport, Conn>()
  private readonly liveConns: Array<Conn> = []
  private readonly sessionList: Array<Session> = []
  private readonly sessionsById = new Map<string, Session>()
  private readonly lastIdentify = new Map<number, number>()
  private readonly guildData: ReadonlyArray<GuildData>
  private readonly listeners = new Set<() => void>()
  private connectionCounter = 0
  private sessionCounter = 0
  private sessionStartsRemaining: number
  private sessionStartsResetAt: number

  constructor(readonly options: EngineOptions) {
    this.ackHeartbeats = options.ackHeartbeats
    this.requiredShards = options.requiredShards
    this.sessionStartsRemaining = options.sessionStartLimit.remaining
    this.sessionStartsResetAt = options.now() + options.sessionStartLimit.resetAfter
    this.guildData = options.guilds.map((id, i) => {
      const create = Fixtures.guildCreate(id, {
        ...options.guildOptions,
        name: `Simulated Guild ${i + 1}`
      })
      const members = Array.isArray(create["members"]) ? create["members"].filter(isRecord) : []
      return { id, create, members }
    })
  }

  // ---------------------------------------------------------------------------
  // observation
  // ---------------------------------------------------------------------------

  /** Calls `listener` after every new observation; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener()
  }

  /** The body of `GET /gateway/bot`: session starts are counted by every accepted Identify. */
  gatewayBot(): {
    readonly url: string
    readonly shards: number
    readonly session_start_limit: {
      readonly total: number
      readonly remaining: number
      readonly reset_after: number
      readonly max_concurrency: number
    }
  } {
    this.resetSessionStarts()
    return {
      url: this.options.url,
      shards: Math.max(this.options.shards, this.requiredShards ?? 1),
      session_start_limit: {
        total: this.options.sessionStartLimit.total,
        remaining: this.sessionStartsRemaining,
        reset_after: Math.max(0, this.sessionStartsResetAt - this.options.now()),
        max_concurrency: this.options.maxConcurrency
      }
    }
  }

  private resetSessionStarts(): void {
    const now = this.options.now()
    if (now >= this.sessionStartsResetAt) {
      this.sessionStartsRemaining = this.options.sessionStartLimit.total
      this.sessionStartsResetAt = now + 24 * 60 * 60 * 1000
    }
  }

  sessions(): ReadonlyArray<SessionView> {
    return this.sessionList.map((s) => ({ id: s.id, shard: s.shard, log: [...s.log] }))
  }

  // ---------------------------------------------------------------------------
  // transport events
  // ---------------------------------------------------------------------------

  onOpen(transport: Transport, url: string): void {
    const id = ++this.connectionCounter
    const params = new URL(url, "ws://simulator.invalid").searchParams
    const compress = params.get("compress")
    const conn = new Conn(
      id,
      url,
      params.get("encoding") === "etf" ? "etf" : "json",
      transport,
      compress === "zlib-stream"
        ? zlibCompressor()
        : compress === "zstd-stream" && canCompressZstd
        ? zstdCompressor()
        : undefined,
      // zstd-stream: each WebSocket message is one gateway message (gateway.mdx, "zstd-stream").
      this.options.splitCompressedFrames && compress === "zlib-stream",
      this
    )
    this.conns.set(transport, conn)
    this.liveConns.push(conn)
    if (this.holding) conn.hold(true)
    this.connections.push({ connection: id, url })
    this.notify()
    if (this.refuseWith !== undefined) {
      return this.serverClose(conn, this.refuseWith, "Refused by the simulator.")
    }
    if (params.get("v") !== String(GatewayVersion)) {
      return this.serverClose(conn, CloseCode.InvalidApiVersion, "Invalid API version.")
    }
    const encoding = params.get("encoding")
    if (encoding !== "json" && encoding !== "etf") {
      return this.serverClose(conn, CloseCode.DecodeError, "Unsupported encoding.")
    }
    if (compress !== null && compress !== "zlib-stream" && !(compress === "zstd-stream" && canCompressZstd)) {
      return this.serverClose(conn, CloseCode.DecodeError, "Unsupported compression.")
    }
    if (this.stall === "hello") return
    this.sendJson(conn, { op: Op.Hello, d: { heartbeat_interval: this.options.heartbeatInterval }, s: null, t: null })
  }

  onClose(transport: Transport, code: number, reason: string): void {
    const conn = this.conns.get(transport)
    if (conn === undefined || !conn.open) return
    this.markClosed(conn)
    this.closes.push({ connection: conn.id, code, reason })
    // Closing with 1000 or 1001 ends the session on Discord's side
    if ((code === 1000 || code === 1001) && conn.session !== undefined) conn.session.invalidated = true
    this.notify()
  }

  onMessage(transport: Transport, data: string | Uint8Array): void {
    const conn = this.conns.get(transport)
    if (conn === undefined || !conn.open) return
    // JSON comes in text frames, ETF in binary ones.
    if ((typeof data === "string") !== (conn.encoding === "json")) {
      return this.serverClose(conn, CloseCode.DecodeError, "Error while decoding payload.")
    }
    if ((typeof data === "string" ? textEncoder.encode(data).length : data.byteLength) > MaxPayloadBytes) {
      return this.serverClose(conn, CloseCode.DecodeError, "Payload too large.")
    }
    let payload: unknown
    if (typeof data === "string") {
      try {
        payload = JSON.parse(data)
      } catch {
        return this.serverClose(conn, CloseCode.DecodeError, "Error while decoding payload.")
      }
    } else {
      const decoded = Etf.decode(data)
      if (Either.isLeft(decoded)) return this.serverClose(conn, CloseCode.DecodeError, "Error while decoding payload.")
      payload = decoded.right
    }
    if (!isRecord(payload) || typeof payload["op"] !== "number") {
      return this.serverClose(conn, CloseCode.DecodeError, "Error while decoding payload.")
    }
    const op = payload["op"]
    const d = payload["d"] ?? null
    const at = this.options.now()
    this.payloads.push({ connection: conn.id, op, d, at })
    this.notify()

    if (op !== Op.Heartbeat || this.options.countHeartbeats) conn.sent.push(at)
    while (conn.sent.length > 0 && conn.sent[0]! <= at - SendWindowMillis) conn.sent.shift()
    if (conn.sent.length > SendLimit) {
      return this.serverClose(conn, CloseCode.RateLimited, "You are being rate limited.")
    }
    if (!clientOps.has(op)) {
      return this.serverClose(conn, CloseCode.UnknownOpcode, "Unknown opcode.")
    }
    if (!conn.authenticated && op !== Op.Heartbeat && op !== Op.Identify && op !== Op.Resume) {
      return this.serverClose(conn, CloseCode.NotAuthenticated, "Not authenticated.")
    }
    if (conn.authenticated && (op === Op.Identify || op === Op.Resume)) {
      return this.serverClose(conn, CloseCode.AlreadyAuthenticated, "Already authenticated.")
    }
    switch (op) {
      case Op.Heartbeat: {
        if (this.ackHeartbeats) this.sendJson(conn, { op: Op.HeartbeatAck, d: null, s: null, t: null })
        return
      }
      case Op.Identify:
        return this.stall === "ready" ? undefined : this.identify(conn, d)
      case Op.Resume:
        return this.stall === "ready" ? undefined : this.resume(conn, d)
      case Op.RequestGuildMembers:
        return this.requestGuildMembers(conn, d)
      case Op.RequestSoundboardSounds:
        return this.requestSoundboardSounds(conn, d)
      default:
        return
    }
  }

  // ---------------------------------------------------------------------------
  // commands
  // ---------------------------------------------------------------------------

  private identify(conn: Conn, d: unknown): void {
    if (!isRecord(d)) return this.serverClose(conn, CloseCode.DecodeError, "Error while decoding payload.")
    if (d["token"] !== this.options.token) {
      return this.serverClose(conn, CloseCode.AuthenticationFailed, "Authentication failed.")
    }
    const intents = d["intents"]
    if (
      typeof intents !== "number" || !Number.isInteger(intents) || intents < 0 ||
      (intents & ~knownIntents) !== 0 || intents > knownIntents
    ) {
      return this.serverClose(conn, CloseCode.InvalidIntents, "Invalid intent(s).")
    }
    if ((intents & privilegedIntents & ~this.options.allowedPrivilegedIntents) !== 0) {
      return this.serverClose(conn, CloseCode.DisallowedIntents, "Disallowed intent(s).")
    }
    let shard: readonly [number, number] | undefined
    const rawShard = d["shard"]
    if (rawShard !== undefined && rawShard !== null) {
      if (
        !Array.isArray(rawShard) || rawShard.length !== 2 ||
        !rawShard.every((n) => typeof n === "number" && Number.isInteger(n))
      ) {
        return this.serverClose(conn, CloseCode.InvalidShard, "Invalid shard.")
      }
      const [id, count] = rawShard as [number, number]
      if (id < 0 || count < 1 || id >= count) return this.serverClose(conn, CloseCode.InvalidShard, "Invalid shard.")
      shard = [id, count]
    }
    if (this.requiredShards !== undefined && (shard === undefined || shard[1] < this.requiredShards)) {
      return this.serverClose(conn, CloseCode.ShardingRequired, "Sharding required.")
    }
    // max_concurrency: one identify per rate-limit bucket per 5 seconds
    const bucket = (shard?.[0] ?? 0) % Math.max(1, this.options.maxConcurrency)
    const now = this.options.now()
    const last = this.lastIdentify.get(bucket)
    if (last !== undefined && now - last < identifyWindowMillis) {
      this.sendJson(conn, { op: Op.InvalidSession, d: false, s: null, t: null })
      return
    }
    this.lastIdentify.set(bucket, now)
    this.resetSessionStarts()
    this.sessionStartsRemaining = Math.max(0, this.sessionStartsRemaining - 1)

    const session: Session = {
      id: `sim-session-${++this.sessionCounter}`,
      shard,
      intents,
      log: [],
      // The last sequence sent: the first dispatch gets `firstSequence`.
      seq: this.options.firstSequence - 1,
      connection: undefined,
      invalidated: false,
      detachedAt: undefined
    }
    this.sessionList.push(session)
    this.sessionsById.set(session.id, session)
    this.attach(conn, session)

    const guilds = this.guildData.filter((g) => this.onShard(g.id, shard))
    this.dispatchTo(
      session,
      "READY",
      Fixtures.ready({
        sessionId: session.id,
        guildIds: guilds.map((g) => g.id),
        resumeGatewayUrl: this.resumeUrl(),
        ...(shard === undefined ? {} : { shard })
      })
    )
    for (const guild of guilds) this.dispatchTo(session, "GUILD_CREATE", guild.create)
  }

  private resume(conn: Conn, d: unknown): void {
    if (!isRecord(d)) return this.serverClose(conn, CloseCode.DecodeError, "Error while decoding payload.")
    if (d["token"] !== this.options.token) {
      return this.serverClose(conn, CloseCode.AuthenticationFailed, "Authentication failed.")
    }
    const session = typeof d["session_id"] === "string" ? this.sessionsById.get(d["session_id"]) : undefined
    const now = this.options.now()
    if (
      session === undefined || session.invalidated ||
      (session.connection === undefined && session.detachedAt !== undefined &&
        now - session.detachedAt > this.options.sessionTimeoutMs)
    ) {
      if (session !== undefined) session.invalidated = true
      this.sendJson(conn, { op: Op.InvalidSession, d: false, s: null, t: null })
      return
    }
    const seq = typeof d["seq"] === "number" ? d["seq"] : 0
    if (seq > session.seq) return this.serverClose(conn, CloseCode.InvalidSeq, "Invalid seq.")
    if (session.connection !== undefined) {
      // A second connection takes the session over; the old one stops receiving it
      session.connection.session = undefined
      session.connection.authenticated = false
    }
    this.attach(conn, session)
    for (const entry of session.log) {
      if (entry.s > seq) this.sendJson(conn, { op: Op.Dispatch, d: entry.d, s: entry.s, t: entry.t })
    }
    this.dispatchTo(session, "RESUMED", null)
  }

  private requestGuildMembers(conn: Conn, d: unknown): void {
    const session = conn.session
    if (!isRecord(d) || session === undefined) return
    const guild = this.guildData.find((g) => g.id === String(d["guild_id"]))
    if (guild === undefined) return
    const nonce = typeof d["nonce"] === "string" ? d["nonce"] : undefined
    const rawIds = d["user_ids"]
    const ids = rawIds === undefined || rawIds === null
      ? undefined
      : (Array.isArray(rawIds) ? rawIds : [rawIds]).map(String)
    let members: ReadonlyArray<Record<string, unknown>>
    let notFound: Array<string> = []
    if (ids !== undefined) {
      const byId = new Map(guild.members.map((m) => [memberId(m), m] as const))
      members = ids.flatMap((id) => {
        const member = byId.get(id)
        return member === undefined ? [] : [member]
      })
      notFound = ids.filter((id) => !byId.has(id))
    } else {
      const query = typeof d["query"] === "string" ? d["query"].toLowerCase() : ""
      members = guild.members.filter((m) =>
        String(memberUser(m)["username"] ?? "").toLowerCase().startsWith(query)
      )
    }
    const limit = typeof d["limit"] === "number" ? d["limit"] : 0
    if (limit > 0) members = members.slice(0, limit)
    const withPresences = d["presences"] === true
    const count = Math.max(1, Math.ceil(members.length / maxMembersPerChunk))
    for (let index = 0; index < count; index++) {
      const chunk = members.slice(index * maxMembersPerChunk, (index + 1) * maxMembersPerChunk)
      this.dispatchTo(session, "GUILD_MEMBERS_CHUNK", {
        guild_id: guild.id,
        members: chunk,
        chunk_index: index,
        chunk_count: count,
        ...(index === 0 && notFound.length > 0 ? { not_found: notFound } : {}),
        ...(withPresences ? { presences: chunk.map((m) => Fixtures.presenceUpdate(memberId(m), guild.id)) } : {}),
        ...(nonce === undefined ? {} : { nonce })
      })
    }
  }

  private requestSoundboardSounds(conn: Conn, d: unknown): void {
    const session = conn.session
    if (!isRecord(d) || session === undefined || !Array.isArray(d["guild_ids"])) return
    for (const guildId of d["guild_ids"]) {
      this.dispatchTo(session, "SOUNDBOARD_SOUNDS", { guild_id: String(guildId), soundboard_sounds: [] })
    }
  }

  // ---------------------------------------------------------------------------
  // controls
  // ---------------------------------------------------------------------------

  /** Dispatches to a session (default: the newest); returns the `s`, or 0 without a session. */
  dispatch(t: string, d: unknown, sessionId?: string): number {
    const session = sessionId === undefined
      ? this.sessionList[this.sessionList.length - 1]
      : this.sessionsById.get(sessionId)
    if (session === undefined) return 0
    return this.dispatchTo(session, t, d)
  }

  /**
   * Dispatches a guild's event the way Discord routes it: to every live session whose
   * shard owns the guild (`(guild_id >> 22) % num_shards`). Returns how many got it.
   */
  dispatchGuild(t: string, d: unknown, guildId: string): number {
    let reached = 0
    for (const session of this.sessionList) {
      if (session.invalidated || !this.onShard(guildId, session.shard)) continue
      this.dispatchTo(session, t, d)
      reached++
    }
    return reached
  }

  reconnect(connection?: number): void {
    this.withConn(connection, (conn) => this.sendJson(conn, { op: Op.Reconnect, d: null, s: null, t: null }))
  }

  invalidSession(resumable: boolean, connection?: number): void {
    this.withConn(connection, (conn) => {
      if (!resumable && conn.session !== undefined) conn.session.invalidated = true
      this.sendJson(conn, { op: Op.InvalidSession, d: resumable, s: null, t: null })
    })
  }

  close(code: number, reason: string, connection?: number): void {
    this.withConn(connection, (conn) => this.serverClose(conn, code, reason))
  }

  drop(connection?: number): void {
    this.withConn(connection, (conn) => {
      this.markClosed(conn)
      conn.terminate()
    })
  }

  requestHeartbeat(connection?: number): void {
    this.withConn(connection, (conn) => this.sendJson(conn, { op: Op.Heartbeat, d: null, s: null, t: null }))
  }

  sendRaw(frame: string | Uint8Array, connection?: number): void {
    this.withConn(connection, (conn) => conn.push({ _tag: "raw", frame }))
  }

  /** The ids of the live connections, oldest first. */
  liveConnectionIds(): Array<number> {
    return this.liveConns.map((conn) => conn.id)
  }

  /** Holds (or releases) the outbound frames of every connection, current and new. */
  holdFrames(held: boolean): void {
    this.holding = held
    for (const conn of this.liveConns) conn.hold(held)
  }

  invalidateSessions(): void {
    for (const session of this.sessionList) session.invalidated = true
  }

  /** Terminates every connection (the simulator is shutting down). */
  shutdown(): void {
    for (const conn of [...this.liveConns]) {
      this.markClosed(conn)
      conn.terminate()
    }
  }

  // ---------------------------------------------------------------------------
  // helpers
  // ---------------------------------------------------------------------------

  private withConn(connection: number | undefined, f: (conn: Conn) => void): void {
    const conn = connection === undefined
      ? this.liveConns[this.liveConns.length - 1]
      : this.liveConns.find((c) => c.id === connection)
    if (conn !== undefined) f(conn)
  }

  private attach(conn: Conn, session: Session): void {
    conn.authenticated = true
    conn.session = session
    session.connection = conn
    session.detachedAt = undefined
  }

  private dispatchTo(session: Session, t: string, d: unknown): number {
    const s = ++session.seq
    session.log.push({ s, t, d })
    if (session.connection !== undefined) this.sendJson(session.connection, { op: Op.Dispatch, d, s, t })
    return s
  }

  private sendJson(
    conn: Conn,
    payload: { readonly op: number; readonly d: unknown; readonly s: number | null; readonly t: string | null }
  ): void {
    if (!conn.open) return
    if (conn.encoding === "json") return conn.push({ _tag: "json", text: JSON.stringify(payload) })
    const encoded = Etf.encode(asDiscordSendsEtf(payload))
    // The simulator's own payloads are JSON-like: they always encode.
    if (Either.isRight(encoded)) conn.push({ _tag: "json", text: encoded.right })
  }

  private serverClose(conn: Conn, code: number, reason: string): void {
    if (!conn.open) return
    // 4007 and 4009 tell the client to start a new session, so the old one is gone
    if ((code === CloseCode.InvalidSeq || code === CloseCode.SessionTimedOut) && conn.session !== undefined) {
      conn.session.invalidated = true
    }
    this.markClosed(conn)
    conn.push({ _tag: "close", code, reason })
  }

  private markClosed(conn: Conn): void {
    if (!conn.open) return
    conn.open = false
    const index = this.liveConns.indexOf(conn)
    if (index >= 0) this.liveConns.splice(index, 1)
    const session = conn.session
    if (session !== undefined && session.connection === conn) {
      session.connection = undefined
      session.detachedAt = this.options.now()
    }
  }

  private onShard(guildId: string, shard: readonly [number, number] | undefined): boolean {
    if (shard === undefined) return true
    return Number((BigInt(guildId) >> 22n) % BigInt(shard[1])) === shard[0]
  }

  private resumeUrl(): string {
    const configured = this.options.resumeUrl
    if (configured === undefined) return this.options.url
    // A path-only resume URL is resolved against the simulator's own address
    return configured.startsWith("/") ? new URL(configured, this.options.url).toString() : configured
  }
}
