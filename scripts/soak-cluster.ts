/**
 * Cluster soak: gateway shards on several runner processes of one @effect/cluster cluster, the
 * runners killed with SIGKILL at random times, and a checker comparing what the simulator sent
 * (its ground truth) with what the runners' handlers reported.
 *
 *   npm run soak:cluster -- --runners 3 --shards 16 --kills 3 --minutes 3
 *
 * Options: --runners (default 3), --shards (default 16), --kills (default 3), --stops graceful stops
 * with SIGTERM besides the kills (default 1), --minutes (default 3),
 * --rate MESSAGE_CREATE dispatches per second over all shards (default 40), --seed (default 1),
 * --max-concurrency the simulator's `max_concurrency` (default 4), --restart-after seconds before a
 * killed runner is started again (default 15; it rejoins, and the cluster moves shards back to it
 * gracefully), --handler-ms time each handler takes per event (default 2), --cluster-defaults to run the
 * runners on @effect/cluster's default settings instead of `ClusterSharding.shardingConfig` (for comparison).
 *
 * It starts its own PostgreSQL (test/support/postgres.ts) and the simulator on localhost; each
 * runner is `scripts/soak-cluster-runner.ts` in its own process, reporting over IPC. Kills fall in
 * the middle 70 % of the run, at least 20 s apart, each of a random runner holding shards.
 *
 * Exits 1 on: a MESSAGE_CREATE of a session never handled (lost) or handled twice (duplicated), an
 * event missing without a SESSION_LOST before it (an unreported gap), a shard held by two runners
 * at once, a shard of a killed or stopped runner not held again within 10 s, a stopped runner that
 * does not exit, an identify of a bucket less
 * than 5 s after another of that bucket, a command sent through the cluster (every 2 s a runner
 * sends a presence update to a shard another runner holds) that was sent but never arrived on that
 * shard's connection, or a runner that fails. It prints failover times (min / median / max), resumes
 * and re-identifies, bucket violations and the commands delivered.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Chaos from "../src/testing/Chaos.js"
import * as Fixtures from "../src/testing/fixtures.js"
import { serve } from "../src/testing/Simulator.js"
import * as Postgres from "../test/support/postgres.js"
import type { ParentMessage, RunnerMessage } from "./soak-cluster-runner.js"

const here = dirname(fileURLToPath(import.meta.url))
const token = "soak-cluster-token"
/** How often a runner looks at the shards it holds: the resolution of the ownership check. */
const heldPollMillis = 5
/** Discord's identify window per bucket, which the simulator enforces. */
const identifyWindowMillis = 5_000

/** How a soak runs. */
export interface SoakOptions {
  readonly runners: number
  readonly shards: number
  readonly kills: number
  /** Runners stopped gracefully (SIGTERM), besides the kills. */
  readonly stops: number
  readonly minutes: number
  readonly rate: number
  readonly seed: number
  readonly maxConcurrency: number
  readonly restartAfterSeconds: number
  readonly handlerMillis: number
  /** Run the runners with @effect/cluster's default settings instead of `ClusterSharding.shardingConfig`. */
  readonly clusterDefaults?: boolean | undefined
  /** Progress lines (default `console.log`). */
  readonly log?: ((line: string) => void) | undefined
}

/** What a soak found. */
export interface SoakReport {
  readonly ok: boolean
  readonly problems: ReadonlyArray<string>
  /** Seconds from a kill until another runner held each of the dead runner's shards. */
  readonly failovers: ReadonlyArray<number>
  /** Seconds from a kill until each of the dead runner's shards delivered its RESUMED (or READY). */
  readonly recoveries: ReadonlyArray<number>
  readonly identifies: number
  readonly reidentifies: number
  readonly resumes: number
  readonly bucketViolations: number
  readonly dispatched: number
  readonly handled: number
  readonly lost: number
  readonly duplicated: number
  readonly kills: number
  readonly stops: number
  /** Seconds from a SIGTERM until another runner held each of the stopped runner's shards. */
  readonly gracefulMoves: ReadonlyArray<number>
  readonly moves: number
  /** Presence updates a runner sent with `ClusterSharding.send` to a shard another runner held, seen on that shard's connection. */
  readonly commandsDelivered: number
  readonly commandsFailed: number
}

interface Runner {
  readonly index: number
  readonly incarnation: number
  readonly port: number
  readonly process: ChildProcess
  held: ReadonlySet<number>
  up: boolean
  exited: boolean
  killedAt: number | undefined
  /** When it was sent SIGTERM (a graceful stop: its shards are handed over). */
  stoppedAt: number | undefined
  fatal: string | undefined
  /** The tail of its log (stdout and stderr). */
  stderr: string
}

/** A shard held by one runner incarnation from `from` until `to` (undefined: still). */
interface Holding {
  readonly shard: number
  readonly runner: string
  readonly from: number
  to: number | undefined
}


const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))


const stats = (values: ReadonlyArray<number>) => {
  if (values.length === 0) return "none"
  const sorted = [...values].sort((a, b) => a - b)
  const median = sorted.length % 2 === 1
    ? sorted[(sorted.length - 1) / 2]!
    : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2
  return `${sorted[0]!.toFixed(2)} / ${median.toFixed(2)} / ${sorted.at(-1)!.toFixed(2)} s (min / median / max, n=${sorted.length})`
}

/** Runs one soak and checks it. */
export const run = async (options: SoakOptions): Promise<SoakReport> => {
  const log = options.log ?? ((line: string) => console.log(line))
  // The same seed, the same kill times and victims.
  const rand = Chaos.makeRandom(options.seed)
  const problems: Array<string> = []
  const pg = await Postgres.start()
  const scope = Effect.runSync(Scope.make())
  const runners: Array<Runner> = []
  try {
    const { shape: sim } = await Effect.runPromise(
      serve({
        token,
        shards: options.shards,
        maxConcurrency: options.maxConcurrency,
        heartbeatInterval: 5_000,
        guilds: options.shards
      }).pipe(Scope.extend(scope))
    )
    log(`postgres on port ${pg.port}, simulator at ${sim.url}`)

    // What the handlers reported: MESSAGE_CREATE id -> how many times handled.
    const handledIds = new Map<string, number>()
    // Per shard, the time of each RESUMED / READY handled.
    const liveAt = new Map<number, Array<number>>()
    const holdings: Array<Holding> = []
    let handledCount = 0

    const portOf: Array<number> = []
    for (let i = 0; i < options.runners; i++) portOf.push(await Postgres.freePort())
    let incarnations = 0

    const start = (index: number): Runner => {
      const env: Record<string, string | undefined> = {
        ...process.env,
        PG_URL: pg.url,
        SIM_API: sim.apiBaseUrl,
        TOKEN: token,
        SHARDS: String(options.shards),
        RUNNER_PORT: String(portOf[index]),
        HANDLER_MILLIS: String(options.handlerMillis),
        HELD_POLL_MILLIS: String(heldPollMillis),
        CLUSTER_DEFAULTS: options.clusterDefaults === true ? "1" : "0"
      }
      // NodeClusterSocket reads these from the environment: they must not leak in from ours.
      delete env["HOST"]
      delete env["PORT"]
      delete env["SHARDS_PER_GROUP"]
      const child = spawn(process.execPath, ["--import", "tsx", join(here, "soak-cluster-runner.ts")], {
        cwd: join(here, ".."),
        env,
        stdio: ["ignore", "pipe", "pipe", "ipc"]
      })
      const runner: Runner = {
        index,
        incarnation: ++incarnations,
        port: portOf[index]!,
        process: child,
        held: new Set(),
        up: false,
        exited: false,
        killedAt: undefined,
        stoppedAt: undefined,
        fatal: undefined,
        stderr: ""
      }
      const name = `runner ${index}#${runner.incarnation}`
      const open = new Map<number, Holding>()
      const closeAll = (at: number) => {
        for (const holding of open.values()) holding.to = at
        open.clear()
      }
      // SOAK_LOG_DIR: each runner's log (its stderr) in a file of its own, for a failure's story.
      const logDir = process.env["SOAK_LOG_DIR"]
      const logFile = logDir === undefined ? undefined : Fs.openSync(join(logDir, `runner-${index}-${runner.incarnation}.log`), "a")
      const onOutput = (chunk: Buffer) => {
        runner.stderr = (runner.stderr + chunk.toString()).slice(-20_000)
        if (logFile !== undefined) Fs.writeSync(logFile, chunk)
      }
      child.stdout!.on("data", onOutput)
      child.stderr!.on("data", onOutput)
      child.on("message", (message: RunnerMessage) => {
        switch (message.type) {
          case "up":
            runner.up = true
            break
          case "held": {
            const next = new Set(message.shards)
            for (const shard of next) {
              if (!open.has(shard)) {
                const holding: Holding = { shard, runner: name, from: message.at, to: undefined }
                open.set(shard, holding)
                holdings.push(holding)
              }
            }
            for (const [shard, holding] of open) {
              if (!next.has(shard)) {
                holding.to = message.at
                open.delete(shard)
              }
            }
            runner.held = next
            break
          }
          case "event":
            handledCount++
            if (message.t === "MESSAGE_CREATE" && message.id !== undefined) {
              handledIds.set(message.id, (handledIds.get(message.id) ?? 0) + 1)
            } else if (message.t === "RESUMED" || message.t === "READY") {
              const list = liveAt.get(message.shard) ?? []
              list.push(message.at)
              liveAt.set(message.shard, list)
            }
            break
          case "fatal":
            runner.fatal ??= message.message
            break
          case "sent": {
            const command = commands.get(message.id)
            if (command !== undefined) command.error = message.error ?? null
            break
          }
        }
      })
      child.on("exit", (code, signal) => {
        runner.exited = true
        closeAll(runner.killedAt ?? Date.now())
        if (runner.killedAt === undefined && runner.stoppedAt === undefined && !stopping) {
          // Its last words may still be on the way through the pipe.
          setTimeout(() => problems.push(`${name} exited (${signal ?? code}) without being killed:\n${runner.stderr.slice(-3000)}`), 300)
        }
      })
      runners[index] = runner
      return runner
    }

    let stopping = false
    // Presence updates sent through the cluster by a runner to a shard it does not hold.
    const commands = new Map<number, { shard: number; from: number; name: string; at: number; error: string | null | undefined }>()
    // The first runner creates @effect/cluster's tables before the others start: runners started
    // together on a new database race on them (the runner retries, but a quiet start is faster).
    const first = start(0)
    const upBy = Date.now() + 60_000
    while (!first.up && !first.exited && Date.now() < upBy) await sleep(50)
    for (let i = 1; i < options.runners; i++) start(i)

    // Every shard held somewhere and live (READY handled).
    const allLive = async (timeoutMillis: number) => {
      const deadline = Date.now() + timeoutMillis
      while (Date.now() < deadline) {
        const held = new Set(runners.flatMap((r) => (r.exited ? [] : [...r.held])))
        let live = 0
        for (let shard = 0; shard < options.shards; shard++) if ((liveAt.get(shard)?.length ?? 0) > 0) live++
        if (held.size === options.shards && live === options.shards) return true
        await sleep(100)
      }
      return false
    }
    const startedAt = Date.now()
    const bootMillis = Math.ceil(options.shards / options.maxConcurrency) * identifyWindowMillis + 30_000
    if (!(await allLive(bootMillis))) {
      problems.push(`not every shard was READY within ${bootMillis / 1000} s of the start`)
    }
    // SOAK_DEBUG: how the start went (identify and resume times, the client's closes).
    if (process.env["SOAK_DEBUG"] !== undefined) {
      const early = await Effect.runPromise(sim.payloads)
      log(early.filter((p) => p.op === 2 || p.op === 6).map((p) =>
        `${p.op === 2 ? "identify" : "resume"} ${JSON.stringify((p.d as { shard?: unknown }).shard ?? (p.d as { session_id?: unknown }).session_id)} +${p.at - startedAt} ms (conn ${p.connection})`
      ).join("\n"))
      const closes = await Effect.runPromise(sim.closes)
      log(`client closes: ${closes.map((c) => `${c.connection}:${c.code}`).join(" ")}`)
    }
    log(
      `all ${options.shards} shards live after ${((Date.now() - startedAt) / 1000).toFixed(1)} s: ${
        runners.map((r) => `runner ${r.index} holds ${r.held.size}`).join(", ")
      }`
    )

    // Every 2 s, a runner sends a presence update to a shard another runner holds.
    const sendCommand = () => {
      const live = runners.filter((r) =>
        !r.exited && r.killedAt === undefined && r.stoppedAt === undefined && r.up && r.process.connected
      )
      if (live.length === 0) return
      const from = live[Math.floor(rand() * live.length)]!
      const others = Array.from({ length: options.shards }, (_, k) => k).filter((k) => !from.held.has(k))
      if (others.length === 0) return
      const shard = others[Math.floor(rand() * others.length)]!
      const id = commands.size + 1
      const name = `soak command ${id}`
      commands.set(id, { shard, from: from.index, name, at: Date.now(), error: undefined })
      const message: ParentMessage = { type: "send", id, shard, name }
      from.process.send(message)
    }

    // Traffic: MESSAGE_CREATEs with unique ids, to the guild of a random shard.
    const guildOf = (shard: number) => String(BigInt(shard) << 22n)
    let dispatched = 0
    let trafficOn = true
    const traffic = (async () => {
      const interval = 1000 / Math.max(1, options.rate)
      let next = Date.now()
      while (trafficOn) {
        const shard = Math.floor(rand() * options.shards)
        const id = String(1_000_000 + dispatched)
        await Effect.runPromise(
          sim.dispatchGuild(
            "MESSAGE_CREATE",
            Fixtures.messageCreate({ id, channelId: "42", guildId: guildOf(shard), content: `soak ${id}` }),
            guildOf(shard)
          )
        )
        dispatched++
        if (dispatched % Math.max(1, Math.round(options.rate * 2)) === 0) sendCommand()
        next += interval
        await sleep(Math.max(0, next - Date.now()))
      }
    })()

    // Kills and graceful stops: in the middle 70 % of the run, at least 20 s apart, in a seeded order.
    const runMillis = options.minutes * 60_000
    const kills: Array<{ at: number; runner: Runner; shards: ReadonlyArray<number> }> = []
    const stops: Array<{ at: number; runner: Runner; shards: ReadonlyArray<number> }> = []
    const loopStart = Date.now()
    const kinds: Array<"kill" | "stop"> = [
      ...Array.from({ length: options.kills }, () => "kill" as const),
      ...Array.from({ length: options.stops }, () => "stop" as const)
    ].map((kind) => [rand(), kind] as const).sort((a, b) => a[0] - b[0]).map(([, kind]) => kind)
    const slots = kinds.map((_, i) => {
      const lo = 0.15 + (0.7 * i) / kinds.length
      const hi = 0.15 + (0.7 * (i + 1)) / kinds.length
      return loopStart + runMillis * (lo + (hi - lo) * rand())
    })
    let lastKill = 0
    const restarts: Array<Promise<void>> = []
    const report = setInterval(() => {
      log(
        `${((Date.now() - loopStart) / 1000).toFixed(0)} s: ${dispatched} dispatched, ${handledCount} handled, ${
          runners.map((r) => (r.exited ? `runner ${r.index} down` : `runner ${r.index}: ${r.held.size}`)).join(", ")
        }`
      )
    }, 10_000)
    for (const [i, at] of slots.entries()) {
      await sleep(Math.max(0, Math.max(at, lastKill + 20_000) - Date.now()))
      const candidates = runners.filter((r) =>
        !r.exited && r.killedAt === undefined && r.stoppedAt === undefined && r.held.size > 0
      )
      if (candidates.length === 0) continue
      const victim = candidates[Math.floor(rand() * candidates.length)]!
      const now = Date.now()
      lastKill = now
      const shards = [...victim.held]
      if (kinds[i] === "kill") {
        victim.killedAt = now
        victim.process.kill("SIGKILL")
        kills.push({ at: now, runner: victim, shards })
        log(`killed runner ${victim.index} (SIGKILL) holding shards ${shards.join(", ")}`)
      } else {
        victim.stoppedAt = now
        victim.process.kill("SIGTERM")
        stops.push({ at: now, runner: victim, shards })
        log(`stopped runner ${victim.index} (SIGTERM) holding shards ${shards.join(", ")}`)
      }
      restarts.push(
        sleep(options.restartAfterSeconds * 1000).then(() => {
          if (stopping) return
          if (!victim.exited) problems.push(`runner ${victim.index} did not exit within ${options.restartAfterSeconds} s of SIGTERM`)
          start(victim.index)
          log(`restarted runner ${victim.index}`)
        })
      )
    }
    await sleep(Math.max(0, loopStart + runMillis - Date.now()))
    trafficOn = false
    await traffic
    await Promise.all(restarts)
    clearInterval(report)

    // Catch up: every dispatched message handled, or 60 s.
    const sessions = await Effect.runPromise(sim.sessions)
    const expected = new Set<string>()
    for (const session of sessions) {
      for (const entry of session.log) {
        if (entry.t === "MESSAGE_CREATE") expected.add((entry.d as { id: string }).id)
      }
    }
    const catchUpUntil = Date.now() + 60_000
    while (Date.now() < catchUpUntil && [...expected].some((id) => !handledIds.has(id))) await sleep(200)

    // The checks.
    const finalSessions = await Effect.runPromise(sim.sessions)
    let lost = 0
    let duplicated = 0
    for (const session of finalSessions) {
      for (const entry of session.log) {
        if (entry.t !== "MESSAGE_CREATE") continue
        const id = (entry.d as { id: string }).id
        const times = handledIds.get(id) ?? 0
        if (times === 0) {
          lost++
          if (lost <= 5) problems.push(`lost: ${id} (s ${entry.s}) of session ${session.id} (shard ${session.shard?.[0]})`)
        } else if (times > 1) {
          duplicated++
          if (duplicated <= 5) {
            problems.push(`duplicated: ${id} (s ${entry.s}) of session ${session.id} handled ${times} times`)
          }
        }
      }
    }
    if (lost > 5) problems.push(`... ${lost} lost in all`)
    if (duplicated > 5) problems.push(`... ${duplicated} duplicated in all`)

    // Double ownership: two holdings of one shard that overlap in time by more than a runner's
    // reporting resolution (it looks at what it holds every `heldPollMillis`, so a holding's end can
    // be reported that much late).
    for (let shard = 0; shard < options.shards; shard++) {
      const list = holdings.filter((h) => h.shard === shard).sort((a, b) => a.from - b.from)
      for (let i = 1; i < list.length; i++) {
        const previous = list[i - 1]!
        const end = previous.to ?? Infinity
        if (end - list[i]!.from > heldPollMillis) {
          problems.push(
            `shard ${shard} held by ${previous.runner} and ${list[i]!.runner} at once (${
              ((end === Infinity ? Date.now() : end) - list[i]!.from).toFixed(0)
            } ms)`
          )
        }
      }
    }

    // Failover: each shard of a killed runner held again, and live again.
    const failovers: Array<number> = []
    const recoveries: Array<number> = []
    for (const kill of kills) {
      for (const shard of kill.shards) {
        const next = holdings.find((h) => h.shard === shard && h.from > kill.at)
        if (next === undefined) {
          problems.push(`shard ${shard} of the runner killed at +${((kill.at - loopStart) / 1000).toFixed(0)} s never ran again`)
          continue
        }
        const seconds = (next.from - kill.at) / 1000
        failovers.push(seconds)
        if (seconds > 10) problems.push(`shard ${shard} ran again ${seconds.toFixed(1)} s after its runner died (> 10 s)`)
        const live = liveAt.get(shard)?.find((at) => at > kill.at)
        if (live !== undefined) recoveries.push((live - kill.at) / 1000)
      }
    }

    // Graceful stops: each shard of a stopped runner handed over and running elsewhere.
    const gracefulMoves: Array<number> = []
    for (const stop of stops) {
      for (const shard of stop.shards) {
        const next = holdings.find((h) => h.shard === shard && h.from > stop.at && !h.runner.startsWith(`runner ${stop.runner.index}#${stop.runner.incarnation}`))
        if (next === undefined) {
          problems.push(`shard ${shard} of the runner stopped at +${((stop.at - loopStart) / 1000).toFixed(0)} s never ran again`)
          continue
        }
        const seconds = (next.from - stop.at) / 1000
        gracefulMoves.push(seconds)
        if (seconds > 10) problems.push(`shard ${shard} ran again ${seconds.toFixed(1)} s after its runner was stopped (> 10 s)`)
      }
    }

    // Identify vs resume, and identify buckets, from what the simulator received.
    const payloads = await Effect.runPromise(sim.payloads)
    const identifies = payloads.filter((p) => p.op === 2)
    const resumes = payloads.filter((p) => p.op === 6).length
    const identifiedShards = new Map<number, number>()
    for (const p of identifies) {
      const shard = ((p.d as { shard?: [number, number] }).shard ?? [0, 1])[0]
      identifiedShards.set(shard, (identifiedShards.get(shard) ?? 0) + 1)
    }
    const reidentifies = [...identifiedShards.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0)
    const byBucket = new Map<number, Array<number>>()
    for (const p of identifies) {
      const shard = ((p.d as { shard?: [number, number] }).shard ?? [0, 1])[0]
      const bucket = shard % options.maxConcurrency
      const list = byBucket.get(bucket) ?? []
      list.push(p.at)
      byBucket.set(bucket, list)
    }
    let bucketViolations = 0
    for (const [bucket, times] of byBucket) {
      times.sort((a, b) => a - b)
      for (let i = 1; i < times.length; i++) {
        if (times[i]! - times[i - 1]! < identifyWindowMillis) {
          bucketViolations++
          problems.push(`bucket ${bucket}: two identifies ${times[i]! - times[i - 1]!} ms apart`)
        }
      }
    }
    if (reidentifies > 0) problems.push(`${reidentifies} re-identifies (every moved shard should resume)`)
    for (const runner of runners) if (runner.fatal !== undefined) problems.push(`runner ${runner.index}: ${runner.fatal}`)

    // Each command a runner said it sent arrived on a connection of its shard.
    const shardOfConnection = new Map<number, number>()
    const shardOfSession = new Map(finalSessions.map((session) => [session.id, session.shard?.[0] ?? 0]))
    for (const p of payloads) {
      if (p.op === 2) shardOfConnection.set(p.connection, ((p.d as { shard?: [number, number] }).shard ?? [0, 1])[0])
      if (p.op === 6) {
        const shard = shardOfSession.get((p.d as { session_id: string }).session_id)
        if (shard !== undefined) shardOfConnection.set(p.connection, shard)
      }
    }
    const presences = payloads.filter((p) => p.op === 3)
    let commandsDelivered = 0
    let commandsFailed = 0
    for (const command of commands.values()) {
      if (command.error === undefined) continue
      if (command.error !== null) {
        commandsFailed++
        log(`command to shard ${command.shard} from runner ${command.from} failed: ${command.error}`)
        continue
      }
      const arrived = presences.find((p) =>
        (p.d as { activities?: Array<{ name?: string }> }).activities?.[0]?.name === command.name
      )
      if (arrived === undefined) problems.push(`command ${command.name} to shard ${command.shard} was sent but never arrived`)
      else if (shardOfConnection.get(arrived.connection) !== command.shard) {
        problems.push(`command ${command.name} for shard ${command.shard} arrived on shard ${shardOfConnection.get(arrived.connection)}`)
      } else commandsDelivered++
    }

    const moves = holdings.length - options.shards
    log("")
    log(`dispatched ${expected.size} MESSAGE_CREATE, handled ${handledIds.size} distinct; lost ${lost}, duplicated ${duplicated}`)
    log(`kills: ${kills.length}, graceful stops: ${stops.length}; shard starts after the first: ${moves}`)
    log(`failover (killed runner's shards held again): ${stats(failovers)}`)
    log(`recovery (RESUMED handled after the kill):     ${stats(recoveries)}`)
    log(`graceful stops: ${stops.length}; their shards running elsewhere after ${stats(gracefulMoves)}`)
    log(`identifies: ${identifies.length} (${reidentifies} re-identifies); resumes: ${resumes}`)
    log(`bucket violations: ${bucketViolations}`)
    log(`commands sent through the cluster to another runner's shard: ${commandsDelivered} delivered to the right shard, ${commandsFailed} failed`)
    stopping = true
    return {
      ok: problems.length === 0,
      problems,
      failovers,
      recoveries,
      identifies: identifies.length,
      reidentifies,
      resumes,
      bucketViolations,
      dispatched: expected.size,
      handled: handledIds.size,
      lost,
      duplicated,
      kills: kills.length,
      stops: stops.length,
      gracefulMoves,
      moves,
      commandsDelivered,
      commandsFailed
    }
  } finally {
    for (const runner of runners) if (runner !== undefined && !runner.exited) runner.process.kill("SIGKILL")
    await Promise.all(
      runners.filter((r) => r !== undefined && !r.exited).map((r) =>
        new Promise<void>((resolve) => {
          r.process.once("exit", () => resolve())
          setTimeout(resolve, 5_000)
        })
      )
    )
    await Effect.runPromise(Scope.close(scope, Exit.void))
    pg.stop()
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href
if (isMain) {
  const args = process.argv.slice(2)
  const option = (name: string, fallback: number): number => {
    const index = args.indexOf(`--${name}`)
    const inline = args.find((arg) => arg.startsWith(`--${name}=`))
    const raw = inline !== undefined ? inline.slice(name.length + 3) : index >= 0 ? args[index + 1] : undefined
    const value = raw === undefined ? fallback : Number(raw)
    if (!Number.isFinite(value) || value < 0) {
      console.error(`--${name} must be a non-negative number`)
      process.exit(2)
    }
    return value
  }
  const options: SoakOptions = {
    runners: Math.max(1, option("runners", 3)),
    shards: Math.max(1, option("shards", 16)),
    kills: option("kills", 3),
    stops: option("stops", 1),
    minutes: option("minutes", 3),
    rate: option("rate", 40),
    seed: option("seed", 1),
    maxConcurrency: Math.max(1, option("max-concurrency", 4)),
    restartAfterSeconds: option("restart-after", 15),
    handlerMillis: option("handler-ms", 2),
    clusterDefaults: args.includes("--cluster-defaults")
  }
  console.log(`soak:cluster ${JSON.stringify(options)}`)
  run(options).then(
    (report) => {
      if (report.ok) {
        console.log("PASS")
        process.exit(0)
      }
      console.log(`FAIL:\n- ${report.problems.join("\n- ")}`)
      process.exit(1)
    },
    (error) => {
      console.error(error)
      process.exit(1)
    }
  )
}
