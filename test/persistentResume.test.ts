/**
 * Resume across processes: a bot process killed with SIGKILL in the middle of a session (no
 * finalizer runs, nothing is flushed) and started again on the same session files resumes the
 * session, and every event Discord dispatched in it (the simulator's ground truth) was handled by
 * one process or the other.
 *
 * The bot is `fixtures/resumeChild.ts`, a real child process whose subscriber takes 12 ms per event.
 * It is killed right after a checkpoint was written while it still held a burst of events it had
 * not handled: a store that held the position of the moment would skip those on resume.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as SessionStore from "../src/SessionStore.js"
import * as Fixtures from "../src/testing/fixtures.js"
import { Simulator } from "../src/testing/Simulator.js"
import { token } from "./helpers.js"

const child = fileURLToPath(new URL("./fixtures/resumeChild.ts", import.meta.url))

/** Short, so checkpoints come often in real time; Discord's is 41 250 ms. */
const heartbeatInterval = 400
/** How long the child's subscriber takes per event. */
const handlerMillis = 12
/** A MESSAGE_CREATE every `trickleMillis` throughout, so every beat has a new position to record. */
const trickleMillis = 50
/** The burst the first bot is killed in the middle of: 20 events, 240 ms of work. */
const burst = 20

interface Handled {
  readonly type: string
  readonly sequence: number
}

/** The events a child handled, in order (a line cut short by the kill is not one). */
const handled = (file: string): Array<Handled> => {
  if (!Fs.existsSync(file)) return []
  const lines = Fs.readFileSync(file, "utf8").split("\n")
  lines.pop()
  return lines.map((line) => {
    const [type, sequence] = line.split(" ")
    return { type: type!, sequence: Number(sequence) }
  })
}

const lastHandled = (file: string): number => handled(file).at(-1)?.sequence ?? 0

/** The session stored in the directory (`KeyValueStore.layerFileSystem`: one file per key). */
const stored = (directory: string): SessionStore.SessionState | undefined => {
  const file = Path.join(directory, encodeURIComponent(`${SessionStore.defaultPrefix}shard-0-of-1`))
  try {
    return JSON.parse(Fs.readFileSync(file, "utf8")) as SessionStore.SessionState
  } catch {
    return undefined
  }
}

interface Bot {
  readonly name: string
  readonly process: ChildProcess
  /** Whether it has loaded its modules and waits for `go`. */
  readonly loaded: () => boolean
  /** Lets it read the session store and connect. */
  readonly go: () => void
  /** The end of its output (for failure messages). */
  readonly output: () => string
  /** Kills it with SIGKILL (if it still runs) and waits until it has exited. */
  readonly kill: Effect.Effect<void>
}

/** Starts the bot in a child process (it loads, then waits for `go`); killed when the scope closes, whatever happened. */
const startBot = (name: string, env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.sync((): Bot => {
      const proc = spawn(process.execPath, ["--import", "tsx", child], {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe", "ipc"]
      })
      let output = ""
      let loaded = false
      proc.stdout?.on("data", (chunk) => (output += String(chunk)))
      proc.stderr?.on("data", (chunk) => (output += String(chunk)))
      proc.on("message", (message) => {
        if (message === "loaded") loaded = true
      })
      const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()))
      return {
        name,
        process: proc,
        loaded: () => loaded,
        go: () => proc.send("go"),
        output: () => output.split("\n").slice(-20).join("\n"),
        kill: Effect.promise(() => {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL")
          return exited
        })
      }
    }),
    (bot) => bot.kill
  )

/** Polls `check` every 5 ms of real time until it returns a value; fails after `millis` or if the bot exited. */
const waitFor = <A>(what: string, bot: Bot, check: () => A | undefined, millis = 10_000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + millis
    while (Date.now() < deadline && bot.process.exitCode === null && bot.process.signalCode === null) {
      const value = check()
      if (value !== undefined) return value
      yield* Effect.sleep("5 millis")
    }
    return yield* Effect.fail(
      new Error(`${what} (bot ${bot.name}, exit ${bot.process.exitCode ?? bot.process.signalCode}):\n${bot.output()}`)
    )
  })

const message = (n: number) =>
  Fixtures.messageCreate({ id: Fixtures.snowflake(5_000 + n), channelId: Fixtures.snowflake(900), content: `m${n}` })

describe("persistent resume (SessionStore.layerFileSystem, real processes)", () => {
  it.live("a bot killed with SIGKILL mid-session resumes on restart, and no dispatched event is lost", () =>
    Effect.gen(function*() {
      const startedAt = Date.now()
      const sim = yield* Simulator
      const root = yield* Effect.acquireRelease(
        Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "edg-resume-"))),
        (directory) => Effect.sync(() => Fs.rmSync(directory, { recursive: true, force: true }))
      )
      const directory = Path.join(root, "sessions")
      const eventsOf = (name: string) => Path.join(root, `${name}.events`)
      const envFor = (name: string) => ({
        SIM_URL: sim.url,
        STORE_DIR: directory,
        EVENTS_FILE: eventsOf(name),
        HANDLER_MILLIS: String(handlerMillis),
        TOKEN: token
      })

      // The first process identifies and handles READY (1) and GUILD_CREATE (2).
      const a = yield* startBot("a", envFor("a"))
      yield* waitFor("bot a never loaded", a, () => (a.loaded() ? true : undefined))
      a.go()
      yield* waitFor("bot a handled no GUILD_CREATE", a, () => (lastHandled(eventsOf("a")) >= 2 ? true : undefined))
      // The second one loads meanwhile, and waits.
      const b = yield* startBot("b", envFor("b"))

      let lastDispatched = 0
      let count = 0
      const dispatch = Effect.gen(function*() {
        lastDispatched = yield* sim.dispatch("MESSAGE_CREATE", message(count++))
      })
      const trickle = yield* Effect.fork(Effect.forever(Effect.zipRight(dispatch, Effect.sleep(trickleMillis))))

      // A checkpoint past GUILD_CREATE is written at a beat; the next beat comes an interval later.
      // A burst just before it: the bot is in the middle of it when that beat's checkpoint is
      // written, and is killed right then.
      const checkpointWritten = (after: number | undefined) =>
        waitFor("bot a wrote no checkpoint", a, () => {
          const now = stored(directory)?.sequence
          return now !== undefined && now !== after && now > 2 ? now : undefined
        }, 3 * heartbeatInterval)
      let checkpoint = yield* checkpointWritten(stored(directory)?.sequence)
      let backlogAtKill = 0
      for (let attempt = 0; attempt < 5 && backlogAtKill < burst / 4; attempt++) {
        yield* Effect.sleep(heartbeatInterval - 100)
        for (let i = 0; i < burst; i++) yield* dispatch
        checkpoint = yield* checkpointWritten(checkpoint)
        backlogAtKill = lastDispatched - lastHandled(eventsOf("a"))
      }
      yield* a.kill
      const killedAt = Date.now() - startedAt
      assert.isAtLeast(backlogAtKill, burst / 4, "bot a was never killed while it held a burst")
      const storedAtKill = stored(directory)
      assert.isDefined(storedAtKill, "bot a left no session behind")
      const [session] = yield* sim.sessions
      assert.strictEqual(storedAtKill!.sessionId, session!.id)

      // Events keep coming while no process runs: Discord keeps them for the resume.
      const beforeRestart = lastDispatched
      yield* Effect.sleep("600 millis")
      yield* waitFor("bot b never loaded", b, () => (b.loaded() ? true : undefined))
      b.go()
      yield* waitFor("bot b handled no RESUMED", b, () =>
        handled(eventsOf("b")).some((event) => event.type === "RESUMED") ? true : undefined)
      const whileDown = lastDispatched - beforeRestart
      // Live on the resumed session for a while, then the stream stops and bot b catches up.
      yield* Effect.sleep("300 millis")
      yield* Fiber.interrupt(trickle)
      const [truth] = yield* sim.sessions
      const last = truth!.log.at(-1)!.s
      yield* waitFor(`bot b never handled sequence ${last}`, b, () => (lastHandled(eventsOf("b")) >= last ? true : undefined))
      yield* b.kill

      // The ground truth: one session, identified once (by a) and resumed once (by b), from what a stored.
      assert.strictEqual((yield* sim.sessions).length, 1)
      const payloads = yield* sim.payloads
      const identifies = payloads.filter((payload) => payload.op === 2)
      const resumes = payloads.filter((payload) => payload.op === 6)
      assert.strictEqual(identifies.length, 1)
      assert.strictEqual(resumes.length, 1)
      assert.deepStrictEqual(resumes[0]!.d, { token, session_id: session!.id, seq: storedAtKill!.sequence })
      assert.isAbove(resumes[0]!.connection, identifies[0]!.connection)

      // Every event of the session was handled by a or b: none lost.
      const byA = handled(eventsOf("a"))
      const byB = handled(eventsOf("b"))
      const seen = new Set([...byA, ...byB].map((event) => event.sequence))
      const lost = truth!.log.filter((event) => !seen.has(event.s)).map((event) => `${event.t} ${event.s}`)
      assert.deepStrictEqual(
        lost,
        [],
        `lost: bot a was killed holding ${backlogAtKill} events, after checkpoint ${storedAtKill!.sequence}; it handled up to ${
          byA.at(-1)?.sequence
        }`
      )
      // Each handled its events once and in order; b was given everything after the checkpoint.
      const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)
      assert.deepStrictEqual(byA.map((event) => event.sequence), range(1, byA.at(-1)!.sequence))
      assert.deepStrictEqual(byB.map((event) => event.sequence), range(storedAtKill!.sequence + 1, last))
      const duplicated = byA.filter((event) => event.sequence > storedAtKill!.sequence).length

      const messages = truth!.log.filter((event) => event.t === "MESSAGE_CREATE").length
      console.log(
        `persistent resume: ${truth!.log.length} dispatches in the session (${messages} MESSAGE_CREATE, ${whileDown} while no bot ran); ` +
          `bot a killed at ${killedAt} ms holding ${backlogAtKill} unhandled, right after writing checkpoint ${storedAtKill!.sequence}; ` +
          `bot b resumed from it (op 6: 1, op 2: 1); lost 0, handled twice ${duplicated}; ${Date.now() - startedAt} ms`
      )
    }).pipe(
      Effect.scoped,
      Effect.provide(Simulator.layerServe({ token, guilds: 1, heartbeatInterval, countHeartbeats: false }))
    ), 30_000)
})
