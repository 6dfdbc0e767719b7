/**
 * The shard fence (src/internal/shardFence.ts) on a real PostgreSQL (a private server for this
 * file): two "runners" are two fences on two client layers, each with its own pool. A shard's next
 * owner waits until the previous one has released the shard; a runner whose connections are gone
 * holds nothing; and a fence that stays taken only delays a shard, with a warning.
 */
import * as SqlClient from "@effect/sql/SqlClient"
import { PgClient } from "@effect/sql-pg"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as ShardFence from "../src/internal/shardFence.js"
import * as Postgres from "./support/postgres.js"

let pg: Postgres.Postgres | undefined

/** A runner's fence on its own pool, built in `scope` (closing it closes the pool). */
const runnerFence = (scope: Scope.Scope, timeoutMillis = 10_000) =>
  Effect.gen(function*() {
    const context = yield* Layer.buildWithScope(PgClient.layer({ url: Redacted.make(pg!.url) }), scope)
    return yield* ShardFence.make("test-bot", { timeoutMillis, pollMillis: 20 }).pipe(
      Effect.provide(context),
      Scope.extend(scope)
    )
  })

const millisSince = (start: number) => Date.now() - start

describe.skipIf(!Postgres.available())("ShardFence", () => {
  beforeAll(async () => {
    pg = await Postgres.start()
  }, 30_000)
  afterAll(() => pg?.stop())

  it.scopedLive("the next owner of a shard starts only once the previous owner has released it", () =>
    Effect.gen(function*() {
      const a = yield* runnerFence(yield* Effect.scope)
      const b = yield* runnerFence(yield* Effect.scope)
      const holdingA = yield* Scope.make()
      yield* a.hold(3).pipe(Scope.extend(holdingA))
      // Another shard is free.
      yield* b.hold(4).pipe(Effect.scoped)
      const start = Date.now()
      const waiting = yield* b.hold(3).pipe(Effect.scoped, Effect.fork)
      yield* Effect.sleep(300)
      assert.isNull(waiting.unsafePoll(), "b took shard 3 while a held it")
      yield* Scope.close(holdingA, Exit.void)
      yield* Fiber.join(waiting)
      assert.isAtLeast(millisSince(start), 300)
      assert.isBelow(millisSince(start), 1_000)
    }))

  it.scopedLive("a runner whose connections are gone (a dead process) holds nothing", () =>
    Effect.gen(function*() {
      const runnerA = yield* Scope.make()
      const a = yield* runnerFence(runnerA)
      yield* a.hold(7).pipe(Scope.extend(runnerA))
      const b = yield* runnerFence(yield* Effect.scope)
      const waiting = yield* b.hold(7).pipe(Effect.scoped, Effect.fork)
      yield* Effect.sleep(100)
      assert.isNull(waiting.unsafePoll())
      // Closing the pool without a finalizer unlocking the shard: only the server's release remains.
      const sql = Context.get(yield* Layer.build(PgClient.layer({ url: Redacted.make(pg!.url) })), SqlClient.SqlClient)
      yield* sql`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = 7 AND granted`
      yield* Fiber.join(waiting).pipe(Effect.timeout("2 seconds"))
      yield* Scope.close(runnerA, Exit.void).pipe(Effect.ignore)
    }))

  it.scopedLive("after its connection is lost (a database restart), a fence reserves a new one and fences again", () =>
    Effect.gen(function*() {
      const a = yield* runnerFence(yield* Effect.scope)
      const b = yield* runnerFence(yield* Effect.scope)
      yield* a.hold(11)
      const sql = Context.get(yield* Layer.build(PgClient.layer({ url: Redacted.make(pg!.url) })), SqlClient.SqlClient)
      yield* sql`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = 11 AND granted`
      // The lock went with a's connection: b takes the shard at once.
      yield* b.hold(11).pipe(Effect.timeout("1 second"))
      // a's next hold finds its connection broken, reserves a new one, and is fenced again by b.
      const lines: Array<string> = []
      const waiting = yield* a.hold(11).pipe(
        Effect.scoped,
        Effect.provide(Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => lines.push(String(message))))),
        Effect.fork
      )
      yield* Effect.sleep(400)
      assert.isNull(waiting.unsafePoll(), "a took shard 11 while b held it")
      yield* a.hold(12).pipe(Effect.scoped, Effect.timeout("1 second"))
      yield* Fiber.interrupt(waiting)
    }))

  it.scopedLive("a fence that stays taken delays the shard by the timeout, then lets it start with a warning", () =>
    Effect.gen(function*() {
      const a = yield* runnerFence(yield* Effect.scope)
      const b = yield* runnerFence(yield* Effect.scope, 300)
      yield* a.hold(9)
      const lines: Array<string> = []
      const start = Date.now()
      yield* b.hold(9).pipe(
        Effect.scoped,
        Effect.provide(Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => lines.push(String(message)))))
      )
      assert.isAtLeast(millisSince(start), 300)
      assert.isTrue(lines.some((line) => line.includes("starting it anyway")), lines.join("\n"))
    }))
})
