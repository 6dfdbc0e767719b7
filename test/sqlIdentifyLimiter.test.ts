/**
 * `SqlIdentifyLimiter` on a real PostgreSQL (a private server started for this file, see
 * `support/postgres.ts`); skipped on a machine without PostgreSQL binaries. Two "processes" are two
 * limiters on two client layers, each with its own connection pool. Real time throughout: the
 * limiter reads the database's clock.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { PgClient } from "@effect/sql-pg"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { IdentifyLimiter, type IdentifyLimits } from "../src/IdentifyLimiter.js"
import * as SqlIdentifyLimiter from "../src/SqlIdentifyLimiter.js"
import * as Postgres from "./support/postgres.js"

let pg: Postgres.Postgres | undefined

/** A client (its own pool) on `url`, by default this file's server. */
const pgLayer = (url?: string) => PgClient.layer({ url: Redacted.make(url ?? pg!.url) })

/** A limiter of its own "process": its own pool on the database, in the test's scope. */
const processOn = (options: SqlIdentifyLimiter.SqlOptions, url?: string) =>
  Effect.map(
    Layer.build(SqlIdentifyLimiter.layer(options).pipe(Layer.provide(pgLayer(url)))),
    (context) => Context.get(context, IdentifyLimiter)
  )

/** A client for the test's own queries, in the test's scope. */
const client = Effect.suspend(() =>
  Effect.map(Layer.build(pgLayer()), (context) => Context.get(context, SqlClient.SqlClient))
)

const captureLogs = (lines: Array<string>) =>
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message }) =>
      lines.push(`${logLevel.label} ${Array.isArray(message) ? message[0] : message}`)
    )
  )

/** Milliseconds of real time since `start`. */
const since = (start: number) => Date.now() - start

/** Tolerance for two readings of two clocks (the database's for the claims, ours for the returns). */
const clockTolerance = 5

describe.skipIf(!Postgres.available())("SqlIdentifyLimiter on PostgreSQL", () => {
  beforeAll(async () => {
    pg = await Postgres.start()
  })
  afterAll(() => pg?.stop())

  it.live("two processes: one bucket's identifies are spaced by interval + margin, buckets proceed in parallel", () =>
    Effect.gen(function*() {
      const options = { prefix: "spacing", intervalMillis: 300, marginMillis: 20 }
      // Both start at once, as two processes may: both create the tables.
      const [a, b] = yield* Effect.all([processOn(options), processOn(options)], { concurrency: 2 })
      const limits: IdentifyLimits = { maxConcurrency: 2 }
      const start = Date.now()
      const returns = yield* Effect.all(
        [0, 1, 2, 3, 4, 5].map((shard) =>
          Effect.map((shard < 3 ? a : b).acquire(shard, limits), () => ({ shard, at: since(start) }))
        ),
        { concurrency: "unbounded" }
      )
      for (const bucket of [0, 1]) {
        const times = returns.filter(({ shard }) => shard % 2 === bucket).map(({ at }) => at).sort((x, y) => x - y)
        assert.strictEqual(times.length, 3)
        assert.isBelow(times[0]!, 200, `bucket ${bucket}: ${times}`)
        for (let i = 1; i < times.length; i++) {
          assert.isAtLeast(times[i]! - times[i - 1]!, 320 - clockTolerance, `bucket ${bucket}: ${times}`)
        }
        // Spaced, not slowed down: each waits for its turn and no longer.
        assert.isBelow(times[2]!, 640 + 250, `bucket ${bucket}: ${times}`)
      }
      const sql = yield* client
      const rows = yield* sql`SELECT max_concurrency, bucket FROM spacing_identify_buckets ORDER BY bucket`
      assert.deepStrictEqual(rows, [{ max_concurrency: 2, bucket: 0 }, { max_concurrency: 2, bucket: 1 }])
      // Without a session start budget, nothing is counted.
      assert.deepStrictEqual(yield* sql`SELECT * FROM spacing_session_starts`, [])
    }).pipe(Effect.scoped))

  it.live("the waiters of one process are served in the order they asked", () =>
    Effect.gen(function*() {
      const a = yield* processOn({ prefix: "order", intervalMillis: 100, marginMillis: 0 })
      const served: Array<number> = []
      const fibers: Array<Fiber.RuntimeFiber<void>> = []
      // Shards 0, 3, 6, 9, 12 are all in bucket 0 of 3.
      for (const shard of [0, 3, 6, 9, 12]) {
        const record = Effect.sync(() => void served.push(shard))
        fibers.push(yield* Effect.fork(Effect.zipRight(a.acquire(shard, { maxConcurrency: 3 }), record)))
        yield* Effect.sleep("5 millis")
      }
      yield* Fiber.joinAll(fibers)
      assert.deepStrictEqual(served, [0, 3, 6, 9, 12])
    }).pipe(Effect.scoped))

  it.live("the session start budget is shared: once spent, identify waits for the reset, then refills it", () => {
    const lines: Array<string> = []
    return Effect.gen(function*() {
      const options = { prefix: "budget", intervalMillis: 300, marginMillis: 20 }
      const a = yield* processOn(options)
      const b = yield* processOn(options)
      // Different buckets: the spacing does not hold anyone back, only the budget does.
      const limits: IdentifyLimits = {
        maxConcurrency: 4,
        sessionStartLimit: { total: 3, remaining: 3, resetAfter: 1500 }
      }
      const start = Date.now()
      const returns = yield* Effect.all(
        [0, 1, 2, 3].map((shard) => Effect.map((shard < 2 ? a : b).acquire(shard, limits), () => since(start))),
        { concurrency: "unbounded" }
      )
      const sorted = [...returns].sort((x, y) => x - y)
      assert.isBelow(sorted[2]!, 500, `${sorted}`)
      assert.isAtLeast(sorted[3]!, 1400, `${sorted}`)
      assert.isBelow(sorted[3]!, 2500, `${sorted}`)
      const sql = yield* client
      const [row] = yield* sql<{ total: number; remaining: number; reset_at: string }>`
        SELECT total, remaining, reset_at FROM budget_session_starts
      `
      assert.strictEqual(row!.total, 3)
      assert.strictEqual(row!.remaining, 2)
      // The new window is a day from the refill.
      const day = 24 * 60 * 60 * 1000
      assert.approximately(Number(row!.reset_at) - Date.now(), day, 5_000)
      const waited = lines.some((line) => line.startsWith("WARN no session starts remain (session_start_limit 3)"))
      assert.isTrue(waited, lines.join("\n"))
    }).pipe(Effect.scoped, Effect.provide(captureLogs(lines)))
  })

  it.live("a database that cannot be reached fails no acquire: it warns and tries again until interrupted", () => {
    const lines: Array<string> = []
    return Effect.gen(function*() {
      const other = yield* Effect.acquireRelease(Effect.promise(() => Postgres.start()), (server) =>
        Effect.sync(() => server.stop()))
      const a = yield* processOn({ prefix: "gone", intervalMillis: 100, marginMillis: 0, retryMillis: 100 }, other.url)
      yield* a.acquire(0, { maxConcurrency: 1 })
      other.stop()
      const fiber = yield* Effect.fork(a.acquire(0, { maxConcurrency: 1 }))
      yield* Effect.sleep("600 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)), "acquire returned without a database")
      const warnings = lines.filter((line) => line.startsWith("WARN identify limiter, shard 0: the database failed"))
      assert.isAtLeast(warnings.length, 3, lines.join("\n"))
      assert.include(warnings[0]!, "trying again in 100 ms")
      const interruptedAt = Date.now()
      yield* Fiber.interrupt(fiber)
      assert.isBelow(since(interruptedAt), 1000)
    }).pipe(Effect.scoped, Effect.provide(captureLogs(lines)))
  })

  it.live("an interrupted acquire claims nothing, whether it was waiting for its turn or for the bucket's lock", () =>
    Effect.gen(function*() {
      const options = { prefix: "interrupt", intervalMillis: 400, marginMillis: 0 }
      const a = yield* processOn(options)
      const b = yield* processOn(options)
      const sql = yield* client
      const limits: IdentifyLimits = { maxConcurrency: 1 }
      const nextAt = Effect.map(
        sql<{ next_at: string }>`SELECT next_at FROM interrupt_identify_buckets WHERE bucket = 0`,
        (rows) => Number(rows[0]!.next_at)
      )

      // Waiting for its turn (sleeping): interrupted, it leaves the turn to the next one.
      let start = Date.now()
      yield* a.acquire(0, limits)
      const claimed = yield* nextAt
      const waiting = yield* Effect.fork(b.acquire(0, limits))
      yield* Effect.sleep("100 millis")
      yield* Fiber.interrupt(waiting)
      assert.strictEqual(yield* nextAt, claimed)
      yield* b.acquire(0, limits)
      const second = since(start)
      assert.isAtLeast(second, 400 - clockTolerance)
      assert.isBelow(second, 600)

      // Waiting for the row's lock, inside its transaction: interrupted, the transaction rolls back.
      yield* Effect.sleep("450 millis")
      const before = yield* nextAt
      const locked = yield* Effect.makeLatch()
      const holder = yield* Effect.fork(sql.withTransaction(Effect.gen(function*() {
        yield* sql`SELECT next_at FROM interrupt_identify_buckets WHERE bucket = 0 FOR UPDATE`
        yield* locked.open
        yield* Effect.sleep("500 millis")
      })))
      yield* locked.await
      const blocked = yield* Effect.fork(a.acquire(0, limits))
      yield* Effect.sleep("150 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(blocked)), "acquire went past a locked bucket")
      const interruptedAt = Date.now()
      yield* Fiber.interrupt(blocked)
      assert.isBelow(since(interruptedAt), 300, "the interruption waited for the lock")
      yield* Fiber.join(holder)
      assert.strictEqual(yield* nextAt, before)
      // The turn is still free: the next one takes it at once.
      start = Date.now()
      yield* b.acquire(0, limits)
      assert.isBelow(since(start), 100)
      assert.isAbove(yield* nextAt, before)
    }).pipe(Effect.scoped))
})
