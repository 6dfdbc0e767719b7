/**
 * Throughput benchmark: one localhost gateway simulator blasts a realistic ~2.5 KB
 * MESSAGE_CREATE N times at a client running in its own process, for each client:
 *
 * - bare:          `ws` + `JSON.parse` only (the floor),
 * - ours:          this package's Gateway, every event decoded with the full Schema,
 * - @discordjs/ws: discord.js's WebSocketManager (JSON.parse, no validation).
 *
 * Usage: npm run bench -- [--n N] [--quick] [--rounds R] [--clients bare,ours,discordjs]
 * Profiling a client: BENCH_CHILD_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- --clients ours
 *
 * Each client is a child process (`node --import tsx bench/client-*.ts`), so the server's
 * CPU is not counted and RSS is the client's own. The parent dispatches with a bounded
 * window of messages in flight (the client reports progress over IPC), so the measure is
 * what the client consumes, not what the server buffers. A fresh simulator serves each
 * child (the simulator enforces one identify per 5 s per bucket, like Discord).
 */
import { spawn } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Fixtures from "../src/testing/fixtures.js"
import { serve } from "../src/testing/Simulator.js"
import type { ClientResult } from "./common.js"

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
 * `--dispatch`: send through `sim.dispatch` (JSON.stringify of every payload in the parent, ~55k/s on
 * one core). Default: `sim.sendRaw` of the same frames pre-serialized (the `d` of each pooled message is
 * stringified once; `s` continues the session's sequence), so the server outruns every client.
 */
const viaDispatch = argv.includes("--dispatch")
const n = Number(flag("--n") ?? (quick ? 10_000 : 100_000))
const rounds = Number(flag("--rounds") ?? (quick ? 1 : 3))
const allClients = {
  bare: "client-bare.ts",
  ours: "client-ours.ts",
  discordjs: "client-discordjs.ts"
} as const
type ClientName = keyof typeof allClients
const clients = (flag("--clients")?.split(",") ?? Object.keys(allClients)) as Array<ClientName>
for (const c of clients) if (!(c in allClients)) throw new Error(`unknown client ${c}`)
if (!Number.isInteger(n) || n < 2) throw new Error("--n must be an integer >= 2")
if (!Number.isInteger(rounds) || rounds < 1) throw new Error("--rounds must be an integer >= 1")

const token = "bench-token"
/** Messages dispatched but not yet reported consumed by the client. */
const window = 8_192
/** Dispatches per macrotask, so the socket gets to write between batches. */
const batch = 500
const childTimeoutMs = 180_000

// ---------------------------------------------------------------------------
// payloads: a pool of distinct messages, cycled
// ---------------------------------------------------------------------------

const pool = Array.from({ length: 1024 }, (_, i) =>
  Fixtures.messageCreate({
    id: Fixtures.snowflake(1_000_000 + i),
    channelId: Fixtures.snowflake(900),
    content: `benchmark message ${i}: the quick brown fox jumps over the lazy dog`
  }))
const poolJson = pool.map((d) => JSON.stringify(d))
const payloadBytes = Buffer.byteLength(JSON.stringify({ op: 0, d: pool[0], s: 1, t: "MESSAGE_CREATE" }))

// ---------------------------------------------------------------------------
// one child
// ---------------------------------------------------------------------------

interface RunResult extends ClientResult {
  readonly round: number
  /** Messages per second the parent dispatched, from the first dispatch to the last. */
  readonly serverDispatchPerSec: number
}

const runOne = async (name: ClientName, round: number): Promise<RunResult> => {
  const scope = Effect.runSync(Scope.make())
  try {
    const { shape: sim } = await Effect.runPromise(Scope.extend(serve({ token, guilds: 1 }), scope))
    return await new Promise<RunResult>((resolve, reject) => {
      const child = spawn(process.execPath, [...(process.env["BENCH_CHILD_FLAGS"] ?? "").split(" ").filter(Boolean), "--import", "tsx", join(here, allClients[name])], {
        cwd: root,
        env: { ...process.env, BENCH_URL: sim.url, BENCH_N: String(n), BENCH_TOKEN: token },
        stdio: ["ignore", "pipe", "inherit", "ipc"]
      })
      let stdout = ""
      child.stdout!.setEncoding("utf8")
      child.stdout!.on("data", (chunk: string) => {
        stdout += chunk
      })

      let sent = 0
      let consumed = 0
      let scheduled = false
      let firstDispatch = 0
      let lastDispatch = 0
      const pump = (): void => {
        scheduled = false
        const end = Math.min(n, sent + batch, consumed + window)
        if (end > sent) {
          if (sent === 0) firstDispatch = performance.now()
          const from = sent
          if (viaDispatch) {
            Effect.runSync(Effect.forEach(
              Array.from({ length: end - from }, (_, k) => from + k),
              (i) => sim.dispatch("MESSAGE_CREATE", pool[i % pool.length]),
              { discard: true }
            ))
          } else {
            // The same frame the simulator's dispatch would produce (key order op, d, s, t)
            const frames = Array.from({ length: end - from }, (_, k) =>
              `{"op":0,"d":${poolJson[(from + k) % pool.length]},"s":${baseSequence + from + k + 1},"t":"MESSAGE_CREATE"}`)
            Effect.runSync(Effect.forEach(frames, (frame) => sim.sendRaw(frame), { discard: true }))
          }
          sent = end
          if (sent === n) lastDispatch = performance.now()
        }
        schedule()
      }
      const schedule = (): void => {
        if (scheduled || sent >= n || sent >= consumed + window) return
        scheduled = true
        setImmediate(pump)
      }
      let baseSequence = 0
      child.on("message", (message: { type: string; count?: number }) => {
        if (message.type === "ready") {
          // The sequence the session reached (READY, GUILD_CREATE); raw frames continue it
          void Effect.runPromise(sim.sessions).then((sessions) => {
            baseSequence = sessions[sessions.length - 1]?.log.length ?? 0
            schedule()
          })
        }
        else if (message.type === "progress") {
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
        resolve({ ...result, round, serverDispatchPerSec: Math.round(n / (dispatchMs / 1000)) })
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
  `workload: ${n} MESSAGE_CREATE of ${payloadBytes} bytes (pool of ${pool.length}, cycled), ${rounds} round(s), ` +
    `clients interleaved [${clients.join(", ")}], window ${window} in flight, ` +
    `uncompressed JSON over ws://127.0.0.1, server ${viaDispatch ? "sim.dispatch (stringify per message)" : "sim.sendRaw (pre-serialized frames)"}`
)
console.log("")

const results: Array<RunResult> = []
for (let round = 1; round <= rounds; round++) {
  // Rotate the order each round so no client always runs first (or last)
  const order = clients.map((_, i) => clients[(i + round - 1) % clients.length]!)
  for (const name of order) {
    const result = await runOne(name, round)
    results.push(result)
    console.log(
      `  round ${round} ${result.client.padEnd(14)} ${fmt(result.eventsPerSec, 0).padStart(9)} ev/s  ` +
        `${fmt(result.cpuMsPer1k, 2).padStart(7)} CPU ms/1k  ${fmt(result.peakRssMB, 1).padStart(7)} MB peak RSS  ` +
        `(wall ${fmt(result.wallMs, 0)} ms; server dispatched ${fmt(result.serverDispatchPerSec, 0)}/s)`
    )
  }
}

function fmt(x: number, digits: number): string {
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

const labels: Record<ClientName, string> = { bare: "bare", ours: "ours", discordjs: "@discordjs/ws" }
const summary = clients.map((name) => {
  const runs = results.filter((r) => r.client === labels[name])
  return {
    client: labels[name],
    eventsPerSec: median(runs.map((r) => r.eventsPerSec)),
    cpuMsPer1k: median(runs.map((r) => r.cpuMsPer1k)),
    peakRssMB: median(runs.map((r) => r.peakRssMB))
  }
})
const bare = summary.find((s) => s.client === "bare")

console.log("")
console.log(`median of ${rounds} round(s)${bare === undefined ? "" : "; ×bare = client / bare"}:`)
const header = ["client", "events/s", "CPU ms / 1k ev", "peak RSS MB", "ev/s ×bare", "CPU ×bare", "RSS ×bare"]
const rows = summary.map((s) => [
  s.client,
  fmt(s.eventsPerSec, 0),
  fmt(s.cpuMsPer1k, 2),
  fmt(s.peakRssMB, 1),
  bare ? fmt(s.eventsPerSec / bare.eventsPerSec, 2) : "-",
  bare ? fmt(s.cpuMsPer1k / bare.cpuMsPer1k, 2) : "-",
  bare ? fmt(s.peakRssMB / bare.peakRssMB, 2) : "-"
])
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
const line = (cells: ReadonlyArray<string>): string =>
  "| " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ") + " |"
console.log(line(header))
console.log("|" + widths.map((w, i) => (i === 0 ? ":" + "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|") + "|")
for (const row of rows) console.log(line(row))

const ours = summary.find((s) => s.client === "ours")
if (bare && ours) {
  console.log("")
  console.log(
    `ours/bare: throughput ${fmt(ours.eventsPerSec / bare.eventsPerSec, 2)}×, ` +
      `CPU per event ${fmt(ours.cpuMsPer1k / bare.cpuMsPer1k, 2)}×, peak RSS ${fmt(ours.peakRssMB / bare.peakRssMB, 2)}×`
  )
}
console.log(
  `note: the parent (server) runs on its own core; ` +
    `the server keeps at most ${window} messages in flight, so 'server dispatched' follows the client; ` +
    "it only marks a server limit when it stays far below what the clients can take."
)

const resultsDir = join(here, "results")
mkdirSync(resultsDir, { recursive: true })
const file = join(resultsDir, `${new Date().toISOString().replace(/:/g, "-")}.json`)
writeFileSync(
  file,
  JSON.stringify({ command, environment, n, rounds, payloadBytes, server: viaDispatch ? "dispatch" : "sendRaw", window, batch, clients, summary, runs: results }, null, 2) +
    "\n"
)
console.log(`\nresults written to ${file.slice(root.length + 1)}`)
