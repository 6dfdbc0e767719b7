/**
 * Soak test: the served simulator in chaos mode, over real localhost sockets
 * (NodeSocket client, zlib-stream with messages split across frames), for N minutes.
 *
 *   npm run soak -- --minutes 10 --rate 200 --seed 7
 *
 * Options: --minutes (default 10), --rate dispatches per second (default 2000), --seed
 * (default 1), --chaos-max-ms longest pause between disruptions and longest
 * ACK outage / frame hold (default 5000), --heartbeat heartbeat interval in ms
 * (default 5000), --compression zlib-stream|none (default zlib-stream),
 * --max-rss-growth-mb allowed RSS growth after the first 20% of the run (default 150;
 * measured after a full GC when node runs with --expose-gc, as `npm run soak` does).
 * The simulator keeps every dispatch as ground truth, so some growth is expected.
 *
 * A progress line every 10 s; at the end the disruptions are healed, the client gets up
 * to 60 s to catch up, and its stream is checked against the simulator's sessions.
 * Exits 1 on a lost, duplicated or out-of-order event, an unreported lost session, a
 * live session that never catches up, a fatal gateway error, a crash, or RSS growth
 * beyond the bound.
 */
import { NodeSocket } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Stream from "effect/Stream"
import { monitorEventLoopDelay } from "node:perf_hooks"
import * as Gateway from "../src/Gateway.js"
import * as GatewayConfig from "../src/GatewayConfig.js"
import * as Chaos from "../src/testing/Chaos.js"
import { Simulator } from "../src/testing/Simulator.js"

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
const compression = option("compression", "zlib-stream") === "none" ? "none" : "zlib-stream"
const token = "soak-token"

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024)

// With --expose-gc (the npm script passes it), RSS is measured after a full collection,
// so the growth bound compares live memory rather than GC timing.
const gc = (globalThis as { gc?: () => void }).gc
const settledRss = () => {
  gc?.()
  return process.memoryUsage().rss
}

const program = Effect.gen(function*() {
  const sim = yield* Simulator
  const checker = Chaos.makeChecker({ recordNames: false })
  const stats = Chaos.makeStats()
  const loopDelay = monitorEventLoopDelay({ resolution: 10 })
  loopDelay.enable()
  const started = Date.now()
  const durationMillis = minutes * 60_000

  return yield* Effect.scoped(Effect.gen(function*() {
    const gateway = yield* Gateway.make
    const stream = yield* gateway.subscribe
    const collector = yield* Effect.forkScoped(
      Stream.runForEach(stream, (event) => Effect.sync(() => checker.observe(event)))
    )

    // Traffic: `rate` dispatches per second, in ticks of 100 ms.
    const traffic = yield* Effect.forkScoped(Effect.gen(function*() {
      let owed = 0
      while (true) {
        owed += rate / 10
        const count = Math.floor(owed)
        owed -= count
        if (count > 0) yield* Chaos.step({ _tag: "Dispatch", count }, {}, stats)
        yield* Effect.sleep(100)
      }
    }))

    // Chaos: a seeded stream of disruptions, `Advance` being real time between them.
    const next = Chaos.generator({ seed, rates: { Dispatch: 0, Yield: 0 }, maxMillis: chaosMaxMillis })
    const chaos = yield* Effect.forkScoped(Effect.forever(Effect.suspend(() => Chaos.step(next(), {}, stats))))

    let rssBaseline: number | undefined
    let rssPeak = 0
    const progress = () => {
      const rss = process.memoryUsage().rss
      rssPeak = Math.max(rssPeak, rss)
      const c = checker.counters()
      const line = [
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
        `rss=${mb(rss)}MB`,
        `loopDelay p99=${Math.round(loopDelay.percentile(99) / 1e6)}ms max=${Math.round(loopDelay.max / 1e6)}ms`
      ].join(" ")
      console.log(line)
    }
    while (Date.now() - started < durationMillis) {
      yield* Effect.sleep(Math.min(10_000, Math.max(0, durationMillis - (Date.now() - started))))
      if (rssBaseline === undefined && Date.now() - started >= durationMillis * 0.2) {
        rssBaseline = settledRss()
      }
      progress()
      const fatal = yield* Fiber.poll(collector)
      if (fatal._tag === "Some") break
    }

    yield* Fiber.interrupt(chaos)
    yield* Fiber.interrupt(traffic)
    yield* Chaos.heal
    // Let the client catch up with the live session.
    let settled = false
    const settleStarted = Date.now()
    while (Date.now() - settleStarted < 60_000) {
      const sessions = yield* sim.sessions
      const newest = sessions[sessions.length - 1]
      const current = checker.current()
      if (
        current !== undefined && newest !== undefined && current.sessionId === newest.id &&
        current.delivered === newest.log.length && (yield* gateway.status.get) === "Ready"
      ) {
        settled = true
        break
      }
      yield* Effect.sleep(250)
    }
    const verdict = checker.verify(yield* sim.sessions, { settled })
    const collectorExit = yield* Fiber.poll(collector)
    const rssEnd = settledRss()
    const rssGrowth = rssBaseline === undefined ? 0 : mb(rssEnd - rssBaseline)
    loopDelay.disable()
    const c = checker.counters()
    console.log()
    console.table({
      "run (s)": Math.round((Date.now() - started) / 1000),
      "seed": seed,
      "rate (/s)": rate,
      "compression": compression,
      "dispatched": stats.dispatched,
      "delivered": c.delivered,
      "sessions seen": verdict.sessions,
      "sessions lost (reported)": verdict.lost,
      "orphan sessions (READY never reached the client)": verdict.orphans,
      "resumes (RESUMED)": c.resumes,
      "identifies (READY)": c.readies,
      "gaps": c.gaps,
      "duplicates": c.duplicates,
      "violations": verdict.violations.length,
      "settled": settled,
      "RSS end (MB)": mb(rssEnd),
      "RSS peak (MB)": mb(rssPeak),
      "RSS growth after warm-up (MB)": rssGrowth,
      "event-loop delay p99 (ms)": Math.round(loopDelay.percentile(99) / 1e6),
      "event-loop delay max (ms)": Math.round(loopDelay.max / 1e6)
    })
    console.log("chaos actions:", JSON.stringify(stats.actions))
    const failures: Array<string> = [...verdict.violations.slice(0, 20)]
    if (verdict.violations.length > 20) failures.push(`... and ${verdict.violations.length - 20} more violations`)
    if (!settled) failures.push("the live session never caught up within 60 s after the chaos stopped")
    if (collectorExit._tag === "Some") {
      failures.push(
        Exit.isFailure(collectorExit.value)
          ? `the event stream failed: ${String(collectorExit.value.cause)}`
          : "the event stream ended"
      )
    }
    if (rssGrowth > maxRssGrowthMb) failures.push(`RSS grew by ${rssGrowth} MB after warm-up (bound ${maxRssGrowthMb} MB)`)
    return failures
  }))
})

const layer = Layer.unwrapEffect(Effect.map(Simulator, (sim) =>
  Layer.mergeAll(
    GatewayConfig.layer({ token, gatewayUrl: sim.url, compression }),
    NodeSocket.layerWebSocketConstructor
  ))).pipe(
    Layer.provideMerge(Simulator.layerServe({ token, guilds: 2, heartbeatInterval, splitCompressedFrames: true }))
  )

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
  `soak: ${minutes} min, ${rate} dispatches/s, seed ${seed}, ${compression}, heartbeat ${heartbeatInterval} ms, ` +
    `disruptions up to every ${chaosMaxMillis} ms`
)
// The chaos makes the gateway log every reconnect: warnings and worse are counted, not printed.
const warnings = new Map<string, number>()
const countingLogger = Logger.make(({ logLevel, message }) => {
  if (LogLevel.lessThan(logLevel, LogLevel.Warning)) return
  const text = String(Array.isArray(message) ? message[0] : message).replace(/\d+/g, "N").slice(0, 80)
  const key = `${logLevel.label} ${text}`
  warnings.set(key, (warnings.get(key) ?? 0) + 1)
})

Effect.runPromiseExit(program.pipe(
  Effect.provide(layer),
  Effect.provide(Logger.replace(Logger.defaultLogger, countingLogger))
)).then((exit) => {
  if (warnings.size > 0) {
    console.log("warnings and errors logged by the gateway (numbers replaced by N):")
    for (const [key, count] of [...warnings].sort((a, b) => b[1] - a[1])) console.log(`  ${count} × ${key}`)
  }
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
