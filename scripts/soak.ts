/**
 * Soak test: the served simulator in chaos mode, over real localhost sockets
 * (NodeSocket client, zlib-stream with messages split across frames), for N minutes.
 *
 *   npm run soak -- --minutes 10 --rate 200 --seed 7
 *
 * Options: --minutes (default 10), --rate dispatches per second (default 2000), --seed
 * (default 1), --chaos-max-ms longest pause between disruptions and longest
 * ACK outage / frame hold (default 5000), --heartbeat heartbeat interval in ms
 * (default 5000), --compression zlib-stream|zstd-stream|none (default zlib-stream; zstd-stream needs a Node
 * whose node:zlib has zstd, 22.15 or later, for the simulator), --encoding json|etf (default json), --shards N
 * (default 1: one Gateway; more: `Sharding` with N shards, traffic spread over the shards
 * by guild), --max-rss-growth-mb allowed growth of the client's RSS after the first 20%
 * of the run (default 150; measured after a full GC in the client).
 *
 * The client runs in its own process (scripts/soak-client.ts, `node --expose-gc --import tsx`)
 * and ships every event it delivers over IPC; this process keeps the simulator (which keeps
 * every dispatch as ground truth, so its memory grows with the run), the chaos, the traffic
 * and the checker. The RSS bound applies to the client only; both RSS figures are reported.
 *
 * A progress line every 10 s; at the end the disruptions are healed, the client gets up
 * to 60 s to catch up, and its stream is checked against the simulator's sessions.
 * Exits 1 on a lost, duplicated or out-of-order event, an unreported lost session, a
 * live session that never catches up, a fatal gateway error in the client, a client that
 * exits or stops answering, a crash of this process, or client RSS growth beyond the bound.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Chaos from "../src/testing/Chaos.js"
import { Simulator } from "../src/testing/Simulator.js"
import type { ClientMessage, ParentMessage, WireEvent } from "./soak-client.js"

const args = process.argv.slice(2)
const option = (name: string, fallback: string): string => {
  const index = args.indexOf(`--${name}`)
  const inline = args.find((arg) => arg.startsWith(`--${name}=`))
  if (inline !== undefined) return inline.slice(name.length + 3)
  return index >= 0 && args[index + 1] !== undefined ? args[index + 1]! : fallback
}
const numberOption = (name: string, fallback: number): number => {
  const value = Number(option(name, String(fallback)))
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} must be a non-negative number`)
    process.exit(2)
  }
  return value
}

const minutes = numberOption("minutes", 10)
const rate = numberOption("rate", 2_000)
const seed = numberOption("seed", 1)
const chaosMaxMillis = Math.max(1, numberOption("chaos-max-ms", 5_000))
const heartbeatInterval = Math.max(100, numberOption("heartbeat", 5_000))
const maxRssGrowthMb = numberOption("max-rss-growth-mb", 150)
const compressionOption = option("compression", "zlib-stream")
const compression = compressionOption === "none" || compressionOption === "zstd-stream" ? compressionOption : "zlib-stream"
const encoding = option("encoding", "json") === "etf" ? "etf" : "json"
const shards = Math.max(1, Math.floor(numberOption("shards", 1)))
const token = "soak-token"
const readyTimeoutMillis = 60_000 + shards * 6_000
const answerTimeoutMillis = 30_000

const here = dirname(fileURLToPath(import.meta.url))
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024)

// With --expose-gc (the npm script passes it), this process's RSS is also taken after a full collection.
const gc = (globalThis as { gc?: () => void }).gc
const settledRss = () => {
  gc?.()
  return process.memoryUsage().rss
}

/** The client process, as this process sees it through IPC. */
interface Client {
  readonly process: ChildProcess
  /** Latest `process.memoryUsage.rss()` it reported (not settled), and the highest. */
  rss: number
  rssPeak: number
  /** It has subscribed (its `ready` message came). */
  subscribed: boolean
  /** Every shard READY, as of its latest batch. */
  ready: boolean
  loopP99: number
  loopMax: number
  fatal: string | undefined
  exit: string | undefined
  /** It answered `finish`: its exit from then on is expected. */
  done: Extract<ClientMessage, { readonly type: "done" }> | undefined
  /** Answers awaited, by message type. */
  readonly waiting: Map<string, (message: ClientMessage) => void>
}

const spawnClient = (url: string, onEvents: (events: ReadonlyArray<WireEvent>) => void): Client => {
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", join(here, "soak-client.ts")], {
    cwd: join(here, ".."),
    env: {
      ...process.env,
      SOAK_URL: url,
      SOAK_TOKEN: token,
      SOAK_COMPRESSION: compression,
      SOAK_ENCODING: encoding,
      SOAK_SHARDS: String(shards)
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  const client: Client = {
    process: child,
    rss: 0,
    rssPeak: 0,
    subscribed: false,
    ready: false,
    loopP99: 0,
    loopMax: 0,
    fatal: undefined,
    exit: undefined,
    done: undefined,
    waiting: new Map()
  }
  child.on("message", (message: ClientMessage) => {
    switch (message.type) {
      case "events":
        onEvents(message.events)
        client.rss = message.rss
        client.rssPeak = Math.max(client.rssPeak, message.rss)
        client.ready = message.ready
        client.loopP99 = message.loopP99
        client.loopMax = message.loopMax
        break
      case "fatal":
        client.fatal ??= message.message
        break
      case "done":
        client.done = message
        break
      case "ready":
        client.subscribed = true
        break
      case "rss":
        break
    }
    const waiter = client.waiting.get(message.type)
    if (waiter !== undefined) {
      client.waiting.delete(message.type)
      waiter(message)
    }
  })
  child.on("error", (error) => {
    client.exit ??= `could not run: ${error.message}`
  })
  child.on("exit", (code, signal) => {
    client.exit ??= signal === null ? `exit code ${code}` : `signal ${signal}`
  })
  return client
}

/** Sends `request` (if any) and waits for the client's message of type `answer`; `undefined` on timeout or exit. */
const ask = <T extends ClientMessage["type"]>(
  client: Client,
  answer: T,
  request?: ParentMessage
): Effect.Effect<Extract<ClientMessage, { readonly type: T }> | undefined> =>
  Effect.async<Extract<ClientMessage, { readonly type: T }> | undefined>((resume) => {
    if (answer === "ready" && client.subscribed) return resume(Effect.succeed({ type: "ready" } as never))
    if (client.exit !== undefined) return resume(Effect.succeed(undefined))
    const onExit = () => resume(Effect.succeed(undefined))
    client.process.once("exit", onExit)
    client.waiting.set(answer, (message) => {
      client.process.off("exit", onExit)
      resume(Effect.succeed(message as Extract<ClientMessage, { readonly type: T }>))
    })
    if (request !== undefined && client.process.connected) client.process.send(request)
    return Effect.sync(() => {
      client.waiting.delete(answer)
      client.process.off("exit", onExit)
    })
  }).pipe(Effect.timeoutTo({
    duration: answer === "ready" ? readyTimeoutMillis : answerTimeoutMillis,
    onSuccess: (message) => message,
    onTimeout: () => undefined
  }))

const shardOfSession = (session: { readonly shard: readonly [number, number] | undefined }) => session.shard?.[0] ?? 0

/** Guild ids whose events the simulator routes to shard `k` (`(guild_id >> 22) % shards`). */
const guildOfShard = Array.from({ length: shards }, (_, k) => String(BigInt(k) << 22n))

const program = Effect.gen(function*() {
  const sim = yield* Simulator
  // One checker per shard: each shard is a stream of sessions of its own.
  const checkers = new Map<number, Chaos.Checker>()
  const checkerOf = (shard: number) => {
    let checker = checkers.get(shard)
    if (checker === undefined) {
      checker = Chaos.makeChecker({ recordNames: false })
      checkers.set(shard, checker)
    }
    return checker
  }
  for (let k = 0; k < shards; k++) checkerOf(k)
  const lostReasons = new Map<string, number>()
  const onEvents = (events: ReadonlyArray<WireEvent>) => {
    for (const event of events) {
      if (Array.isArray(event)) {
        const [shard, sequence, name, sessionId] = event as readonly [number, number, string, string?]
        checkerOf(shard).record({ _tag: "Dispatch", name, sequence, sessionId })
      } else {
        const lost = event as Extract<WireEvent, { readonly lost: string }>
        checkerOf(lost.shard).record({ _tag: "SessionLost", sessionId: lost.lost, lastSequence: lost.lastSequence })
        const reason = lost.reason.replace(/\d+/g, "N").slice(0, 60)
        lostReasons.set(reason, (lostReasons.get(reason) ?? 0) + 1)
      }
    }
  }
  const counters = () => {
    const total = { delivered: 0, readies: 0, resumes: 0, sessionsLost: 0, duplicates: 0, gaps: 0, violations: 0 }
    for (const checker of checkers.values()) {
      const c = checker.counters()
      for (const key of Object.keys(total) as Array<keyof typeof total>) total[key] += c[key]
    }
    return total
  }

  const client = yield* Effect.acquireRelease(
    Effect.sync(() => spawnClient(sim.url, onEvents)),
    (client) => Effect.sync(() => client.exit === undefined && client.process.kill("SIGTERM"))
  )
  const failures: Array<string> = []
  const clientFailures = () => [
    ...(client.fatal === undefined ? [] : [`fatal error in the client: ${client.fatal}`]),
    ...(client.exit !== undefined && client.done === undefined
      ? [`the client process exited unexpectedly (${client.exit})`]
      : [])
  ]
  if ((yield* ask(client, "ready")) === undefined) {
    return [
      client.exit === undefined
        ? `the client did not subscribe within ${readyTimeoutMillis / 1000} s`
        : "the client exited before it subscribed",
      ...clientFailures()
    ]
  }

  const stats = Chaos.makeStats()
  const loopDelay = monitorEventLoopDelay({ resolution: 10 })
  loopDelay.enable()
  const started = Date.now()
  const durationMillis = minutes * 60_000

  // Traffic: `rate` dispatches per second, in ticks of 100 ms; with shards, spread over
  // them by guild, as Discord routes guild events.
  const dispatch = (count: number): Effect.Effect<void, never, Simulator> =>
    shards === 1
      ? Chaos.step({ _tag: "Dispatch", count }, {}, stats)
      : Effect.gen(function*() {
        stats.steps++
        stats.actions.Dispatch = (stats.actions.Dispatch ?? 0) + 1
        for (let i = 0; i < count; i++) {
          const n = stats.dispatched++
          const guildId = guildOfShard[n % shards]!
          yield* sim.dispatchGuild("CHAOS_EVENT", { n, guild_id: guildId }, guildId)
        }
      })
  const traffic = yield* Effect.forkScoped(Effect.gen(function*() {
    let owed = 0
    while (true) {
      owed += rate / 10
      const count = Math.floor(owed)
      owed -= count
      if (count > 0) yield* dispatch(count)
      yield* Effect.sleep(100)
    }
  }))

  // Chaos: a seeded stream of disruptions, `Advance` being real time between them.
  const next = Chaos.generator({ seed, rates: { Dispatch: 0, Yield: 0 }, maxMillis: chaosMaxMillis })
  // With several shards, each disruption hits one of the live connections at random (seeded).
  const chaosOptions: Chaos.RunOptions = shards > 1 ? { target: Chaos.randomTarget(seed + 1) } : {}
  const chaos = yield* Effect.forkScoped(Effect.forever(Effect.suspend(() => Chaos.step(next(), chaosOptions, stats))))

  let clientRssBaseline: number | undefined
  let parentRssPeak = 0
  const progress = () => {
    const parentRss = process.memoryUsage().rss
    parentRssPeak = Math.max(parentRssPeak, parentRss)
    const c = counters()
    console.log([
      `${Math.round((Date.now() - started) / 1000)}s`,
      `dispatched=${stats.dispatched}`,
      `delivered=${c.delivered}`,
      `resumes=${c.resumes}`,
      `identifies=${c.readies}`,
      `sessionsLost=${c.sessionsLost}`,
      `gaps=${c.gaps}`,
      `duplicates=${c.duplicates}`,
      `violations=${c.violations}`,
      `chaosSteps=${stats.steps}`,
      `clientRss=${mb(client.rss)}MB`,
      `clientLoopDelay p99=${client.loopP99}ms max=${client.loopMax}ms`,
      `parentRss(simulator+checker)=${mb(parentRss)}MB`
    ].join(" "))
  }
  let lastProgress = started
  while (Date.now() - started < durationMillis && client.fatal === undefined && client.exit === undefined) {
    yield* Effect.sleep(Math.min(250, Math.max(0, durationMillis - (Date.now() - started))))
    if (clientRssBaseline === undefined && Date.now() - started >= durationMillis * 0.2) {
      clientRssBaseline = (yield* ask(client, "rss", { type: "measure" }))?.rss
    }
    if (Date.now() - lastProgress >= 10_000 || Date.now() - started >= durationMillis) {
      lastProgress = Date.now()
      progress()
    }
  }
  if (client.fatal !== undefined || client.exit !== undefined) progress()

  yield* Fiber.interrupt(chaos)
  yield* Fiber.interrupt(traffic)
  yield* Chaos.heal
  // Let the client catch up with the live session of every shard.
  let settled = false
  let streak = 0
  const settleStarted = Date.now()
  while (Date.now() - settleStarted < 60_000 && client.fatal === undefined && client.exit === undefined) {
    const sessions = yield* sim.sessions
    const caughtUp = Array.from({ length: shards }, (_, k) => k).every((k) => {
      const newest = sessions.filter((session) => shardOfSession(session) === k).at(-1)
      const current = checkerOf(k).current()
      return current !== undefined && newest !== undefined && current.sessionId === newest.id &&
        current.delivered === (newest.log.at(-1)?.s ?? 0)
    })
    // Twice in a row: a close the client has not read yet still looks caught up for a moment.
    streak = caughtUp && client.ready ? streak + 1 : 0
    if (streak >= 2) {
      settled = true
      break
    }
    yield* Effect.sleep(250)
  }

  const clientRssEnd = (yield* ask(client, "rss", { type: "measure" }))?.rss
  // `finish` flushes the client's last events before `done`, so the checker has them all.
  const done = yield* ask(client, "done", { type: "finish" })
  const sessions = yield* sim.sessions
  const verdicts = [...checkers].map(([k, checker]) =>
    checker.verify(sessions.filter((session) => shardOfSession(session) === k), { settled })
  )
  const violations = verdicts.flatMap((verdict) => verdict.violations)
  const parentRssEnd = settledRss()
  parentRssPeak = Math.max(parentRssPeak, parentRssEnd)
  const clientRssGrowth = clientRssBaseline === undefined || clientRssEnd === undefined
    ? 0
    : mb(clientRssEnd - clientRssBaseline)
  loopDelay.disable()
  const c = counters()
  const sum = (f: (verdict: Chaos.Verdict) => number) => verdicts.reduce((total, verdict) => total + f(verdict), 0)
  console.log()
  console.table({
    "run (s)": Math.round((Date.now() - started) / 1000),
    "seed": seed,
    "rate (/s)": rate,
    "compression": compression,
    "encoding": encoding,
    "shards": shards,
    "dispatched": stats.dispatched,
    "delivered": c.delivered,
    "sessions seen": sum((verdict) => verdict.sessions),
    "sessions lost (reported)": sum((verdict) => verdict.lost),
    "orphan sessions (READY never reached the client)": sum((verdict) => verdict.orphans),
    "resumes (RESUMED)": c.resumes,
    "identifies (READY)": c.readies,
    "gaps": c.gaps,
    "duplicates": c.duplicates,
    "violations": violations.length,
    "settled": settled,
    "client RSS at warm-up, settled (MB)": clientRssBaseline === undefined ? "-" : mb(clientRssBaseline),
    "client RSS end, settled (MB)": clientRssEnd === undefined ? "-" : mb(clientRssEnd),
    "client RSS peak, sampled (MB)": mb(client.rssPeak),
    "client RSS growth after warm-up (MB)": clientRssGrowth,
    "client event-loop delay p99 (ms)": done?.loopP99 ?? client.loopP99,
    "client event-loop delay max (ms)": done?.loopMax ?? client.loopMax,
    "parent RSS end, settled (MB; simulator + checker)": mb(parentRssEnd),
    "parent RSS peak (MB; simulator + checker)": mb(parentRssPeak),
    "parent event-loop delay p99 (ms)": Math.round(loopDelay.percentile(99) / 1e6),
    "parent event-loop delay max (ms)": Math.round(loopDelay.max / 1e6)
  })
  console.log("chaos actions:", JSON.stringify(stats.actions))
  if (lostReasons.size > 0) {
    console.log("sessions lost by reason (numbers replaced by N):", JSON.stringify(Object.fromEntries(lostReasons)))
  }
  if (done !== undefined && done.warnings.length > 0) {
    console.log("warnings and errors logged by the client's gateway (numbers replaced by N):")
    for (const [key, count] of [...done.warnings].sort((a, b) => b[1] - a[1])) console.log(`  ${count} × ${key}`)
  }

  failures.push(...violations.slice(0, 20))
  if (violations.length > 20) failures.push(`... and ${violations.length - 20} more violations`)
  if (!settled) failures.push("the live session never caught up within 60 s after the chaos stopped")
  failures.push(...clientFailures())
  if (done === undefined && client.exit === undefined) failures.push("the client did not answer `finish`")
  if (clientRssBaseline === undefined || clientRssEnd === undefined) {
    if (client.exit === undefined) failures.push("the client did not report its settled RSS")
  } else if (clientRssGrowth > maxRssGrowthMb) {
    failures.push(`the client's RSS grew by ${clientRssGrowth} MB after warm-up (bound ${maxRssGrowthMb} MB)`)
  }
  return failures
})

const layer = Simulator.layerServe({
  token,
  guilds: 2,
  heartbeatInterval,
  splitCompressedFrames: true,
  shards,
  maxConcurrency: shards
})

let crashed: unknown
process.on("uncaughtException", (error) => {
  crashed = error
  console.error("uncaught exception:", error)
})
process.on("unhandledRejection", (error) => {
  crashed = error
  console.error("unhandled rejection:", error)
})

console.log(
  `soak: ${minutes} min, ${rate} dispatches/s, seed ${seed}, ${compression}, ${encoding}, ${shards} shard(s), ` +
    `heartbeat ${heartbeatInterval} ms, disruptions up to every ${chaosMaxMillis} ms; client in its own process`
)

Effect.runPromiseExit(program.pipe(Effect.scoped, Effect.provide(layer))).then((exit) => {
  if (Exit.isFailure(exit)) {
    console.error("FAIL: the soak run itself failed:", String(exit.cause))
    process.exit(1)
  }
  const failures = [...exit.value, ...(crashed === undefined ? [] : [`crash: ${String(crashed)}`])]
  if (failures.length > 0) {
    console.error(`FAIL (${failures.length}):`)
    for (const failure of failures) console.error(`  - ${failure}`)
    process.exit(1)
  }
  console.log("PASS")
  process.exit(0)
})
