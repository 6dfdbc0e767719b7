/**
 * `SqlSessionStore` on a real PostgreSQL (a private server started for this file, see
 * `support/postgres.ts`); skipped on a machine without PostgreSQL binaries.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as SqlClient from "@effect/sql/SqlClient"
import { PgClient } from "@effect/sql-pg"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Gateway from "../src/Gateway.js"
import * as IdentifyLimiter from "../src/IdentifyLimiter.js"
import * as SqlSessionStore from "../src/SqlSessionStore.js"
import { Simulator } from "../src/testing/Simulator.js"
import { configFor, nextPayload, token } from "./helpers.js"
import * as Postgres from "./support/postgres.js"

let pg: Postgres.Postgres | undefined

/** A client (its own pool) on `url`, by default this file's server. */
const pgLayer = (url?: string) => PgClient.layer({ url: Redacted.make(url ?? pg!.url) })

const captureLogs = (lines: Array<string>) =>
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message }) =>
      lines.push(`${logLevel.label} ${Array.isArray(message) ? message[0] : message}`)
    )
  )

const state = { sessionId: "abc", sequence: 42, resumeUrl: "wss://resume.example" }

describe.skipIf(!Postgres.available())("SqlSessionStore on PostgreSQL", () => {
  beforeAll(async () => {
    pg = await Postgres.start()
  })
  afterAll(() => pg?.stop())

  it.live("round trip: one row per shard id and shard count; clear deletes only its own", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const store = yield* SqlSessionStore.make({ table: "sessions_round_trip" })
      assert.deepStrictEqual(yield* store.get([0, 1]), Option.none())
      yield* store.set([0, 1], state)
      yield* store.set([0, 2], { ...state, sequence: 7 })
      assert.deepStrictEqual(yield* store.get([0, 1]), Option.some(state))
      assert.deepStrictEqual(yield* store.get([0, 2]), Option.some({ ...state, sequence: 7 }))
      // After resharding, shard 0 of 8 is not shard 0 of 1, nor shard 1 of 2 shard 0 of 2.
      assert.deepStrictEqual(yield* store.get([0, 8]), Option.none())
      assert.deepStrictEqual(yield* store.get([1, 2]), Option.none())
      const rows = yield* sql`
        SELECT shard_id, shard_count, session_id, resume_url, updated_at FROM sessions_round_trip ORDER BY shard_count
      `
      assert.deepStrictEqual(rows.map((row) => [row.shard_id, row.shard_count, row.session_id, row.resume_url]), [
        [0, 1, "abc", "wss://resume.example"],
        [0, 2, "abc", "wss://resume.example"]
      ])
      assert.instanceOf(rows[0]!.updated_at, Date)
      yield* store.clear([0, 1])
      assert.deepStrictEqual(yield* store.get([0, 1]), Option.none())
      assert.deepStrictEqual(yield* store.get([0, 2]), Option.some({ ...state, sequence: 7 }))
      // Clearing what is not there is no failure.
      yield* store.clear([0, 1])
      // Another table is another store; making one on an existing table keeps its rows.
      const other = yield* SqlSessionStore.make({ table: "sessions_round_trip_2" })
      assert.deepStrictEqual(yield* other.get([0, 2]), Option.none())
      const again = yield* SqlSessionStore.make({ table: "sessions_round_trip" })
      assert.deepStrictEqual(yield* again.get([0, 2]), Option.some({ ...state, sequence: 7 }))
    }).pipe(Effect.provide(pgLayer())))

  it.live("set overwrites the row; a sequence above 2^31 (a bigint, returned as text) comes back as a number", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const store = yield* SqlSessionStore.make({ table: "sessions_upsert" })
      yield* store.set([3, 4], state)
      const next = { sessionId: "def", sequence: 2 ** 31 + 5, resumeUrl: "wss://other.example" }
      yield* store.set([3, 4], next)
      assert.deepStrictEqual(yield* store.get([3, 4]), Option.some(next))
      const big = { ...next, sequence: Number.MAX_SAFE_INTEGER }
      yield* store.set([3, 4], big)
      const got = Option.getOrThrow(yield* store.get([3, 4]))
      assert.strictEqual(typeof got.sequence, "number")
      assert.strictEqual(got.sequence, Number.MAX_SAFE_INTEGER)
      const rows = yield* sql`SELECT count(*)::int AS n, pg_typeof(max(sequence))::text AS type FROM sessions_upsert`
      assert.deepStrictEqual(rows, [{ n: 1, type: "bigint" }])
    }).pipe(Effect.provide(pgLayer())))

  it.live("the default table is discord_gateway_sessions", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const store = yield* SqlSessionStore.make()
      yield* store.set([0, 1], state)
      const rows = yield* sql`SELECT session_id FROM ${sql(SqlSessionStore.defaultTable)}`
      assert.strictEqual(SqlSessionStore.defaultTable, "discord_gateway_sessions")
      assert.deepStrictEqual(rows, [{ session_id: "abc" }])
    }).pipe(Effect.provide(pgLayer())))

  it.live("a row that is not a session is no session, with a warning, never a failure", () => {
    const lines: Array<string> = []
    return Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const store = yield* SqlSessionStore.make({ table: "sessions_corrupt" })
      const corrupt: ReadonlyArray<readonly [string, number | string, string]> = [
        ["", 3, "wss://x"],
        ["abc", -1, "wss://x"],
        ["abc", 3, ""],
        ["abc", Number.MAX_SAFE_INTEGER + "0", "wss://x"]
      ]
      for (const [shard, [sessionId, sequence, resumeUrl]] of corrupt.entries()) {
        yield* sql`
          INSERT INTO sessions_corrupt (shard_id, shard_count, session_id, sequence, resume_url)
          VALUES (${shard}, 10, ${sessionId}, ${sequence}, ${resumeUrl})
        `
        assert.deepStrictEqual(yield* store.get([shard, 10]), Option.none(), `${sessionId} ${sequence} ${resumeUrl}`)
      }
      assert.strictEqual(lines.length, corrupt.length, lines.join("\n"))
      for (const [shard, line] of lines.entries()) {
        const expected = `^WARN session store, shard ${shard} of 10: ignored a stored row that is not a session`
        assert.match(line, new RegExp(expected))
      }
    }).pipe(Effect.provide(pgLayer()), Effect.provide(captureLogs(lines)))
  })

  it.live("a table gone after make: get is none, set and clear do not fail, each logs a warning", () => {
    const lines: Array<string> = []
    return Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const store = yield* SqlSessionStore.make({ table: "sessions_dropped" })
      yield* store.set([0, 1], state)
      yield* sql`DROP TABLE sessions_dropped`
      assert.deepStrictEqual(yield* store.get([0, 1]), Option.none())
      yield* store.set([0, 1], state)
      yield* store.clear([0, 1])
      assert.strictEqual(lines.length, 3, lines.join("\n"))
      assert.match(lines[0]!, /^WARN session store, shard 0 of 1: could not read the stored session; .*does not exist/)
      assert.match(lines[1]!, /^WARN session store, shard 0 of 1: could not store the session; .*does not exist/)
      assert.match(lines[2]!, /^WARN session store, shard 0 of 1: could not clear the stored session; .*does not exist/)
    }).pipe(Effect.provide(pgLayer()), Effect.provide(captureLogs(lines)))
  })

  it.live("a server gone after make: get is none, set and clear do not fail, each logs a warning", () => {
    const lines: Array<string> = []
    return Effect.gen(function*() {
      const other = yield* Effect.acquireRelease(Effect.promise(() => Postgres.start()), (server) =>
        Effect.sync(() => server.stop()))
      yield* Effect.gen(function*() {
        const store = yield* SqlSessionStore.make({ table: "sessions_gone" })
        yield* store.set([0, 1], state)
        assert.deepStrictEqual(yield* store.get([0, 1]), Option.some(state))
        other.stop()
        assert.deepStrictEqual(yield* store.get([0, 1]), Option.none())
        yield* store.set([0, 1], state)
        yield* store.clear([0, 1])
      }).pipe(Effect.provide(pgLayer(other.url)))
      assert.strictEqual(lines.length, 3, lines.join("\n"))
      assert.match(lines[0]!, /^WARN session store, shard 0 of 1: could not read the stored session; identifying anew/)
      assert.match(lines[1]!, /^WARN session store, shard 0 of 1: could not store the session/)
      assert.match(lines[2]!, /^WARN session store, shard 0 of 1: could not clear the stored session/)
    }).pipe(Effect.scoped, Effect.provide(captureLogs(lines)))
  })

  it.live("a paused gateway's session is in the database; a gateway started later on the table resumes it", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const sql = yield* SqlClient.SqlClient
      const untilGuildCreate = (gateway: Gateway.Gateway) =>
        gateway.events.pipe(Stream.filter((event) => event.type === "GUILD_CREATE"), Stream.take(1), Stream.runDrain)
      // The first "process": identifies, is paused (the session stays resumable) and stops.
      const sessionId = yield* Effect.gen(function*() {
        const gateway = yield* Gateway.Gateway
        yield* untilGuildCreate(gateway)
        yield* gateway.pause
        return Option.getOrThrow(yield* gateway.sessionId)
      }).pipe(Effect.provide(Gateway.layer))
      const rows = yield* sql`SELECT shard_id, shard_count, session_id, sequence FROM sessions_gateway`
      assert.deepStrictEqual(rows, [{ shard_id: 0, shard_count: 1, session_id: sessionId, sequence: "2" }])
      // The second one, on the same database, resumes it instead of identifying.
      yield* Effect.gen(function*() {
        const resume = yield* nextPayload(sim, 6)
        assert.deepStrictEqual(resume.d, { token, session_id: sessionId, seq: 2 })
      }).pipe(Effect.provide(Layer.fresh(Gateway.layer)))
      assert.strictEqual((yield* sim.payloads).filter((payload) => payload.op === 2).length, 1)
      assert.strictEqual((yield* sim.sessions).length, 1)
    }).pipe(
      Effect.provide(Layer.provideMerge(
        Layer.mergeAll(
          configFor(),
          SqlSessionStore.layer({ table: "sessions_gateway" }).pipe(Layer.provideMerge(pgLayer())),
          IdentifyLimiter.layerMemory()
        ),
        Simulator.layerMemory({ token, guilds: 1 })
      ))
    ))
})

