/**
 * The large-guild workload (issue #8): one big GUILD_CREATE (1 000 channels, 250 roles, 7 000 members
 * with presences by default: ~5 MB of JSON) sent to a client several times after READY, with a short
 * heartbeat interval (250 ms), to see what decoding it costs and whether it delays heartbeats.
 *
 * For each client, a fresh simulator (`heartbeatInterval: 250`, its own small guild) serves one child
 * process (bench/client-guild-*.ts). After READY and a quiet baseline, the parent sends the big
 * GUILD_CREATE `sends` times as pre-serialized text frames (`sim.sendRaw`, the sequence continuing the
 * session's), one at a time: it waits for the client to report the delivery and a quiet gap of three
 * heartbeat intervals, then sends the next at a chosen phase of the client's heartbeat cycle: send i
 * leaves (i + ½)/sends of an interval after a heartbeat arrived, so the sends sweep the cycle and the
 * last ones have the next heartbeat fall due while the client is busy with the frame (whether a beat
 * is late depends on that phase, not only on how long the frame takes). Measured:
 *
 * - delivery: from just before the parent's `sendRaw` to the client's IPC report that the event reached
 *   its code (our stream, discord.js's Dispatch event, bare's `onmessage` after `JSON.parse`), read on the
 *   parent's clock, so it includes serializing the frame into the socket, the localhost transfer and the
 *   IPC hop (< 1 ms); the client's own timestamp is kept in the JSON results too;
 * - in process (ours, full decode): `JSON.parse` of the payload's text and the library's `toEvent` (the
 *   Schema check) on that parsed copy, timed apart in the client after the sends;
 * - heartbeats: the simulator's log of op 1 payloads (`at`, its clock) gives the gaps between
 *   consecutive heartbeats; lateness = gap − interval. Gaps that overlap a send (from the send to one
 *   interval after the delivery) are counted as "with the guild", the others after READY as the baseline;
 * - ACK latency: the heartbeat round trips the client itself saw after READY.
 *
 * The simulator enforces Discord's 120 payloads per 60 s per connection, and heartbeats every 250 ms are
 * 4 per second: a connection must finish within ~30 s, which the default sends (8) keep well within.
 */
import { spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { serve } from "../src/testing/Simulator.js"
import { compiledClient } from "./compile.js"
import { type AckStats, bigGuild, type GuildClientResult, median } from "./guild-common.js"

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, "..")

const guildClients = {
  bare: { file: "client-guild-bare.ts", env: {} },
  ours: { file: "client-guild-ours.ts", env: { BENCH_DECODE: "full" } },
  "ours-envelope": { file: "client-guild-ours.ts", env: { BENCH_DECODE: "none" } },
  discordjs: { file: "client-guild-discordjs.ts", env: {} }
} as const
type GuildClientName = keyof typeof guildClients

const labels: Record<GuildClientName, string> = {
  bare: "bare",
  ours: "ours",
  "ours-envelope": "ours (envelope only)",
  discordjs: "@discordjs/ws"
}

export interface GuildOptions {
  readonly rounds: number
  readonly clients: ReadonlyArray<GuildClientName>
  /** Big GUILD_CREATEs per client per round. */
  readonly sends: number
  readonly members: number
  readonly quick: boolean
}

const heartbeatInterval = 250
const token = "bench-token"
const deliveryTimeoutMs = 20_000
const startupTimeoutMs = 60_000

interface Send {
  readonly index: number
  /** Parent clock, epoch ms (`performance.timeOrigin + performance.now()`), just before `sendRaw`. */
  readonly sentAt: number
  /** Parent clock, epoch ms, when the client's report arrived. */
  readonly reportedAt: number
  /** The client's own clock, epoch ms, when the event reached its code. */
  readonly clientAt: number
  /** reportedAt − sentAt. */
  readonly deliverMs: number
  readonly members: number
}

interface HeartbeatStats {
  /** op 1 payloads received after READY. */
  readonly count: number
  readonly baselineGaps: number
  readonly baselineMedianLateMs: number | undefined
  readonly baselineMaxLateMs: number | undefined
  readonly guildGaps: number
  readonly guildMaxLateMs: number | undefined
  /** Every lateness in a gap with the guild, in order. */
  readonly guildLateMs: ReadonlyArray<number>
}

export interface GuildRun {
  readonly client: string
  readonly round: number
  readonly sends: ReadonlyArray<Send>
  readonly deliverMedianMs: number
  readonly deliverMaxMs: number
  readonly heartbeats: HeartbeatStats
  readonly ack: AckStats
  readonly peakRssMB: number
  readonly connectionsOpened: number
  readonly parseMs?: ReadonlyArray<number> | undefined
  readonly validateMs?: ReadonlyArray<number> | undefined
}

const now = (): number => performance.timeOrigin + performance.now()
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const heartbeatStats = (
  beats: ReadonlyArray<number>,
  readyAt: number,
  sends: ReadonlyArray<Send>
): HeartbeatStats => {
  const baseline: Array<number> = []
  const withGuild: Array<number> = []
  for (let j = 1; j < beats.length; j++) {
    const from = beats[j - 1]!
    const to = beats[j]!
    if (from < readyAt) continue
    const late = to - from - heartbeatInterval
    const overlaps = sends.some((s) => from < s.reportedAt + heartbeatInterval && to > s.sentAt)
    if (overlaps) withGuild.push(late)
    else baseline.push(late)
  }
  return {
    count: beats.filter((b) => b >= readyAt).length,
    baselineGaps: baseline.length,
    baselineMedianLateMs: median(baseline),
    baselineMaxLateMs: baseline.length === 0 ? undefined : Math.max(...baseline),
    guildGaps: withGuild.length,
    guildMaxLateMs: withGuild.length === 0 ? undefined : Math.max(...withGuild),
    guildLateMs: withGuild
  }
}

const runOne = async (
  options: GuildOptions,
  guildJson: string,
  name: GuildClientName,
  round: number
): Promise<GuildRun> => {
  const scope = Effect.runSync(Scope.make())
  try {
    const { shape: sim } = await Effect.runPromise(
      Scope.extend(serve({ token, guilds: 1, heartbeatInterval }), scope)
    )
    const client = guildClients[name]
    const flags = (process.env["BENCH_CHILD_FLAGS"] ?? "").split(" ").filter(Boolean)
    const child = spawn(process.execPath, [...flags, compiledClient(client.file)], {
      cwd: root,
      env: {
        ...process.env,
        ...client.env,
        BENCH_URL: sim.url,
        BENCH_TOKEN: token,
        BENCH_GUILD_MEMBERS: String(options.members)
      },
      stdio: ["ignore", "pipe", "inherit", "ipc"]
    })
    let stdout = ""
    child.stdout!.setEncoding("utf8")
    child.stdout!.on("data", (chunk: string) => {
      stdout += chunk
    })
    type Message = { type: string; index?: number; at?: number; members?: number }
    const waiters: Array<{ type: string; resolve: (m: Message & { arrivedAt: number }) => void }> = []
    const inbox: Array<Message & { arrivedAt: number }> = []
    child.on("message", (m: Message) => {
      const arrived = { ...m, arrivedAt: now() }
      const i = waiters.findIndex((w) => w.type === m.type)
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(arrived)
      else inbox.push(arrived)
    })
    let exited: string | undefined
    const exit = new Promise<string>((resolve) =>
      child.on("exit", (code, signal) => {
        exited = `${labels[name]} exited with ${code ?? signal}; stdout:\n${stdout.slice(-4000)}`
        resolve(exited)
      })
    )
    const next = (type: string, timeoutMs: number): Promise<Message & { arrivedAt: number }> => {
      const i = inbox.findIndex((m) => m.type === type)
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]!)
      if (exited !== undefined) return Promise.reject(new Error(exited))
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${labels[name]}: no "${type}" within ${timeoutMs} ms`)), timeoutMs)
        waiters.push({
          type,
          resolve: (m) => {
            clearTimeout(timer)
            resolve(m)
          }
        })
        void exit.then((reason) => {
          clearTimeout(timer)
          reject(new Error(reason))
        })
      })
    }
    try {
      const ready = await next("ready", startupTimeoutMs)
      const sessions = await Effect.runPromise(sim.sessions)
      const baseSequence = sessions[sessions.length - 1]?.log.length ?? 0
      await sleep(options.quick ? 500 : 1_000)
      const sends: Array<Send> = []
      for (let i = 0; i < options.sends; i++) {
        const frame = `{"op":0,"d":${guildJson},"s":${baseSequence + i + 1},"t":"GUILD_CREATE"}`
        const beats = (await Effect.runPromise(sim.payloads)).filter((p) => p.op === 1)
        const lastBeat = beats[beats.length - 1]?.at
        if (lastBeat !== undefined) {
          let at = lastBeat + ((i + 0.5) / options.sends) * heartbeatInterval
          while (at < Date.now() + 2) at += heartbeatInterval
          await sleep(at - Date.now())
        }
        const sentAt = now()
        Effect.runSync(sim.sendRaw(frame))
        const report = await next("guild", deliveryTimeoutMs)
        if (report.members !== options.members) {
          throw new Error(`${labels[name]} reported ${report.members} members, not ${options.members}`)
        }
        sends.push({
          index: i,
          sentAt,
          reportedAt: report.arrivedAt,
          clientAt: report.at!,
          deliverMs: report.arrivedAt - sentAt,
          members: report.members
        })
        await sleep(3 * heartbeatInterval)
      }
      child.send({ type: "finish" })
      await exit
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT "))
      if (line === undefined) throw new Error(exited)
      for (const other of stdout.split("\n")) {
        if (other.trim() !== "" && !other.startsWith("RESULT ")) process.stderr.write(`  [${labels[name]} stdout] ${other}\n`)
      }
      const result = JSON.parse(line.slice("RESULT ".length)) as GuildClientResult
      const payloads = await Effect.runPromise(sim.payloads)
      const connections = await Effect.runPromise(sim.connections)
      const beats = payloads.filter((p) => p.op === 1).map((p) => p.at)
      const deliveries = sends.map((s) => s.deliverMs)
      return {
        client: labels[name],
        round,
        sends,
        deliverMedianMs: median(deliveries)!,
        deliverMaxMs: Math.max(...deliveries),
        // The simulator stamps with Date.now(): whole ms, the same epoch as `now()`
        heartbeats: heartbeatStats(beats, ready.arrivedAt, sends),
        ack: result.ack,
        peakRssMB: result.peakRssMB,
        connectionsOpened: connections.length,
        parseMs: result.parseMs,
        validateMs: result.validateMs
      }
    } finally {
      if (exited === undefined) child.kill("SIGKILL")
    }
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

const fmt = (x: number | undefined, digits: number): string =>
  x === undefined ? "-" : x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })

export const runGuild = async (options: GuildOptions): Promise<Record<string, unknown>> => {
  const buildStart = performance.now()
  const guildJson = JSON.stringify(bigGuild(options.members))
  const buildMs = performance.now() - buildStart
  const guildBytes = Buffer.byteLength(guildJson)
  const description = `one GUILD_CREATE of ${fmt(guildBytes / 1e6, 2)} MB (1 000 channels, 250 roles, ` +
    `${options.members} members with presences), sent ${options.sends}× per client after READY, ` +
    `${heartbeatInterval} ms heartbeats, uncompressed text frames`
  console.log("")
  console.log(`workload guild: ${description}`)
  const runs: Array<GuildRun> = []
  const failures: Array<{ client: string; round: number; reason: string }> = []
  for (let round = 1; round <= options.rounds; round++) {
    const order = options.clients.map((_, i) => options.clients[(i + round - 1) % options.clients.length]!)
    for (const name of order) {
      try {
        const run = await runOne(options, guildJson, name, round)
        runs.push(run)
        const validate = run.validateMs === undefined ? "" : `  in process: parse ${fmt(median(run.parseMs!), 1)} ms, ` +
          `toEvent ${fmt(median(run.validateMs), 1)} ms (median of ${run.validateMs.length})`
        console.log(
          `  round ${round} ${run.client.padEnd(20)} deliver ${fmt(run.deliverMedianMs, 1)} ms (max ${fmt(run.deliverMaxMs, 1)}; ` +
            `${run.sends.map((s) => fmt(s.deliverMs, 0)).join(", ")})  heartbeat late: max ${fmt(run.heartbeats.guildMaxLateMs, 0)} ms ` +
            `with the guild (${run.heartbeats.guildGaps} gaps), baseline max ${fmt(run.heartbeats.baselineMaxLateMs, 0)} ms ` +
            `(${run.heartbeats.baselineGaps})  ACK max ${fmt(run.ack.maxMs, 1)} ms (median ${fmt(run.ack.medianMs, 1)}, n ${run.ack.count})` +
            `  peak RSS ${fmt(run.peakRssMB, 1)} MB  connections ${run.connectionsOpened}${validate}`
        )
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        failures.push({ client: labels[name], round, reason })
        console.log(`  round ${round} ${labels[name].padEnd(20)} FAILED: ${reason.split("\n")[0]}`)
      }
    }
  }
  const summary = options.clients.map((name) => {
    const rs = runs.filter((r) => r.client === labels[name])
    const all = <A>(f: (r: GuildRun) => ReadonlyArray<A>): Array<A> => rs.flatMap(f)
    const maxOf = (xs: ReadonlyArray<number | undefined>): number | undefined => {
      const defined = xs.filter((x): x is number => x !== undefined)
      return defined.length === 0 ? undefined : Math.max(...defined)
    }
    return {
      client: labels[name],
      runs: rs.length,
      deliverMedianMs: median(all((r) => r.sends.map((s) => s.deliverMs))),
      deliverMaxMs: maxOf(all((r) => r.sends.map((s) => s.deliverMs))),
      parseMedianMs: median(all((r) => r.parseMs ?? [])),
      validateMedianMs: median(all((r) => r.validateMs ?? [])),
      heartbeatLateMaxMs: maxOf(rs.map((r) => r.heartbeats.guildMaxLateMs)),
      heartbeatLateMedianOfMaxMs: median(rs.flatMap((r) => r.heartbeats.guildMaxLateMs ?? [])),
      baselineLateMaxMs: maxOf(rs.map((r) => r.heartbeats.baselineMaxLateMs)),
      ackMaxMs: maxOf(rs.map((r) => r.ack.maxMs)),
      ackMedianMs: median(rs.flatMap((r) => r.ack.medianMs ?? [])),
      peakRssMB: median(rs.map((r) => r.peakRssMB)),
      reconnects: rs.reduce((sum, r) => sum + r.connectionsOpened - 1, 0)
    }
  })
  console.log(
    `${options.rounds} round(s) × ${options.sends} sends; deliver = parent's send → the client's report (median and max ` +
      `of all sends); HB late = heartbeat gap − ${heartbeatInterval} ms in gaps overlapping a send (max over runs; median ` +
      `of the per-run maxima), baseline = the other gaps after READY; ACK = send → ACK round trips the client saw:`
  )
  const header = [
    "client",
    "deliver ms med",
    "deliver ms max",
    "HB late max ms",
    "HB late med-of-max",
    "baseline late max",
    "ACK med ms",
    "ACK max ms",
    "peak RSS MB",
    "reconnects"
  ]
  const rows = summary.map((s) => [
    s.client,
    fmt(s.deliverMedianMs, 1),
    fmt(s.deliverMaxMs, 1),
    fmt(s.heartbeatLateMaxMs, 0),
    fmt(s.heartbeatLateMedianOfMaxMs, 0),
    fmt(s.baselineLateMaxMs, 0),
    fmt(s.ackMedianMs, 1),
    fmt(s.ackMaxMs, 1),
    fmt(s.peakRssMB, 1),
    String(s.reconnects)
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: ReadonlyArray<string>): string =>
    "| " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ") + " |"
  console.log(line(header))
  console.log("|" + widths.map((w, i) => (i === 0 ? ":" + "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|") + "|")
  for (const row of rows) console.log(line(row))
  const ours = summary.find((s) => s.client === labels.ours)
  if (ours?.parseMedianMs !== undefined) {
    console.log(
      `  in the ours client, apart from the socket (median of ${runs.filter((r) => r.validateMs).length} run(s) × ` +
        `repetitions): JSON.parse ${fmt(ours.parseMedianMs, 1)} ms, toEvent (Schema check) ${fmt(ours.validateMedianMs, 1)} ms`
    )
  }
  for (const f of failures) console.log(`  FAILED ${f.client} round ${f.round}: ${f.reason.split("\n")[0]}`)
  return {
    workload: "guild",
    description,
    guildBytes,
    members: options.members,
    heartbeatInterval,
    sends: options.sends,
    fixtureBuildMs: Math.round(buildMs),
    summary,
    failures,
    runs
  }
}
