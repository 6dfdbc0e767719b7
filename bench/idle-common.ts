/**
 * Shared by the idle-shards clients (`bench/client-idle-*.ts`): each runs N shards in its own
 * process and measures itself over an idle window that the parent (bench/idle.ts) opens and closes.
 *
 * Protocol with the parent, over IPC:
 * - client → parent `{ type: "ready", rssMB, ... }` once all N shards are READY;
 * - parent → client `{ type: "start" }`: the window opens (CPU time and RSS are taken, RSS is
 *   sampled every 250 ms from then on);
 * - parent → client `{ type: "stop" }`: the window closes; the client answers
 *   `{ type: "result", result: IdleResult }` and exits.
 *
 * Profiling the window only (not the startup): `BENCH_IDLE_PROFILE_DIR=/tmp/prof npm run bench -- --workloads idle`
 * writes one `.cpuprofile` per client run (the profiler's overhead then counts in the CPU column).
 * `BENCH_IDLE_HEAPSNAPSHOT_DIR=dir` writes a heap snapshot after the window's final GC.
 */
import { writeFileSync } from "node:fs"
import { Session } from "node:inspector"
import { join } from "node:path"
import { writeHeapSnapshot } from "node:v8"

export interface IdleResult {
  readonly client: string
  readonly shards: number
  /** Wall time of the window as the client saw it, in ms. */
  readonly windowMs: number
  /** user + system CPU over the window, in ms. */
  readonly cpuMs: number
  /** `process.memoryUsage.rss()` when the last shard became READY, in MB. */
  readonly readyRssMB: number
  /** `process.memoryUsage.rss()` at the end of the window, in MB. */
  readonly endRssMB: number
  /** Highest RSS sampled within the window (every 250 ms, and at both ends), in MB. */
  readonly windowPeakRssMB: number
  /** `process.resourceUsage().maxRSS` at the end: the whole lifetime, startup included, in MB. */
  readonly lifetimePeakRssMB: number
  /** V8 heap in use at READY and at the end of the window, in MB. */
  readonly readyHeapUsedMB: number
  readonly endHeapUsedMB: number
  /**
   * RSS and heap in use after a full GC (`global.gc`, the parent passes `--expose-gc`), taken
   * after the window's numbers: what the shards retain, without the garbage of the last
   * heartbeats that RSS at the end may or may not still hold, depending on when V8 last collected.
   */
  readonly afterGcRssMB: number | undefined
  readonly afterGcHeapUsedMB: number | undefined
  /** `process.memoryUsage()` at the end of the window (before the GC), in MB: where the RSS is. */
  readonly endMemory: {
    readonly heapTotalMB: number
    readonly heapUsedMB: number
    readonly externalMB: number
    readonly arrayBuffersMB: number
  }
  /**
   * V8 heap in use after a full GC right after READY (taken after `readyRssMB` and
   * `readyHeapUsedMB`, before the settle and the window): compared with `afterGcHeapUsedMB`,
   * what the idle window added and kept.
   */
  readonly readyAfterGcHeapUsedMB: number | undefined
  /** Dispatch events the client received in all (READY, GUILD_CREATE, ...). */
  readonly events: number
  /** Live fibers at READY and at the end of the window, when the client can count them. */
  readonly fibersAtReady: number | undefined
  readonly fibersAtEnd: number | undefined
}

export const idleEnv = (): {
  readonly url: string
  readonly apiBaseUrl: string
  readonly shards: number
  readonly token: string
} => {
  const url = process.env["BENCH_URL"]
  const apiBaseUrl = process.env["BENCH_API_BASE_URL"]
  const shards = Number(process.env["BENCH_SHARDS"])
  const token = process.env["BENCH_TOKEN"]
  if (url === undefined || apiBaseUrl === undefined || token === undefined || !Number.isInteger(shards) || shards < 1) {
    throw new Error(
      "BENCH_URL, BENCH_API_BASE_URL, BENCH_SHARDS (>= 1) and BENCH_TOKEN must be set (run bench/run.ts, not the client)"
    )
  }
  return { url, apiBaseUrl, shards, token }
}

const send = (message: unknown, callback?: () => void): void => {
  if (process.send === undefined) throw new Error("the client must be spawned with an IPC channel")
  process.send(message, undefined, undefined, callback)
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 100) / 100

export class IdleMeter {
  /** Dispatch events received; the client increments it. */
  events = 0
  private readonly readyShards = new Set<number>()
  private readyRss = 0
  private readyHeapUsed = 0
  private readyAfterGcHeapUsed: number | undefined
  private fibersAtReady: number | undefined
  private startCpu: NodeJS.CpuUsage | undefined
  private startWall = 0
  private peakRss = 0
  private timer: NodeJS.Timeout | undefined

  /** `fibers`: how many fibers the client runs now, when it can tell. */
  constructor(
    readonly client: string,
    readonly shards: number,
    private readonly fibers: () => number | undefined = () => undefined
  ) {
    process.on("message", (message: { readonly type: string }) => {
      if (message.type === "start") this.start()
      else if (message.type === "stop") this.stop()
    })
  }

  /** Shard `id` is READY; the parent hears once all of them are. */
  shardReady(id: number): void {
    if (this.readyShards.has(id)) return
    this.readyShards.add(id)
    if (this.readyShards.size === this.shards) this.allReady()
  }

  /** Every shard is READY (for a client that awaits them all at once). */
  allReady(): void {
    if (this.readyRss !== 0) return
    this.readyRss = process.memoryUsage.rss()
    this.readyHeapUsed = process.memoryUsage().heapUsed
    this.fibersAtReady = this.fibers()
    const gc = (globalThis as { gc?: () => void }).gc
    if (gc !== undefined) {
      gc()
      this.readyAfterGcHeapUsed = process.memoryUsage().heapUsed
    }
    send({ type: "ready", rssMB: mb(this.readyRss) })
  }

  private sample(): void {
    const rss = process.memoryUsage.rss()
    if (rss > this.peakRss) this.peakRss = rss
  }

  private profiler: Session | undefined

  private start(): void {
    const dir = process.env["BENCH_IDLE_PROFILE_DIR"]
    if (dir !== undefined) {
      this.profiler = new Session()
      this.profiler.connect()
      this.profiler.post("Profiler.enable")
      this.profiler.post("Profiler.start")
    }
    this.startWall = performance.now()
    this.startCpu = process.cpuUsage()
    this.peakRss = 0
    this.sample()
    this.timer = setInterval(() => this.sample(), 250)
  }

  private stop(): void {
    // CPU first, so that the bookkeeping below is not counted in the window
    const cpu = process.cpuUsage(this.startCpu)
    const windowMs = performance.now() - this.startWall
    clearInterval(this.timer)
    const end = process.memoryUsage()
    const lifetimePeak = process.resourceUsage().maxRSS * 1024
    const fibersAtEnd = this.fibers()
    const gc = (globalThis as { gc?: () => void }).gc
    if (gc !== undefined) gc()
    const afterGc = gc === undefined ? undefined : process.memoryUsage()
    const snapshotDir = process.env["BENCH_IDLE_HEAPSNAPSHOT_DIR"]
    if (snapshotDir !== undefined) {
      writeHeapSnapshot(join(snapshotDir, `idle-${this.client.replace(/\W/g, "")}-${this.shards}.heapsnapshot`))
    }
    const result: IdleResult = {
      client: this.client,
      shards: this.shards,
      windowMs: Math.round(windowMs),
      cpuMs: Math.round((cpu.user + cpu.system) / 100) / 10,
      readyRssMB: mb(this.readyRss),
      endRssMB: mb(end.rss),
      windowPeakRssMB: mb(Math.max(this.peakRss, end.rss)),
      lifetimePeakRssMB: mb(lifetimePeak),
      readyHeapUsedMB: mb(this.readyHeapUsed),
      endHeapUsedMB: mb(end.heapUsed),
      afterGcRssMB: afterGc === undefined ? undefined : mb(afterGc.rss),
      afterGcHeapUsedMB: afterGc === undefined ? undefined : mb(afterGc.heapUsed),
      endMemory: {
        heapTotalMB: mb(end.heapTotal),
        heapUsedMB: mb(end.heapUsed),
        externalMB: mb(end.external),
        arrayBuffersMB: mb(end.arrayBuffers)
      },
      readyAfterGcHeapUsedMB: this.readyAfterGcHeapUsed === undefined ? undefined : mb(this.readyAfterGcHeapUsed),
      events: this.events,
      fibersAtReady: this.fibersAtReady,
      fibersAtEnd
    }
    if (this.profiler !== undefined) {
      const file = join(process.env["BENCH_IDLE_PROFILE_DIR"]!, `idle-${this.client.replace(/\W/g, "")}-${this.shards}.cpuprofile`)
      this.profiler.post("Profiler.stop", (error, { profile }) => {
        if (error === null) writeFileSync(file, JSON.stringify(profile))
        send({ type: "result", result }, () => process.exit(0))
      })
      return
    }
    // Exit without closing the shards: the parent only needs the numbers, and the server goes away next
    send({ type: "result", result }, () => process.exit(0))
  }
}

export const failIdle = (message: string): never => {
  process.stderr.write(`[bench idle client] FAILED: ${message}\n`)
  process.exit(1)
}
