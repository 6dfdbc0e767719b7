/**
 * Shared by the guild workload (bench/guild.ts) and its clients (bench/client-guild-*.ts).
 *
 * Protocol with the parent:
 * - IPC `{ type: "ready" }` once the client has received READY;
 * - IPC `{ type: "guild", index, at }` each time the big GUILD_CREATE (`BENCH_GUILD_ID`) is delivered
 *   to the client's code (`at`: `performance.timeOrigin + performance.now()` in the client, epoch ms);
 * - IPC `{ type: "finish" }` from the parent: the client prints one line `RESULT {json}` and exits.
 */
import * as Fixtures from "../src/testing/fixtures.js"

/** The id of the big guild: distinct from the simulator's own guild (`snowflake(100)`). */
export const bigGuildId = Fixtures.snowflake(7_000)

/**
 * The big guild's GUILD_CREATE data: 1 000 channels, 250 roles, `members` members, each with a presence.
 * Deterministic, so the parent and a client build the same bytes.
 */
export const bigGuild = (members: number): Record<string, unknown> =>
  Fixtures.guildCreate(bigGuildId, { channels: 1_000, roles: 250, members, presences: true })

/** Heartbeat round trips (send → ACK) the client saw after READY. */
export interface AckStats {
  readonly count: number
  readonly medianMs: number | undefined
  readonly maxMs: number | undefined
  /** How they were observed. */
  readonly source: string
}

export interface GuildClientResult {
  readonly client: string
  /** Big GUILD_CREATEs delivered. */
  readonly delivered: number
  readonly ack: AckStats
  /** Highest `process.memoryUsage.rss()` seen, sampled every 50 ms, in MB. */
  readonly peakRssMB: number
  /** ours only: `JSON.parse` of the big frame's text, in the client process, per repetition, in ms. */
  readonly parseMs?: ReadonlyArray<number> | undefined
  /** ours only: the library's `toEvent` (Schema check) on the parsed copy, per repetition, in ms. */
  readonly validateMs?: ReadonlyArray<number> | undefined
}

export const guildEnv = (): { readonly url: string; readonly token: string; readonly members: number } => {
  const url = process.env["BENCH_URL"]
  const token = process.env["BENCH_TOKEN"]
  const members = Number(process.env["BENCH_GUILD_MEMBERS"])
  if (url === undefined || token === undefined || !Number.isInteger(members) || members < 1) {
    throw new Error("BENCH_URL, BENCH_TOKEN and BENCH_GUILD_MEMBERS must be set (run bench/run.ts, not the client)")
  }
  return { url, token, members }
}

const send = (message: unknown): void => {
  if (process.send === undefined) throw new Error("the client must be spawned with an IPC channel")
  process.send(message)
}

export const failGuild = (message: string): never => {
  process.stderr.write(`[bench guild client] FAILED: ${message}\n`)
  process.exit(1)
}

export const median = (xs: ReadonlyArray<number>): number | undefined => {
  if (xs.length === 0) return undefined
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

const round = (x: number): number => Math.round(x * 100) / 100

export class GuildMeter {
  private delivered = 0
  private readied = false
  private peakRss = 0
  private readonly timer: NodeJS.Timeout

  /**
   * `onFinish` runs when the parent says the sends are over; it returns the ACK statistics and,
   * for ours, the in-process measurements, before the result is printed.
   */
  constructor(
    readonly client: string,
    onFinish: () => Promise<Omit<GuildClientResult, "client" | "delivered" | "peakRssMB">>
  ) {
    this.sample()
    this.timer = setInterval(() => this.sample(), 50)
    process.on("message", (message: { type?: string }) => {
      if (message.type !== "finish") return
      clearInterval(this.timer)
      onFinish().then((rest) => {
        const result: GuildClientResult = {
          client: this.client,
          delivered: this.delivered,
          peakRssMB: round(this.peakRss / 1024 / 1024),
          ...rest,
          ...(rest.parseMs === undefined ? {} : { parseMs: rest.parseMs.map(round) }),
          ...(rest.validateMs === undefined ? {} : { validateMs: rest.validateMs.map(round) })
        }
        process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => process.exit(0))
      }, (error: unknown) => failGuild(String(error)))
    })
  }

  private sample(): void {
    const rss = process.memoryUsage.rss()
    if (rss > this.peakRss) this.peakRss = rss
  }

  ready(): void {
    if (this.readied) return
    this.readied = true
    send({ type: "ready" })
  }

  /** A GUILD_CREATE reached the client's code: reports it when it is the big guild. */
  guildCreate(data: unknown): void {
    const d = data as { id?: unknown; members?: ReadonlyArray<unknown> } | null
    if (d?.id !== bigGuildId) return
    const at = performance.timeOrigin + performance.now()
    send({ type: "guild", index: this.delivered++, at, members: d.members?.length ?? 0 })
  }
}

export const ackStats = (latencies: ReadonlyArray<number>, source: string): AckStats => ({
  count: latencies.length,
  medianMs: median(latencies),
  maxMs: latencies.length === 0 ? undefined : Math.max(...latencies),
  source
})
