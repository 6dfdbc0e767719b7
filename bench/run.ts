/**
 * Throughput benchmark: one localhost gateway simulator blasts realistic ~2.5 KB
 * MESSAGE_CREATE events at a client running in its own process, one workload after the other:
 *
 * - json:        N uncompressed JSON text frames (`encoding=json`, no transport compression);
 * - zlib-stream: N messages over `compress=zlib-stream`. The whole sequence is compressed once,
 *                on one deflate context, into a list of binary frames before the clock starts;
 *                the server then only sends those raw frames, so only the client's inflate and
 *                decoding are measured.
 * - zstd-stream: the zlib-stream workload's messages over `compress=zstd-stream`, compressed by the
 *                simulator per message (needs Node 22.15 or later); only our clients speak it.
 * - etf:         the json workload's N messages as ETF binary frames (`encoding=etf`), snowflakes as
 *                64-bit integers as Discord sends them, encoded before the clock starts; only our
 *                clients speak it.
 *
 * and, in each workload, for each client:
 *
 * - bare:          `ws` + `JSON.parse` only (the floor); on zlib-stream also this package's
 *                  `src/internal/inflate.ts` (the same inflater `ours` uses),
 * - ours:          this package's Gateway, every event decoded with the full Schema,
 * - ours (envelope only), `--clients ours-envelope`: the same client with `decode: "none"`: every
 *                  dispatch is published as UNKNOWN_EVENT with its raw data, no Schema check, so
 *                  ours − envelope is what validation costs, and envelope − bare what the rest of
 *                  the Gateway (Effect fibers, queues, the event hub) costs,
 * - @discordjs/ws: discord.js's WebSocketManager (JSON.parse, no validation); on zlib-stream
 *                  `CompressionMethod.ZlibNative` (node:zlib's Inflate stream), the only one it
 *                  supports here: its other method needs the native `zlib-sync` addon.
 *
 * - idle:        N shards connected and READY, then an idle window with heartbeats every second
 *                  as the only traffic: CPU per shard and RSS per shard (bench/idle.ts; the
 *                  envelope-only client is not run there: no dispatch arrives while idle).
 * - guild:       one large GUILD_CREATE (~5 MB) sent several times after READY, with 250 ms heartbeats:
 *                  the time to deliver it, the in-process parse and validation times, and how late
 *                  the heartbeats and their ACKs are because of it (bench/guild.ts).
 *
 * Usage: npm run bench -- [--n N] [--quick] [--rounds R] [--clients bare,ours,ours-envelope,discordjs]
 *                         [--workloads json,zlib-stream,zstd-stream,etf,idle,guild,allocation-sites,primitives] [--dispatch] [--shards 100,1000] [--idle-window S]
 *                         [--idle-guilds 0|1] [--guild-sends K] [--guild-members M]
 * `--n` sets N for every workload (defaults: json 100 000, zlib-stream 50 000; `--quick`: 10 000 and 20 000).
 * Profiling a client: BENCH_CHILD_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- --clients ours
 * Our client's consumer: BENCH_CONSUMER=chunk consumes with `Stream.runForEachChunk` instead of `Stream.runForEach`.
 *
 * Every row also has the bytes on the wire per event: what the simulator wrote (`sim.bytesSent`, WebSocket
 * payloads without frame headers) from the blast's first message to the client's exit, divided by N. After
 * the workloads, one table lists every client × transport of the run (json, zlib-stream, zstd-stream, etf).
 *
 * Each client is a child process (plain `node` on the JavaScript `bench/compile.ts` emits), so the server's
 * CPU is not counted and RSS is the client's own. The parent dispatches with a bounded
 * window of messages in flight (the client reports progress over IPC), so the measure is
 * what the client consumes, not what the server buffers. A fresh simulator serves each
 * child (the simulator enforces one identify per 5 s per bucket, like Discord).
 *
 * A new workload is one more entry of `workloads` below: how the simulator is configured,
 * what the client is told (`BENCH_COMPRESSION`), and which frames carry message i.
 */
import { spawn } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as zlib from "node:zlib"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Either from "effect/Either"
import * as Etf from "../src/internal/etf.js"
import { asDiscordSendsEtf, canCompressZstd } from "../src/testing/internal/engine.js"
import * as Fixtures from "../src/testing/fixtures.js"
import { serve, type SimulatorOptions } from "../src/testing/Simulator.js"
import { compiledClient } from "./compile.js"
import type { ClientResult } from "./common.js"
import { checkAllocationSites } from "./allocationSites.js"
import { runGuild } from "./guild.js"
import { idleClients, runIdle } from "./idle.js"
import { runPrimitives } from "./primitives.js"

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, "..")

// ---------------------------------------------------------------------------
// arguments
// ---------------------------------------------------------------------------

const argv = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : undefined
}
const quick = argv.includes("--quick")
/**
 * `--dispatch` (json and zlib-stream workloads; zstd-stream always does): send through `sim.dispatch`
 * (JSON.stringify, and the compression, of every payload in the parent, ~55k/s uncompressed on one core). Default: `sim.sendRaw` of the same frames pre-serialized (the `d` of
 * each pooled message is stringified once; `s` continues the session's sequence), so the server outruns
 * every client.
 */
const viaDispatch = argv.includes("--dispatch")
const nOverride = flag("--n") === undefined ? undefined : Number(flag("--n"))
const rounds = Number(flag("--rounds") ?? (quick ? 1 : 3))
/** Each client: its program and what it is told besides the workload's settings. */
const allClients = {
  bare: { file: "client-bare.ts", env: {} },
  ours: { file: "client-ours.ts", env: { BENCH_DECODE: "full" } },
  "ours-envelope": { file: "client-ours.ts", env: { BENCH_DECODE: "none" } },
  discordjs: { file: "client-discordjs.ts", env: {} }
} as const
type ClientName = keyof typeof allClients
const clients = (flag("--clients")?.split(",") ?? Object.keys(allClients)) as Array<ClientName>
for (const c of clients) if (!(c in allClients)) throw new Error(`unknown client ${c}`)
if (nOverride !== undefined && (!Number.isInteger(nOverride) || nOverride < 2)) {
  throw new Error("--n must be an integer >= 2")
}
if (!Number.isInteger(rounds) || rounds < 1) throw new Error("--rounds must be an integer >= 1")

const token = "bench-token"
/** Messages dispatched but not yet reported consumed by the client. */
const window = 8_192
/** Dispatches per macrotask, so the socket gets to write between batches. */
const batch = 500
const childTimeoutMs = 180_000

// ---------------------------------------------------------------------------
// payloads: pools of distinct messages, cycled
// ---------------------------------------------------------------------------

const makePool = (content: (i: number) => string, author: (i: number) => number, channel: (i: number) => number) =>
  Array.from({ length: 1024 }, (_, i) =>
    Fixtures.messageCreate({
      id: Fixtures.snowflake(1_000_000 + i),
      channelId: Fixtures.snowflake(channel(i)),
      authorId: Fixtures.snowflake(author(i)),
      content: content(i)
    }))

/** A seeded PRNG (mulberry32), so every run sends the same bytes. */
const prng = (seed: number) => (): number => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** The json workload's pool: one author, one channel, near-identical contents. */
const uniformPool = makePool((i) => `benchmark message ${i}: the quick brown fox jumps over the lazy dog`, () => 2, () => 900)

/**
 * The zlib-stream workload's pool. The uniform pool compresses ~37× on one zlib context (each
 * message is a near copy of the one before it), which flatters every inflater; here authors,
 * channels and the length and words of the content vary, closer to a busy bot's traffic.
 */
const variedPool = (() => {
  const random = prng(8)
  const words = Array.from({ length: 2_000 }, () =>
    Array.from({ length: 2 + Math.floor(random() * 8) }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join(""))
  const contents = Array.from({ length: 1024 }, () =>
    Array.from({ length: 1 + Math.floor(random() * 60) }, () => words[Math.floor(random() * words.length)]).join(" "))
  const authors = Array.from({ length: 1024 }, () => 10_000 + Math.floor(random() * 5_000))
  const channels = Array.from({ length: 1024 }, () => 900 + Math.floor(random() * 50))
  return makePool((i) => contents[i]!, (i) => authors[i]!, (i) => channels[i]!)
})()

/** The frame the simulator's dispatch would produce for message i (key order op, d, s, t). */
const frameText = (poolJson: ReadonlyArray<string>, baseSequence: number, i: number): string =>
  `{"op":0,"d":${poolJson[i % poolJson.length]},"s":${baseSequence + i + 1},"t":"MESSAGE_CREATE"}`

/** Mean bytes of messages 0..n-1 as JSON frames (the sequence numbers of a session's first frames). */
const meanFrameBytes = (poolJson: ReadonlyArray<string>, n: number): number => {
  let bytes = 0
  for (let i = 0; i < n; i++) bytes += Buffer.byteLength(frameText(poolJson, 2, i))
  return Math.round((bytes / n) * 10) / 10
}

// ---------------------------------------------------------------------------
// workloads
// ---------------------------------------------------------------------------

interface Workload {
  readonly name: string
  /** One line printed above the workload's table. */
  readonly description: string
  readonly n: number
  readonly simulator: SimulatorOptions
  /** What the client is told: `BENCH_COMPRESSION` is `"none"` or `"zlib-stream"`, `BENCH_ENCODING` `"json"` or `"etf"`. */
  readonly clientEnv: Readonly<Record<string, string>>
  /** The clients that speak this workload's protocol (default: all). */
  readonly clients?: ReadonlyArray<ClientName> | undefined
  /** Bytes of one uncompressed message frame (the first of the pool). */
  readonly payloadBytes: number
  /** Mean bytes of the N messages as uncompressed JSON frames: what bytes per event are measured against. */
  readonly jsonBytes: number
  /**
   * Everything the server needs before the clock starts, once the session's sequence is known;
   * returns how to send messages [from, to).
   */
  readonly prepare: (baseSequence: number) => Promise<(sim: BlastTarget, from: number, to: number) => void>
  /** Facts about the prepared frames, reported with the results. */
  readonly facts: () => Record<string, unknown>
}

interface BlastTarget {
  readonly dispatch: (event: string, d: unknown) => Effect.Effect<void>
  readonly sendRaw: (frame: string | Uint8Array) => Effect.Effect<void>
}

const jsonWorkload = (): Workload => {
  const n = nOverride ?? (quick ? 10_000 : 100_000)
  const poolJson = uniformPool.map((d) => JSON.stringify(d))
  return {
    name: "json",
    description: `${n} MESSAGE_CREATE, uncompressed JSON text frames, server ${
      viaDispatch ? "sim.dispatch (stringify per message)" : "sim.sendRaw (pre-serialized frames)"
    }`,
    n,
    simulator: { token, guilds: 1 },
    clientEnv: { BENCH_COMPRESSION: "none" },
    payloadBytes: Buffer.byteLength(frameText(poolJson, 0, 0)),
    jsonBytes: meanFrameBytes(poolJson, n),
    prepare: (baseSequence) =>
      Promise.resolve((sim, from, to) => {
        if (viaDispatch) {
          for (let i = from; i < to; i++) Effect.runSync(sim.dispatch("MESSAGE_CREATE", uniformPool[i % uniformPool.length]))
        } else {
          for (let i = from; i < to; i++) Effect.runSync(sim.sendRaw(frameText(poolJson, baseSequence, i)))
        }
      }),
    facts: () => ({ pool: "uniform", server: viaDispatch ? "dispatch" : "sendRaw" })
  }
}

/**
 * Compresses the whole sequence on one raw-deflate context, each message ended by a
 * Z_SYNC_FLUSH. The simulator's own zlib context has already sent Hello, READY and
 * GUILD_CREATE (also ended by sync flushes), so the client's inflater sits at a block
 * boundary: blocks from another deflate context are a valid continuation as long as
 * they only refer back into their own output, which raw deflate from a fresh context does.
 * The simulator must send nothing compressed after them, hence the hour-long heartbeat
 * interval of this workload (no heartbeat, so no ACK, during the blast).
 */
const compressSequence = async (texts: ReadonlyArray<string>): Promise<Array<Buffer>> => {
  const deflate = zlib.createDeflateRaw()
  let chunks: Array<Buffer> = []
  deflate.on("data", (chunk: Buffer) => chunks.push(chunk))
  const frames: Array<Buffer> = []
  try {
    for (const text of texts) {
      deflate.write(text)
      await new Promise<void>((resolve) => deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()))
      const frame = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
      chunks = []
      if (frame.length < 4 || frame.readUInt32BE(frame.length - 4) !== 0x0000ffff) {
        throw new Error("a compressed message does not end with the Z_SYNC_FLUSH suffix")
      }
      frames.push(frame)
    }
  } finally {
    deflate.close()
  }
  return frames
}

const zlibStreamWorkload = (): Workload => {
  const n = nOverride ?? (quick ? 20_000 : 50_000)
  const poolJson = variedPool.map((d) => JSON.stringify(d))
  let cached: { readonly baseSequence: number; readonly frames: Array<Buffer>; readonly ms: number } | undefined
  let rawBytes = 0
  for (let i = 0; i < n; i++) rawBytes += Buffer.byteLength(frameText(poolJson, 0, i))
  return {
    name: "zlib-stream",
    description: viaDispatch
      ? `${n} MESSAGE_CREATE over compress=zlib-stream, compressed by the simulator per message (sim.dispatch)`
      : `${n} MESSAGE_CREATE over compress=zlib-stream, pre-compressed on one context before the clock ` +
        `starts; the server sends raw binary frames`,
    n,
    // No heartbeat (so no compressed ACK) during the blast of frames compressed on another context.
    simulator: { token, guilds: 1, heartbeatInterval: viaDispatch ? 41_250 : 3_600_000 },
    clientEnv: { BENCH_COMPRESSION: "zlib-stream" },
    payloadBytes: Buffer.byteLength(frameText(poolJson, 0, 0)),
    jsonBytes: meanFrameBytes(poolJson, n),
    prepare: async (baseSequence) => {
      if (viaDispatch) {
        // As the zstd-stream workload does: compressed by the simulator per message, on its own context.
        return (sim, from, to) => {
          for (let i = from; i < to; i++) Effect.runSync(sim.dispatch("MESSAGE_CREATE", variedPool[i % variedPool.length]))
        }
      }
      // Every client reaches the same sequence (READY, GUILD_CREATE), so this runs once
      if (cached === undefined || cached.baseSequence !== baseSequence) {
        const start = performance.now()
        const frames = await compressSequence(Array.from({ length: n }, (_, i) => frameText(poolJson, baseSequence, i)))
        cached = { baseSequence, frames, ms: performance.now() - start }
      }
      const frames = cached.frames
      return (sim, from, to) => {
        for (let i = from; i < to; i++) Effect.runSync(sim.sendRaw(frames[i]!))
      }
    },
    facts: () => {
      const compressedBytes = cached?.frames.reduce((sum, f) => sum + f.length, 0) ?? 0
      return {
        pool: "varied",
        server: viaDispatch ? "dispatch (compressed per message)" : "sendRaw (pre-compressed)",
        meanMessageBytes: Math.round(rawBytes / n),
        meanCompressedBytes: cached === undefined || viaDispatch ? undefined : Math.round(compressedBytes / n),
        compressionRatio: cached === undefined || viaDispatch
          ? undefined
          : Math.round((rawBytes / compressedBytes) * 100) / 100,
        precompressMs: cached === undefined || viaDispatch ? undefined : Math.round(cached.ms)
      }
    }
  }
}

/**
 * The json workload's messages in ETF, as Discord sends them (snowflakes as 64-bit integers),
 * encoded before the clock starts and sent as binary frames. Only our clients speak ETF.
 */
const etfWorkload = (): Workload => {
  const n = nOverride ?? (quick ? 10_000 : 100_000)
  const poolJson = uniformPool.map((d) => JSON.stringify(d))
  const frameOf = (baseSequence: number, i: number): Uint8Array => {
    const frame = { op: 0, d: asDiscordSendsEtf(uniformPool[i % uniformPool.length]), s: baseSequence + i + 1, t: "MESSAGE_CREATE" }
    return Either.getOrThrow(Etf.encode(frame))
  }
  let cached: { readonly baseSequence: number; readonly frames: Array<Uint8Array> } | undefined
  return {
    name: "etf",
    description: `${n} MESSAGE_CREATE (the json workload's), ETF binary frames encoded before the clock starts`,
    n,
    simulator: { token, guilds: 1 },
    clientEnv: { BENCH_COMPRESSION: "none", BENCH_ENCODING: "etf" },
    clients: ["ours", "ours-envelope"],
    payloadBytes: frameOf(0, 0).byteLength,
    jsonBytes: meanFrameBytes(poolJson, n),
    prepare: (baseSequence) => {
      if (cached === undefined || cached.baseSequence !== baseSequence) {
        cached = { baseSequence, frames: Array.from({ length: n }, (_, i) => frameOf(baseSequence, i)) }
      }
      const frames = cached.frames
      return Promise.resolve((sim, from, to) => {
        for (let i = from; i < to; i++) Effect.runSync(sim.sendRaw(frames[i]!))
      })
    },
    facts: () => ({
      pool: "uniform",
      server: "sendRaw (pre-encoded)",
      etfBytes: frameOf(0, 0).byteLength,
      jsonBytes: Buffer.byteLength(frameText(poolJson, 0, 0))
    })
  }
}

/**
 * The zlib-stream workload's messages over `compress=zstd-stream`. A zstd stream cannot be
 * continued from another context the way raw deflate blocks can, so the simulator compresses each
 * message on the connection's own stream as it dispatches it (node:zlib's zstd: Node 22.15 and
 * later); the client's side, the one measured, is the same either way. Our clients only.
 */
const zstdStreamWorkload = (): Workload => {
  const n = nOverride ?? (quick ? 20_000 : 50_000)
  const poolJson = variedPool.map((d) => JSON.stringify(d))
  return {
    name: "zstd-stream",
    description: `${n} MESSAGE_CREATE over compress=zstd-stream, compressed by the simulator per message (sim.dispatch)`,
    n,
    simulator: { token, guilds: 1 },
    clientEnv: { BENCH_COMPRESSION: "zstd-stream" },
    clients: ["ours", "ours-envelope"],
    payloadBytes: Buffer.byteLength(frameText(poolJson, 0, 0)),
    jsonBytes: meanFrameBytes(poolJson, n),
    prepare: () =>
      Promise.resolve((sim, from, to) => {
        for (let i = from; i < to; i++) Effect.runSync(sim.dispatch("MESSAGE_CREATE", variedPool[i % variedPool.length]))
      }),
    facts: () => ({ pool: "varied", server: "dispatch (compressed per message)" })
  }
}

const allWorkloads = {
  json: jsonWorkload,
  "zlib-stream": zlibStreamWorkload,
  "zstd-stream": zstdStreamWorkload,
  etf: etfWorkload
} as const
/** Workloads with their own runner (bench/idle.ts, bench/guild.ts). */
const ownRunners = ["idle", "guild", "allocation-sites", "primitives"] as const
type OwnRunner = typeof ownRunners[number]
const isOwnRunner = (w: string): w is OwnRunner => (ownRunners as ReadonlyArray<string>).includes(w)
type WorkloadName = keyof typeof allWorkloads | OwnRunner
// zstd-stream only where the simulator can compress it (node:zlib's zstd, Node 22.15 and later).
// primitives (bench/primitives.ts, ~20 min at full size) runs only when named.
const defaultWorkloads = [
  ...Object.keys(allWorkloads).filter((w) => w !== "zstd-stream" || canCompressZstd),
  ...ownRunners.filter((w) => w !== "primitives")
]
const workloadNames = (flag("--workloads")?.split(",") ?? defaultWorkloads) as Array<WorkloadName>
for (const w of workloadNames) if (!isOwnRunner(w) && !(w in allWorkloads)) throw new Error(`unknown workload ${w}`)
if (workloadNames.includes("zstd-stream") && !canCompressZstd) {
  throw new Error(`the zstd-stream workload needs a Node whose node:zlib has zstd (22.15 or later), not ${process.version}`)
}
const workloads = workloadNames.map((w) => (isOwnRunner(w) ? w : allWorkloads[w]()))

/** The idle workload (bench/idle.ts): `--shards 100,1000` and `--idle-window SECONDS` override the sizes and the window. */
const idleSizes = flag("--shards")?.split(",").map(Number) ?? (quick ? [100] : [100, 1_000])
for (const s of idleSizes) if (!Number.isInteger(s) || s < 1) throw new Error("--shards must list integers >= 1")
const idleWindowMs = Number(flag("--idle-window") ?? (quick ? 5 : 30)) * 1000
if (!(idleWindowMs > 0)) throw new Error("--idle-window must be a positive number of seconds")
/** `--idle-guilds 0`: the idle workload without guilds (READY only), to tell what the guilds cost. */
const idleGuilds = Number(flag("--idle-guilds") ?? 1)
if (idleGuilds !== 0 && idleGuilds !== 1) throw new Error("--idle-guilds must be 0 or 1")

/** The guild workload (bench/guild.ts): sends of the big GUILD_CREATE per client per round, and its member count. */
const guildSends = Number(flag("--guild-sends") ?? (quick ? 3 : 8))
if (!Number.isInteger(guildSends) || guildSends < 1) throw new Error("--guild-sends must be an integer >= 1")
const guildMembers = Number(flag("--guild-members") ?? 7_000)
if (!Number.isInteger(guildMembers) || guildMembers < 1) throw new Error("--guild-members must be an integer >= 1")

// ---------------------------------------------------------------------------
// one child
// ---------------------------------------------------------------------------

interface RunResult extends ClientResult {
  readonly round: number
  /** Messages per second the parent dispatched, from the first dispatch to the last. */
  readonly serverDispatchPerSec: number
  /**
   * Bytes the simulator wrote from the first message of the blast to the client's exit, per message:
   * WebSocket payloads as sent (compressed, or ETF), frame headers not counted (`sim.bytesSent`).
   */
  readonly bytesPerEvent: number
}

const runOne = async (workload: Workload, name: ClientName, round: number): Promise<RunResult> => {
  const n = workload.n
  const scope = Effect.runSync(Scope.make())
  try {
    const { shape: sim } = await Effect.runPromise(Scope.extend(serve(workload.simulator), scope))
    return await new Promise<RunResult>((resolve, reject) => {
      const client = allClients[name]
      const child = spawn(process.execPath, [...(process.env["BENCH_CHILD_FLAGS"] ?? "").split(" ").filter(Boolean), compiledClient(client.file)], {
        cwd: root,
        env: {
          ...process.env,
          ...workload.clientEnv,
          ...client.env,
          BENCH_URL: sim.url,
          BENCH_N: String(n),
          BENCH_TOKEN: token
        },
        stdio: ["ignore", "pipe", "inherit", "ipc"]
      })
      let stdout = ""
      child.stdout!.setEncoding("utf8")
      child.stdout!.on("data", (chunk: string) => {
        stdout += chunk
      })

      let send: ((sim: BlastTarget, from: number, to: number) => void) | undefined
      let sent = 0
      let consumed = 0
      let scheduled = false
      let firstDispatch = 0
      let lastDispatch = 0
      // What Hello, READY and GUILD_CREATE took is not the workload's
      let bytesAtStart = 0
      const pump = (): void => {
        scheduled = false
        const end = Math.min(n, sent + batch, consumed + window)
        if (end > sent) {
          if (sent === 0) {
            firstDispatch = performance.now()
            bytesAtStart = Effect.runSync(sim.bytesSent)
          }
          send!(sim, sent, end)
          sent = end
          if (sent === n) lastDispatch = performance.now()
        }
        schedule()
      }
      const schedule = (): void => {
        if (send === undefined || scheduled || sent >= n || sent >= consumed + window) return
        scheduled = true
        setImmediate(pump)
      }
      child.on("message", (message: { type: string; count?: number }) => {
        if (message.type === "ready") {
          // The sequence the session reached (READY, GUILD_CREATE); the workload's frames continue it
          void Effect.runPromise(sim.sessions).then((sessions) =>
            workload.prepare(sessions[sessions.length - 1]?.log.length ?? 0)
          ).then((prepared) => {
            send = prepared
            schedule()
          }, reject)
        } else if (message.type === "progress") {
          consumed = message.count ?? consumed
          schedule()
        }
      })

      const timer = setTimeout(() => {
        child.kill("SIGKILL")
        reject(new Error(`${name} timed out after ${childTimeoutMs} ms (received ${consumed}+ of ${n})`))
      }, childTimeoutMs)
      child.on("error", reject)
      child.on("exit", (code, signal) => {
        clearTimeout(timer)
        const line = stdout.split("\n").find((l) => l.startsWith("RESULT "))
        if (code !== 0 || line === undefined) {
          reject(new Error(`${name} exited with ${code ?? signal}; stdout:\n${stdout.slice(-4000)}`))
          return
        }
        // Anything else a client printed (e.g. the Gateway's warnings) is shown, not hidden
        for (const other of stdout.split("\n")) {
          if (other.trim() !== "" && !other.startsWith("RESULT ")) process.stderr.write(`  [${name} stdout] ${other}\n`)
        }
        const result = JSON.parse(line.slice("RESULT ".length)) as ClientResult
        const dispatchMs = lastDispatch - firstDispatch
        // The client has received every message, so every one has been written
        const bytes = Effect.runSync(sim.bytesSent) - bytesAtStart
        resolve({
          ...result,
          round,
          serverDispatchPerSec: Math.round(n / (dispatchMs / 1000)),
          bytesPerEvent: Math.round((bytes / n) * 10) / 10
        })
      })
    })
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

const version = (pkg: string): string => {
  try {
    return (JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")) as { version: string })
      .version
  } catch {
    return "?"
  }
}

const command = process.env["npm_lifecycle_event"] === "bench"
  ? `npm run bench${argv.length > 0 ? ` -- ${argv.join(" ")}` : ""}`
  : `tsx bench/run.ts ${argv.join(" ")}`.trim()
const cpus = os.cpus()
const environment = {
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  cpuCount: cpus.length,
  availableParallelism: os.availableParallelism(),
  cpuModel: cpus[0]?.model ?? "?",
  totalMemMB: Math.round(os.totalmem() / 1024 / 1024),
  versions: {
    effect: version("effect"),
    ws: version("ws"),
    "@discordjs/ws": version("@discordjs/ws")
  }
}

console.log(`command: ${command}`)
console.log(
  `environment: node ${environment.node}, ${environment.platform}, ${environment.cpuCount} CPUs (${environment.cpuModel}), ` +
    `${environment.totalMemMB} MB RAM; effect ${environment.versions.effect}, ws ${environment.versions.ws}, ` +
    `@discordjs/ws ${environment.versions["@discordjs/ws"]}`
)
console.log(
  `${rounds} round(s), clients interleaved [${clients.join(", ")}], window ${window} in flight, over ws://127.0.0.1`
)

function fmt(x: number, digits: number): string {
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

const labels: Record<ClientName, string> = {
  bare: "bare",
  ours: "ours",
  "ours-envelope": "ours (envelope only)",
  discordjs: "@discordjs/ws"
}

interface Summary {
  readonly client: string
  readonly eventsPerSec: number
  readonly cpuMsPer1k: number
  readonly peakRssMB: number
  /** Bytes on the wire per message (WebSocket payloads; see `RunResult.bytesPerEvent`). */
  readonly bytesPerEvent: number
}

/** A Markdown table: the first `left` columns left-aligned, the others right-aligned. */
const printMarkdown = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, left: number): void => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: ReadonlyArray<string>): string =>
    "| " + cells.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ") + " |"
  console.log(line(header))
  console.log("|" + widths.map((w, i) => (i < left ? ":" + "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|") + "|")
  for (const row of rows) console.log(line(row))
}

const printTable = (summary: ReadonlyArray<Summary>): void => {
  const bare = summary.find((s) => s.client === "bare")
  console.log(`median of ${rounds} round(s)${bare === undefined ? "" : "; ×bare = client / bare"}:`)
  const header = [
    "client",
    "events/s",
    "CPU ms / 1k ev",
    "peak RSS MB",
    "bytes / event",
    "ev/s ×bare",
    "CPU ×bare",
    "RSS ×bare"
  ]
  const rows = summary.map((s) => [
    s.client,
    fmt(s.eventsPerSec, 0),
    fmt(s.cpuMsPer1k, 2),
    fmt(s.peakRssMB, 1),
    fmt(s.bytesPerEvent, 0),
    bare ? fmt(s.eventsPerSec / bare.eventsPerSec, 2) : "-",
    bare ? fmt(s.cpuMsPer1k / bare.cpuMsPer1k, 2) : "-",
    bare ? fmt(s.peakRssMB / bare.peakRssMB, 2) : "-"
  ])
  printMarkdown(header, rows, 1)
  const ours = summary.find((s) => s.client === labels.ours)
  const envelope = summary.find((s) => s.client === labels["ours-envelope"])
  const discordjs = summary.find((s) => s.client === labels.discordjs)
  if (bare && ours) {
    console.log(
      `ours/bare: throughput ${fmt(ours.eventsPerSec / bare.eventsPerSec, 2)}×, ` +
        `CPU per event ${fmt(ours.cpuMsPer1k / bare.cpuMsPer1k, 2)}×, peak RSS ${fmt(ours.peakRssMB / bare.peakRssMB, 2)}×`
    )
  }
  if (discordjs && ours) {
    console.log(
      `ours/@discordjs/ws: CPU per event ${fmt(ours.cpuMsPer1k / discordjs.cpuMsPer1k, 2)}×, ` +
        `peak RSS ${fmt(ours.peakRssMB / discordjs.peakRssMB, 2)}×`
    )
  }
  if (envelope && ours) {
    console.log(
      `validation (ours − envelope only): ${fmt(ours.cpuMsPer1k - envelope.cpuMsPer1k, 2)} CPU ms / 1k ev ` +
        `(${fmt((1 - envelope.cpuMsPer1k / ours.cpuMsPer1k) * 100, 0)}% of ours)` +
        (bare ? `; the rest of the Gateway (envelope only − bare): ${fmt(envelope.cpuMsPer1k - bare.cpuMsPer1k, 2)}` : "") +
        (discordjs ? `; envelope only/@discordjs/ws: CPU per event ${fmt(envelope.cpuMsPer1k / discordjs.cpuMsPer1k, 2)}×` : "")
    )
  }
}

/** One row per client and message workload, for the table of every transport in this run. */
interface TransportRow extends Summary {
  readonly transport: string
  readonly server: string
  readonly pool: string
  /** `bytesPerEvent` / the same messages' uncompressed JSON frames. */
  readonly ofJson: number
}
const transportRows: Array<TransportRow> = []

const printTransports = (): void => {
  console.log("")
  console.log(
    `every transport of this run (median of ${rounds} round(s); bytes / event: WebSocket payloads the simulator ` +
      `wrote per message, frame headers not counted; of JSON: of the same messages as JSON text frames):`
  )
  const header = ["client", "transport", "events/s", "CPU ms / 1k ev", "peak RSS MB", "bytes / event", "of JSON", "server", "pool"]
  const order = (r: TransportRow) => clients.findIndex((c) => labels[c] === r.client)
  const rows = [...transportRows].sort((a, b) => order(a) - order(b)).map((r) => [
    r.client,
    r.transport,
    fmt(r.eventsPerSec, 0),
    fmt(r.cpuMsPer1k, 2),
    fmt(r.peakRssMB, 1),
    fmt(r.bytesPerEvent, 0),
    `${fmt(r.ofJson * 100, 1)}%`,
    r.server.split(" ")[0]!,
    r.pool
  ])
  printMarkdown(header, rows, 2)
  const row = (client: string, transport: string) =>
    transportRows.find((r) => r.client === client && r.transport === transport)
  const oursZlib = row(labels.ours, "zlib-stream")
  const oursZstd = row(labels.ours, "zstd-stream")
  const discordjsZlib = row(labels.discordjs, "zlib-stream")
  if (oursZlib && oursZstd) {
    console.log(
      `ours zstd-stream/zlib-stream: CPU per event ${fmt(oursZstd.cpuMsPer1k / oursZlib.cpuMsPer1k, 2)}×, ` +
        `bytes per event ${fmt(oursZstd.bytesPerEvent / oursZlib.bytesPerEvent, 2)}×` +
        (oursZlib.server === oursZstd.server ? "" : ` (zlib-stream's server: ${oursZlib.server}; zstd-stream's: ${oursZstd.server})`)
    )
  }
  if (oursZlib && discordjsZlib) {
    console.log(
      `zlib-stream, ours/@discordjs/ws: CPU per event ${fmt(oursZlib.cpuMsPer1k / discordjsZlib.cpuMsPer1k, 2)}×, ` +
        `peak RSS ${fmt(oursZlib.peakRssMB / discordjsZlib.peakRssMB, 2)}×`
    )
  }
}

const report: Array<Record<string, unknown>> = []
for (const workload of workloads) {
  if (workload === "idle") {
    report.push(
      await runIdle({
        sizes: idleSizes,
        windowMs: idleWindowMs,
        settleMs: quick ? 500 : 2_000,
        rounds,
        clients: clients.filter((c): c is keyof typeof idleClients => c in idleClients),
        guildsPerShard: idleGuilds
      })
    )
    continue
  }
  if (workload === "guild") {
    report.push(await runGuild({ rounds, clients, sends: guildSends, members: guildMembers, quick }))
    continue
  }
  if (workload === "primitives") {
    report.push(await runPrimitives(["--rounds", String(rounds), ...(quick ? ["--quick"] : [])]))
    continue
  }
  if (workload === "allocation-sites") {
    const result = checkAllocationSites()
    console.log("")
    console.log(
      `workload allocation-sites (bench/allocationSites.ts, the opt-in GatewayTuning.layerSettleAllocationSites), V8 ${result.v8}: ` +
        `the settled chunk site stays "don't tenure": ${result.settle.holds ? "yes" : "NO"}; ` +
        `without settling it moves towards tenure: ${result.control.movedTowardsTenure ? "yes" : "NO"}`
    )
    report.push({
      workload: "allocation-sites",
      v8: result.v8,
      holds: result.holds,
      settleHolds: result.settle.holds,
      controlMovedTowardsTenure: result.control.movedTowardsTenure
    })
    continue
  }
  console.log("")
  console.log(`workload ${workload.name}: ${workload.description}; message ${workload.payloadBytes} bytes (pool of 1024, cycled)`)
  const results: Array<RunResult> = []
  const speaking = clients.filter((c) => workload.clients === undefined || workload.clients.includes(c))
  for (let round = 1; round <= rounds; round++) {
    // Rotate the order each round so no client always runs first (or last)
    const order = speaking.map((_, i) => speaking[(i + round - 1) % speaking.length]!)
    for (const name of order) {
      const result = await runOne(workload, name, round)
      results.push(result)
      console.log(
        `  round ${round} ${result.client.padEnd(20)} ${fmt(result.eventsPerSec, 0).padStart(9)} ev/s  ` +
          `${fmt(result.cpuMsPer1k, 2).padStart(7)} CPU ms/1k  ${fmt(result.peakRssMB, 1).padStart(7)} MB peak RSS ` +
          `(${fmt(result.readyRssMB, 1)} at READY)  ${fmt(result.bytesPerEvent, 0).padStart(5)} B/ev  ` +
          `(wall ${fmt(result.wallMs, 0)} ms; server dispatched ${fmt(result.serverDispatchPerSec, 0)}/s)`
      )
    }
  }
  const facts = workload.facts()
  const shown = Object.entries(facts).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${String(v)}`)
  console.log(`  ${shown.join(", ")}`)
  const summary: Array<Summary> = speaking.map((name) => {
    const runs = results.filter((r) => r.client === labels[name])
    return {
      client: labels[name],
      eventsPerSec: median(runs.map((r) => r.eventsPerSec)),
      cpuMsPer1k: median(runs.map((r) => r.cpuMsPer1k)),
      peakRssMB: median(runs.map((r) => r.peakRssMB)),
      bytesPerEvent: median(runs.map((r) => r.bytesPerEvent))
    }
  })
  printTable(summary)
  for (const row of summary) {
    transportRows.push({
      ...row,
      transport: workload.name,
      server: String(facts["server"] ?? "?"),
      pool: String(facts["pool"] ?? "?"),
      ofJson: row.bytesPerEvent / workload.jsonBytes
    })
  }
  report.push({
    workload: workload.name,
    description: workload.description,
    n: workload.n,
    payloadBytes: workload.payloadBytes,
    jsonBytesPerEvent: workload.jsonBytes,
    ...facts,
    summary,
    runs: results
  })
}

if (transportRows.length > 0) printTransports()

if (workloads.some((w) => typeof w !== "string")) {
  console.log("")
  console.log(
    `note: the parent (server) runs on its own core; ` +
      `the server keeps at most ${window} messages in flight, so 'server dispatched' follows the client; ` +
      "it only marks a server limit when it stays far below what the clients can take."
  )
}

const resultsDir = join(here, "results")
mkdirSync(resultsDir, { recursive: true })
const file = join(resultsDir, `${new Date().toISOString().replace(/:/g, "-")}.json`)
writeFileSync(
  file,
  JSON.stringify({ command, environment, rounds, window, batch, clients, workloads: report, transports: transportRows }, null, 2) +
    "\n"
)
console.log(`\nresults written to ${file.slice(root.length + 1)}`)
