/**
 * Shared by the benchmark clients: each client runs in its own process, counts
 * MESSAGE_CREATE events and measures wall time, CPU time and RSS over the span
 * from the first to the last message it received.
 *
 * Protocol with the parent (bench/run.ts):
 * - IPC `{ type: "ready" }` once the client has received READY (the parent then starts the blast);
 * - IPC `{ type: "progress", count }` every `progressEvery` events (flow control: the parent keeps
 *   at most a fixed window of messages in flight, so what is measured is what the client consumes,
 *   not how much the server can buffer);
 * - one line `RESULT {json}` on stdout at the end.
 */

export interface ClientResult {
  readonly client: string
  readonly n: number
  /** Wall time from the first to the last MESSAGE_CREATE received, in ms. */
  readonly wallMs: number
  readonly eventsPerSec: number
  /** user + system CPU over the same span, in ms. */
  readonly cpuMs: number
  readonly cpuMsPer1k: number
  /** Highest `process.memoryUsage.rss()` seen, sampled every 50 ms (and at the end), in MB. */
  readonly peakRssSampledMB: number
  /** `process.resourceUsage().maxRSS` at the end (whole process lifetime), in MB. */
  readonly maxRssMB: number
  /** max of the two above. */
  readonly peakRssMB: number
  /** `process.memoryUsage.rss()` when READY arrived, before the blast: what the client holds idle. */
  readonly readyRssMB: number
}

export const env = (): {
  readonly url: string
  readonly n: number
  readonly token: string
  /** Transport compression the client must ask for. */
  readonly compression: "none" | "zlib-stream" | "zstd-stream"
  /** The payload encoding the client must ask for (`BENCH_ENCODING`, default json). */
  readonly encoding: "json" | "etf"
} => {
  const url = process.env["BENCH_URL"]
  const n = Number(process.env["BENCH_N"])
  const token = process.env["BENCH_TOKEN"]
  const compression = process.env["BENCH_COMPRESSION"] ?? "none"
  if (url === undefined || token === undefined || !Number.isInteger(n) || n < 2) {
    throw new Error("BENCH_URL, BENCH_N (>= 2) and BENCH_TOKEN must be set (run bench/run.ts, not the client)")
  }
  if (compression !== "none" && compression !== "zlib-stream" && compression !== "zstd-stream") {
    throw new Error(`BENCH_COMPRESSION must be "none", "zlib-stream" or "zstd-stream", not ${compression}`)
  }
  const encoding = process.env["BENCH_ENCODING"] ?? "json"
  if (encoding !== "json" && encoding !== "etf") throw new Error(`BENCH_ENCODING must be "json" or "etf", not ${encoding}`)
  return { url, n, token, compression, encoding }
}

/** `BENCH_DECODE`, for our clients: `"full"` (default) or `"none"` (envelope only, no Schema check). */
export const decodeEnv = (): "full" | "none" => {
  const decode = process.env["BENCH_DECODE"] ?? "full"
  if (decode !== "full" && decode !== "none") throw new Error(`BENCH_DECODE must be "full" or "none", not ${decode}`)
  return decode
}

/** The row label of our client in each decode mode. */
export const oursLabel = (decode: "full" | "none"): string => decode === "full" ? "ours" : "ours (envelope only)"

const progressEvery = 1_000

const send = (message: unknown): void => {
  if (process.send === undefined) throw new Error("the client must be spawned with an IPC channel")
  process.send(message)
}

export class Meter {
  count = 0
  private startWall = 0
  private startCpu: NodeJS.CpuUsage | undefined
  private peakRss = 0
  private readyRss = 0
  private timer: NodeJS.Timeout | undefined
  private readied = false
  private finished = false

  constructor(readonly client: string, readonly n: number) {
    this.sample()
    this.timer = setInterval(() => this.sample(), 50)
  }

  private sample(): void {
    const rss = process.memoryUsage.rss()
    if (rss > this.peakRss) this.peakRss = rss
  }

  /** The client is READY: the parent may start dispatching. */
  ready(): void {
    if (this.readied) return
    this.readied = true
    this.readyRss = process.memoryUsage.rss()
    send({ type: "ready" })
  }

  /** One MESSAGE_CREATE received; returns true when it was the last one. */
  tick(): boolean {
    const count = ++this.count
    if (count === 1) {
      this.startWall = performance.now()
      this.startCpu = process.cpuUsage()
    }
    if (count % progressEvery === 0) send({ type: "progress", count })
    if (count >= this.n) {
      this.finish()
      return true
    }
    return false
  }

  private finish(): void {
    if (this.finished) return
    this.finished = true
    const wallMs = performance.now() - this.startWall
    const cpu = process.cpuUsage(this.startCpu)
    clearInterval(this.timer)
    this.sample()
    const cpuMs = (cpu.user + cpu.system) / 1000
    // The clock starts at the first message, so n - 1 messages arrived within `wallMs`
    const intervals = this.n - 1
    const maxRssMB = (process.resourceUsage().maxRSS * 1024) / 1024 / 1024
    const peakRssSampledMB = this.peakRss / 1024 / 1024
    const result: ClientResult = {
      client: this.client,
      n: this.n,
      wallMs: round(wallMs),
      eventsPerSec: round(intervals / (wallMs / 1000)),
      cpuMs: round(cpuMs),
      cpuMsPer1k: round((cpuMs / intervals) * 1000, 3),
      peakRssSampledMB: round(peakRssSampledMB),
      maxRssMB: round(maxRssMB),
      peakRssMB: round(Math.max(maxRssMB, peakRssSampledMB)),
      readyRssMB: round(this.readyRss / 1024 / 1024)
    }
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => process.exit(0))
  }
}

export const fail = (message: string): never => {
  process.stderr.write(`[bench client] FAILED: ${message}\n`)
  process.exit(1)
}

const round = (x: number, digits = 1): number => {
  const f = 10 ** digits
  return Math.round(x * f) / f
}
