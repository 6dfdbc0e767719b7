/**
 * The idle-shards workload (issues #4 and #8): what N connected shards cost when nothing
 * happens but heartbeats.
 *
 * For each shard count N and each client, a fresh simulator serves `shards: N`,
 * `maxConcurrency: N` (every shard is its own identify bucket, so all identify in one wave),
 * `heartbeatInterval: 1000` (heartbeats are the only traffic, and there are many of them) and
 * one guild per shard. The client (a child process, `bench/client-idle-*.ts`) starts N shards and
 * reports over IPC when all are READY; after a short settle the parent opens the idle window,
 * closes it `windowMs` later, and the client reports its CPU time over the window and its RSS.
 * The simulator checks the heartbeats really flowed: op 1 payloads received per shard within
 * the window (connection → shard from each Identify), and no connection opened within it.
 *
 * The simulator keeps every payload it receives (its `payloads` log, a few tens of thousands of
 * small entries per run at 1 000 shards, dropped with the simulator); the parent reads it once,
 * after the window, and counts the heartbeats stamped within it.
 */
import { spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { serve } from "../src/testing/Simulator.js"
import { compiledClient } from "./compile.js"
import type { IdleResult } from "./idle-common.js"

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, "..")

export const idleClients = {
  bare: "client-idle-bare.ts",
  ours: "client-idle-ours.ts",
  discordjs: "client-idle-discordjs.ts"
} as const
export type IdleClientName = keyof typeof idleClients

const labels: Record<IdleClientName, string> = { bare: "bare", ours: "ours", discordjs: "@discordjs/ws" }

export interface IdleOptions {
  readonly sizes: ReadonlyArray<number>
  readonly windowMs: number
  /** Between the last READY and the window: the startup's garbage and timers settle. */
  readonly settleMs: number
  readonly rounds: number
  readonly clients: ReadonlyArray<IdleClientName>
  /** 1 (default): one guild per shard, as the issue asks; 0: no guild at all (READY only). */
  readonly guildsPerShard?: 0 | 1 | undefined
}

const heartbeatInterval = 1_000
const token = "bench-token"
/** Time for all N shards to become READY (1 000 shards on 2 shared CPUs take a while). */
const readyTimeoutMs = 120_000

export interface IdleRun extends IdleResult {
  readonly round: number
  /** From spawning the process to its report that all shards are READY (tsx startup included), in ms. */
  readonly startupMs: number
  readonly cpuMsPerShardPerMin: number
  /** CPU over the window as a share of one core, in %. */
  readonly cpuPercentOfCore: number
  readonly heartbeats: {
    /** op 1 payloads the simulator received within the window (by its clock), from all shards. */
    readonly total: number
    /** What one heartbeat per interval per shard would give. */
    readonly expected: number
    readonly perShardMin: number
    readonly perShardMedian: number
    readonly perShardMax: number
    /** Shards the simulator received no heartbeat from within the window. */
    readonly silentShards: number
  }
  /** Connections opened within the window (a reconnect would show here); expected 0. */
  readonly connectionsOpened: number
  /** Connections opened before the window beyond one per shard: reconnects during startup; expected 0. */
  readonly startupReconnects: number
  /** Identifies the simulator received beyond one per shard (re-identifies after a failed resume); expected 0. */
  readonly extraIdentifies: number
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

const optionalMedian = (xs: ReadonlyArray<number | undefined>): number | undefined => {
  const defined = xs.filter((x): x is number => x !== undefined)
  return defined.length === 0 ? undefined : median(defined)
}

const round1 = (x: number, digits = 1): number => {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

const fmt = (x: number | undefined, digits: number): string =>
  x === undefined || Number.isNaN(x)
    ? "-"
    : x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })

const runOne = async (
  name: IdleClientName,
  shards: number,
  round: number,
  options: IdleOptions
): Promise<IdleRun> => {
  const scope = Effect.runSync(Scope.make())
  try {
    const { shape: sim } = await Effect.runPromise(Scope.extend(
      serve({
        token,
        shards,
        maxConcurrency: shards,
        heartbeatInterval,
        guilds: (options.guildsPerShard ?? 1) * shards,
        // Discord's default of 1 000 session starts a day would leave a 1 000-shard client no
        // Identify to spare: one shard re-identifying after a startup hiccup would then wait a day
        sessionStartLimit: { total: 2 * shards + 1000, remaining: 2 * shards + 1000, resetAfter: 86_400_000 }
      }),
      scope
    ))
    const spawnedAt = performance.now()
    const child = spawn(
      process.execPath,
      [
        ...(process.env["BENCH_CHILD_FLAGS"] ?? "").split(" ").filter(Boolean),
        // Only used after the window, for the after-GC numbers (see IdleResult)
        "--expose-gc",
        compiledClient(idleClients[name])
      ],
      {
        cwd: root,
        env: {
          ...process.env,
          BENCH_URL: sim.url,
          BENCH_API_BASE_URL: sim.apiBaseUrl,
          BENCH_SHARDS: String(shards),
          BENCH_TOKEN: token
        },
        stdio: ["ignore", "pipe", "inherit", "ipc"]
      }
    )
    let stdout = ""
    child.stdout!.setEncoding("utf8")
    child.stdout!.on("data", (chunk: string) => {
      stdout += chunk
    })
    const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? "?")))
    // A failed send (the child died) is reported by `tell` and by the pending `message`, not as an 'error' event
    child.on("error", () => {})
    const tell = (m: { readonly type: string }) =>
      new Promise<void>((resolve, reject) =>
        child.send(m, (error) =>
          error === null
            ? resolve()
            : reject(new Error(`${labels[name]} (${shards} shards): could not send "${m.type}": ${error.message}`)))
      )
    const message = (type: string, timeoutMs: number) =>
      new Promise<any>((resolve, reject) => {
        const onMessage = (m: { type: string }) => {
          if (m.type !== type) return
          cleanup()
          resolve(m)
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`${labels[name]} (${shards} shards): no "${type}" within ${timeoutMs} ms`))
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          child.off("message", onMessage)
        }
        child.on("message", onMessage)
        void exited.then((code) => {
          cleanup()
          reject(new Error(`${labels[name]} (${shards} shards) exited with ${code} before "${type}"; stdout:\n${stdout.slice(-4000)}`))
        })
      })
    try {
      await message("ready", readyTimeoutMs)
      const startupMs = performance.now() - spawnedAt
      await sleep(options.settleMs)

      const connectionsBefore = (await Effect.runPromise(sim.connections)).length
      // The simulator stamps payloads with Date.now (its clock is Effect's live Clock)
      const windowStart = Date.now()
      await tell({ type: "start" })
      await sleep(options.windowMs)
      const resultPromise = message("result", 30_000)
      const windowEnd = Date.now()
      await tell({ type: "stop" })
      const payloads = await Effect.runPromise(sim.payloads)
      const connectionsAfter = (await Effect.runPromise(sim.connections)).length
      const { result } = (await resultPromise) as { result: IdleResult }
      await exited

      // connection → shard, from each accepted Identify's `shard`
      const shardOfConnection = new Map<number, number>()
      for (const p of payloads) {
        if (p.op !== 2) continue
        const shard = (p.d as { shard?: readonly [number, number] } | null)?.shard
        if (shard !== undefined) shardOfConnection.set(p.connection, shard[0])
      }
      const perShard = new Array<number>(shards).fill(0)
      let total = 0
      for (const p of payloads) {
        if (p.op !== 1 || p.at < windowStart || p.at >= windowEnd) continue
        total++
        const shard = shardOfConnection.get(p.connection)
        if (shard !== undefined) perShard[shard]!++
      }
      const minutes = result.windowMs / 60_000
      return {
        ...result,
        round,
        startupMs: Math.round(startupMs),
        cpuMsPerShardPerMin: round1(result.cpuMs / shards / minutes, 2),
        cpuPercentOfCore: round1((result.cpuMs / result.windowMs) * 100, 2),
        heartbeats: {
          total,
          expected: Math.round((shards * (windowEnd - windowStart)) / heartbeatInterval),
          perShardMin: Math.min(...perShard),
          perShardMedian: median(perShard),
          perShardMax: Math.max(...perShard),
          silentShards: perShard.filter((c) => c === 0).length
        },
        connectionsOpened: connectionsAfter - connectionsBefore,
        startupReconnects: connectionsBefore - shards,
        extraIdentifies: payloads.filter((p) => p.op === 2).length - shards
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
      for (const line of stdout.split("\n")) {
        if (line.trim() !== "") process.stderr.write(`  [${labels[name]} stdout] ${line}\n`)
      }
    }
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

interface IdleSummary {
  readonly client: string
  readonly shards: number
  readonly startupMs: number
  readonly readyRssMB: number
  readonly endRssMB: number
  readonly windowPeakRssMB: number
  readonly lifetimePeakRssMB: number
  readonly afterGcRssMB: number | undefined
  readonly afterGcHeapUsedMB: number | undefined
  /** Heap after GC at the end minus heap after GC at READY: what the idle window added and kept. */
  readonly heapGrowthMB: number | undefined
  readonly cpuMsPerShardPerMin: number
  readonly cpuPercentOfCore: number
  readonly heartbeatsPerShardMedian: number
  readonly heartbeatsPerShardMin: number
  readonly fibersPerShard: number | undefined
}

/** (RSS(big) − RSS(small)) / (big − small), in KB per shard. */
interface Slope {
  readonly client: string
  readonly from: number
  readonly to: number
  readonly readyKBPerShard: number
  readonly endKBPerShard: number
  readonly windowPeakKBPerShard: number
  readonly afterGcKBPerShard: number | undefined
  readonly afterGcHeapKBPerShard: number | undefined
}

const printTable = (summary: ReadonlyArray<IdleSummary>): void => {
  const header = [
    "client",
    "shards",
    "startup s",
    "RSS READY MB",
    "RSS end MB",
    "peak in window MB",
    "RSS after GC MB",
    "heap after GC MB",
    "heap Δ window MB",
    "CPU ms/shard/min",
    "CPU % core",
    "HB/shard med (min)",
    "fibers/shard"
  ]
  const rows = summary.map((s) => [
    s.client,
    fmt(s.shards, 0),
    fmt(s.startupMs / 1000, 1),
    fmt(s.readyRssMB, 1),
    fmt(s.endRssMB, 1),
    fmt(s.windowPeakRssMB, 1),
    fmt(s.afterGcRssMB, 1),
    fmt(s.afterGcHeapUsedMB, 1),
    fmt(s.heapGrowthMB, 1),
    fmt(s.cpuMsPerShardPerMin, 2),
    fmt(s.cpuPercentOfCore, 1),
    `${fmt(s.heartbeatsPerShardMedian, 0)} (${fmt(s.heartbeatsPerShardMin, 0)})`,
    fmt(s.fibersPerShard, 1)
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: ReadonlyArray<string>): string =>
    "| " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ") + " |"
  console.log(line(header))
  console.log("|" + widths.map((w, i) => (i === 0 ? ":" + "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|") + "|")
  for (const row of rows) console.log(line(row))
}

/** Runs the idle workload, prints its table, and returns its entry of the results JSON. */
export const runIdle = async (options: IdleOptions): Promise<Record<string, unknown>> => {
  const windowS = options.windowMs / 1000
  const description = `${options.sizes.join(" and ")} shards, all READY, then ${windowS} s idle ` +
    `(heartbeat_interval ${heartbeatInterval} ms, max_concurrency = shards, ` +
    `${options.guildsPerShard === 0 ? "no guilds" : "one guild per shard"}, no compression)`
  console.log("")
  console.log(`workload idle: ${description}; settle ${options.settleMs / 1000} s before the window`)
  const runs: Array<IdleRun> = []
  const failures: Array<{ client: string; shards: number; round: number; reason: string }> = []
  for (const shards of options.sizes) {
    for (let round = 1; round <= options.rounds; round++) {
      const order = options.clients.map((_, i) => options.clients[(i + round - 1) % options.clients.length]!)
      for (const name of order) {
        let run: IdleRun
        try {
          run = await runOne(name, shards, round, options)
        } catch (error) {
          // One client failing (e.g. cannot start 1 000 shards) should not hide the others' numbers
          const reason = error instanceof Error ? error.message : String(error)
          failures.push({ client: labels[name], shards, round, reason })
          console.log(`  ${String(shards).padStart(5)} shards round ${round} ${labels[name].padEnd(14)} FAILED: ${reason}`)
          continue
        }
        runs.push(run)
        const hb = run.heartbeats
        console.log(
          `  ${String(shards).padStart(5)} shards round ${round} ${run.client.padEnd(14)} ` +
            `startup ${fmt(run.startupMs / 1000, 1).padStart(5)} s  ` +
            `RSS ${fmt(run.readyRssMB, 1)} → ${fmt(run.endRssMB, 1)} MB (peak ${fmt(run.windowPeakRssMB, 1)}, ` +
            `lifetime ${fmt(run.lifetimePeakRssMB, 1)}, after GC ${fmt(run.afterGcRssMB, 1)}; ` +
            `heap after GC ${fmt(run.readyAfterGcHeapUsedMB, 1)} → ${fmt(run.afterGcHeapUsedMB, 1)} MB)  ` +
            `CPU ${fmt(run.cpuMs, 0)} ms = ${fmt(run.cpuMsPerShardPerMin, 2)} ms/shard/min (${fmt(run.cpuPercentOfCore, 1)}% core)  ` +
            `heartbeats ${hb.total}/${hb.expected} (per shard ${hb.perShardMin}..${hb.perShardMax}, ${hb.silentShards} silent)` +
            (run.fibersAtEnd === undefined ? "" : `  fibers ${run.fibersAtReady} → ${run.fibersAtEnd}`) +
            (run.connectionsOpened === 0 ? "" : `  ${run.connectionsOpened} RECONNECTS in the window`) +
            (run.startupReconnects === 0 ? "" : `  ${run.startupReconnects} reconnects during startup`) +
            (run.extraIdentifies === 0 ? "" : `  ${run.extraIdentifies} extra identifies`)
        )
      }
    }
  }
  const summary: Array<IdleSummary> = []
  for (const shards of options.sizes) {
    for (const name of options.clients) {
      const rs = runs.filter((r) => r.client === labels[name] && r.shards === shards)
      if (rs.length === 0) continue
      const fibers = rs.map((r) => r.fibersAtEnd).filter((f): f is number => f !== undefined)
      summary.push({
        client: labels[name],
        shards,
        startupMs: median(rs.map((r) => r.startupMs)),
        readyRssMB: median(rs.map((r) => r.readyRssMB)),
        endRssMB: median(rs.map((r) => r.endRssMB)),
        windowPeakRssMB: median(rs.map((r) => r.windowPeakRssMB)),
        lifetimePeakRssMB: median(rs.map((r) => r.lifetimePeakRssMB)),
        afterGcRssMB: optionalMedian(rs.map((r) => r.afterGcRssMB)),
        afterGcHeapUsedMB: optionalMedian(rs.map((r) => r.afterGcHeapUsedMB)),
        heapGrowthMB: optionalMedian(rs.map((r) =>
          r.afterGcHeapUsedMB === undefined || r.readyAfterGcHeapUsedMB === undefined
            ? undefined
            : r.afterGcHeapUsedMB - r.readyAfterGcHeapUsedMB
        )),
        cpuMsPerShardPerMin: median(rs.map((r) => r.cpuMsPerShardPerMin)),
        cpuPercentOfCore: median(rs.map((r) => r.cpuPercentOfCore)),
        heartbeatsPerShardMedian: median(rs.map((r) => r.heartbeats.perShardMedian)),
        heartbeatsPerShardMin: Math.min(...rs.map((r) => r.heartbeats.perShardMin)),
        fibersPerShard: fibers.length === 0 ? undefined : round1(median(fibers) / shards, 2)
      })
    }
  }
  console.log(`median of ${options.rounds} round(s); CPU = user + system of the client over the ${windowS} s window; ` +
    `HB = heartbeats the simulator received per shard in the window (1 per ${heartbeatInterval} ms expected); ` +
    `"after GC" = after global.gc() at the end (a full GC also runs right after READY); ` +
    `heap Δ = heap after GC at the end − heap after GC at READY:`)
  printTable(summary)

  const slopes: Array<Slope> = []
  if (options.sizes.length >= 2) {
    const small = Math.min(...options.sizes)
    const big = Math.max(...options.sizes)
    for (const name of options.clients) {
      const a = summary.find((s) => s.client === labels[name] && s.shards === small)
      const b = summary.find((s) => s.client === labels[name] && s.shards === big)
      if (a === undefined || b === undefined) continue
      const perShard = (x: number, y: number) => round1(((y - x) * 1024) / (big - small), 1)
      slopes.push({
        client: labels[name],
        from: small,
        to: big,
        readyKBPerShard: perShard(a.readyRssMB, b.readyRssMB),
        endKBPerShard: perShard(a.endRssMB, b.endRssMB),
        windowPeakKBPerShard: perShard(a.windowPeakRssMB, b.windowPeakRssMB),
        afterGcKBPerShard: a.afterGcRssMB === undefined || b.afterGcRssMB === undefined
          ? undefined
          : perShard(a.afterGcRssMB, b.afterGcRssMB),
        afterGcHeapKBPerShard: a.afterGcHeapUsedMB === undefined || b.afterGcHeapUsedMB === undefined
          ? undefined
          : perShard(a.afterGcHeapUsedMB, b.afterGcHeapUsedMB)
      })
    }
    console.log(`RSS per shard, slope (RSS(${big}) − RSS(${small})) / ${big - small}, KB per shard (issue #8 target: ≤ 60):`)
    for (const s of slopes) {
      console.log(
        `  ${s.client.padEnd(14)} end of window ${fmt(s.endKBPerShard, 1).padStart(6)} KB/shard, ` +
          `at READY ${fmt(s.readyKBPerShard, 1).padStart(6)}, window peak ${fmt(s.windowPeakKBPerShard, 1).padStart(6)}, ` +
          `after GC ${fmt(s.afterGcKBPerShard, 1).padStart(6)} (V8 heap after GC ${fmt(s.afterGcHeapKBPerShard, 1)})`
      )
    }
  }
  for (const shards of options.sizes) {
    const ours = summary.find((s) => s.client === "ours" && s.shards === shards)
    const djs = summary.find((s) => s.client === "@discordjs/ws" && s.shards === shards)
    if (ours === undefined || djs === undefined) continue
    console.log(
      `  ${shards} shards, ours/@discordjs/ws: idle CPU ${fmt(ours.cpuMsPerShardPerMin / djs.cpuMsPerShardPerMin, 2)}×, ` +
        `RSS at the end ${fmt(ours.endRssMB / djs.endRssMB, 2)}× (issue #8: CPU ≤ 1×)`
    )
  }
  return {
    workload: "idle",
    description,
    sizes: options.sizes,
    windowMs: options.windowMs,
    settleMs: options.settleMs,
    heartbeatIntervalMs: heartbeatInterval,
    summary,
    rssSlopes: slopes,
    failures,
    runs
  }
}
