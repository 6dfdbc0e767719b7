/**
 * The embedded PostgreSQL (src/internal/embeddedPostgres.ts): PGlite behind a localhost socket,
 * `@effect/sql-pg` on it. Queries, transactions and row locks from a pool of connections, what the
 * one shared session means for advisory locks, a client that dies in a transaction, the data kept
 * in a directory, and the SQL session store and identify limiter on it.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import * as IdentifyLimiter from "../src/IdentifyLimiter.js"
import * as Embedded from "../src/internal/embeddedPostgres.js"
import * as SqlIdentifyLimiter from "../src/SqlIdentifyLimiter.js"
import * as SqlSessionStore from "../src/SqlSessionStore.js"

const encoder = new TextEncoder()

const message = (type: string, body: string) => {
  const bytes = encoder.encode(body)
  const out = Buffer.alloc(5 + bytes.length)
  out.write(type, 0, "latin1")
  out.writeInt32BE(4 + bytes.length, 1)
  out.set(bytes, 5)
  return out
}

/**
 * A bare client on the wire (no pool, nothing to clean up after it): logs in, sends `queries`
 * one at a time as simple queries, and leaves the socket open for the caller to destroy.
 */
const rawClient = (port: number, queries: ReadonlyArray<string>) =>
  Effect.async<Net.Socket, Error>((resume) => {
    const socket = Net.connect(port, "127.0.0.1")
    const params = Buffer.from("user\0postgres\0database\0postgres\0\0", "latin1")
    const startup = Buffer.alloc(8)
    startup.writeInt32BE(8 + params.length, 0)
    startup.writeInt32BE(196608, 4)
    const pending = [message("p", "md5whatever\0"), ...queries.map((query) => message("Q", `${query}\0`))]
    let received = Buffer.alloc(0)
    socket.on("error", (error) => resume(Effect.fail(error)))
    socket.on("data", (data) => {
      received = Buffer.concat([received, data])
      // Authentication asks for a password first; each later ReadyForQuery lets the next one go.
      while (received.length >= 5) {
        const length = received.readInt32BE(1)
        if (received.length < 1 + length) break
        const type = String.fromCharCode(received[0]!)
        received = received.subarray(1 + length)
        if (type === "R" && length === 12 && pending.length > 0) socket.write(pending.shift()!)
        if (type === "Z") {
          const next = pending.shift()
          if (next === undefined) resume(Effect.succeed(socket))
          else socket.write(next)
        }
      }
    })
    socket.write(Buffer.concat([startup, params]))
  })

describe("embedded PostgreSQL (PGlite behind a socket)", () => {
  // Real time throughout: the limiter reads the database's clock, and the sleeps must pass.
  layer(Embedded.layer({}), { timeout: 30_000, excludeTestServices: true })("in memory", (it) => {
    it.effect("a query round trip, and many parameterized queries in flight on several connections", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const [row] = yield* sql<{ readonly sum: number; readonly text: string }>`
          SELECT ${20}::int + 22 AS sum, ${"héllo"}::text AS text
        `
        assert.deepStrictEqual(row, { sum: 42, text: "héllo" })
        // pglite-socket's own multiplexer interleaves these and hangs; each must get its own answer.
        const answers = yield* Effect.forEach(
          Array.from({ length: 200 }, (_, i) => i),
          (i) => Effect.map(sql<{ readonly v: number }>`SELECT ${i}::int AS v`, (rows) => rows[0]?.v),
          { concurrency: 16 }
        )
        assert.deepStrictEqual(answers, Array.from({ length: 200 }, (_, i) => i))
      }))

    it.effect("a transaction commits, a failed one rolls back", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE tx_items (name text PRIMARY KEY)`
        yield* sql.withTransaction(Effect.zipRight(sql`INSERT INTO tx_items VALUES ('kept')`, sql`SELECT 1`))
        const failed = yield* sql.withTransaction(
          Effect.zipRight(sql`INSERT INTO tx_items VALUES ('dropped')`, Effect.fail("boom" as const))
        ).pipe(Effect.either)
        assert.deepStrictEqual(failed, Either.left("boom"))
        // A statement that fails inside a transaction rolls back the whole of it.
        const violated = yield* sql.withTransaction(
          Effect.zipRight(sql`INSERT INTO tx_items VALUES ('also dropped')`, sql`INSERT INTO tx_items VALUES ('kept')`)
        ).pipe(Effect.either)
        assert.isTrue(Either.isLeft(violated))
        const rows = yield* sql<{ readonly name: string }>`SELECT name FROM tx_items ORDER BY name`
        assert.deepStrictEqual(rows.map((row) => row.name), ["kept"])
      }))

    it.effect("SELECT ... FOR UPDATE: concurrent read-modify-write transactions lose no update", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)`
        yield* sql`INSERT INTO counter VALUES (1, 0)`
        yield* Effect.forEach(
          Array.from({ length: 40 }),
          () =>
            sql.withTransaction(Effect.gen(function*() {
              const [row] = yield* sql<{ readonly n: number }>`SELECT n FROM counter WHERE id = 1 FOR UPDATE`
              // Another transaction would slip in here without the lock.
              yield* Effect.sleep("1 millis")
              yield* sql`UPDATE counter SET n = ${row!.n + 1} WHERE id = 1`
            })),
          { concurrency: 8 }
        )
        const [row] = yield* sql<{ readonly n: number }>`SELECT n FROM counter WHERE id = 1`
        assert.strictEqual(row?.n, 40)
      }).pipe(Effect.timeout("20 seconds")))

    it.scoped("advisory locks do not exclude: every connection is the one session (the cluster uses its lock table)", () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const a = yield* sql.reserve
        const b = yield* sql.reserve
        const lockOn = (conn: typeof a) =>
          Effect.map(conn.executeValues("SELECT pg_try_advisory_lock(4242)", []), (rows) => rows[0]?.[0])
        assert.isTrue(yield* lockOn(a))
        // On a PostgreSQL server this is false: another session holds the lock.
        assert.isTrue(yield* lockOn(b))
        // And the lock has no pid, so the cluster's "locks held by my pid" finds none.
        const held = yield* a.executeValues(
          "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242",
          []
        )
        assert.deepStrictEqual(held, [[null]])
        yield* a.executeRaw("SELECT pg_advisory_unlock_all()", [])
      }))

    it.effect("a client that dies in the middle of a transaction gives the database back, rolled back", () =>
      Effect.gen(function*() {
        const sql = yield* PgClient.PgClient
        yield* sql`CREATE TABLE abandoned (n int)`
        const socket = yield* rawClient(sql.config.port!, ["BEGIN", "INSERT INTO abandoned VALUES (1)"])
        // The transaction holds the database: a query of another connection waits until it ends.
        socket.destroy()
        const rows = yield* sql`SELECT n FROM abandoned`.pipe(Effect.timeout("5 seconds"))
        assert.deepStrictEqual(rows, [])
      }))

    it.effect("SqlSessionStore: a session set is the session got", () =>
      Effect.gen(function*() {
        const store = yield* SqlSessionStore.make()
        const state = { sessionId: "abc", sequence: 2 ** 31 + 5, resumeUrl: "wss://resume.example" }
        assert.deepStrictEqual(yield* store.get([1, 2]), Option.none())
        yield* store.set([1, 2], state)
        assert.deepStrictEqual(yield* store.get([1, 2]), Option.some(state))
        yield* store.set([1, 2], { ...state, sequence: 7 })
        assert.deepStrictEqual(yield* store.get([1, 2]), Option.some({ ...state, sequence: 7 }))
      }))

    it.effect("SqlIdentifyLimiter: two acquires of one bucket are spaced by the interval", () =>
      Effect.gen(function*() {
        const limiter: IdentifyLimiter.IdentifyLimiter = yield* SqlIdentifyLimiter.make({
          intervalMillis: 200,
          marginMillis: 0
        })
        const limits = { maxConcurrency: 2 }
        const start = Date.now()
        const times = yield* Effect.forEach(
          [0, 2],
          (shard) => Effect.map(limiter.acquire(shard, limits), () => Date.now() - start),
          { concurrency: "unbounded" }
        )
        const [first, second] = [...times].sort((x, y) => x - y) as [number, number]
        assert.isBelow(first, 150, `${times}`)
        // The claims are by the database's clock, the returns by ours: a millisecond or two apart.
        assert.isAtLeast(second - first, 195, `${times}`)
        assert.isBelow(second, 200 + 400, `${times}`)
      }))
  })

  it.live("with a directory, the data outlives the database: a second start reads what the first wrote", () =>
    Effect.gen(function*() {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "edg-pglite-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true })))
      const write = Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`CREATE TABLE kept (v text)`
        yield* sql`INSERT INTO kept VALUES ('still here')`
      })
      const read = Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ readonly v: string }>`SELECT v FROM kept`)
      yield* write.pipe(Effect.provide(Embedded.layer({ dataDir: dir })))
      const rows = yield* read.pipe(Effect.provide(Embedded.layer({ dataDir: dir })))
      assert.deepStrictEqual(rows, [{ v: "still here" }])
    }).pipe(Effect.scoped), 60_000)
})
