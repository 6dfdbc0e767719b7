/**
 * A PostgreSQL that needs no server: PGlite (PostgreSQL compiled to WebAssembly, in this process)
 * served on a localhost port with `@electric-sql/pglite-socket`'s protocol handler, and
 * `@effect/sql-pg` connected to it like to any PostgreSQL. For the cluster demo and tests.
 *
 * PGlite is one PostgreSQL backend, one session. pglite-socket 0.0.22 multiplexes its
 * connections onto it message by message, which breaks the extended query protocol that `pg`
 * speaks: two connections' Parse / Bind / Execute interleave on the one unnamed statement, and with
 * more than one query in flight the connections hang. So the handlers here share a queue of our
 * own that hands the backend to one connection for a whole exchange: from its first message until
 * the backend reports itself idle (a ReadyForQuery with status `I`), that is for a whole query, and
 * for a whole transaction. A pool of several connections then works, each connection's queries in
 * turn, and a transaction is alone on the database, so `SELECT ... FOR UPDATE` holds trivially.
 *
 * What stays shared, because there is one session: session state (`SET`, named prepared
 * statements) and session-level advisory locks. `pg_try_advisory_lock` succeeds on every
 * connection, and `pg_locks` shows the locks with no `pid`: a cluster on this database must use
 * its lock table (`shardLockDisableAdvisory: true`). A transaction must not wait for another
 * connection's query: that query waits for the transaction to end.
 *
 * @internal
 */
import { PGlite } from "@electric-sql/pglite"
import { PGLiteSocketHandler } from "@electric-sql/pglite-socket"
import type * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Net from "node:net"

/** @internal */
export interface EmbeddedPostgresOptions {
  /** Where PGlite keeps its data (created if missing, reopened if there). In memory when undefined. */
  readonly dataDir?: string | undefined
  /**
   * The client's pool size. Default 8: a cluster reserves one connection for its shard locks, and
   * `@effect/sql-pg` cancels an interrupted query from another connection.
   */
  readonly maxConnections?: number | undefined
}

/** @internal */
export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (PGlite accepts any password). */
  readonly url: string
  /** How long PGlite took to start, in milliseconds (a fresh database runs its `initdb` first). */
  readonly startupMillis: number
}

// The handler's options name the queue's class, which the package does not export: ours has the
// three methods the handler calls.
type HandlerQueue = ConstructorParameters<typeof PGLiteSocketHandler>[0]["queryQueue"]

interface Job {
  readonly handlerId: number
  readonly message: Uint8Array
  readonly resolve: (result: Uint8Array) => void
  readonly reject: (error: Error) => void
}

const encoder = new TextEncoder()

/** A frontend message: its type, its length (itself included) and its body. */
const frontendMessage = (type: string, body: Uint8Array): Uint8Array => {
  const message = new Uint8Array(5 + body.length)
  message[0] = type.charCodeAt(0)
  new DataView(message.buffer).setInt32(1, 4 + body.length)
  message.set(body, 5)
  return message
}

const syncMessage = frontendMessage("S", new Uint8Array(0))
const rollbackMessage = frontendMessage("Q", encoder.encode("ROLLBACK\0"))
const terminateType = "X".charCodeAt(0)
const readyForQueryType = "Z".charCodeAt(0)

/**
 * The transaction status of the last ReadyForQuery in a response (`I` idle, `T` in a transaction,
 * `E` in a failed one), or `undefined` when there is none: the exchange goes on.
 */
const lastReadyStatus = (response: Uint8Array): string | undefined => {
  const view = new DataView(response.buffer, response.byteOffset, response.byteLength)
  let status: string | undefined
  let offset = 0
  while (offset + 5 <= response.length) {
    const length = view.getInt32(offset + 1)
    if (response[offset] === readyForQueryType && length === 5 && offset + 5 < response.length) {
      status = String.fromCharCode(response[offset + 5]!)
    }
    offset += 1 + Math.max(4, length)
  }
  return status
}

/**
 * The backend for one connection at a time, for a whole exchange (see the module doc). Jobs of
 * other connections wait, in the order they came.
 */
class ExclusiveQueue {
  private readonly jobs: Array<Job> = []
  private owner: number | undefined = undefined
  private status = "I"
  private running = false

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.jobs.push({ handlerId, message, resolve, reject })
      void this.pump()
    })
  }

  clearQueueForHandler(handlerId: number): void {
    for (let i = this.jobs.length - 1; i >= 0; i--) {
      const job = this.jobs[i]!
      if (job.handlerId !== handlerId) continue
      this.jobs.splice(i, 1)
      job.reject(new Error("connection closed"))
    }
  }

  /** A connection that goes away in the middle of an exchange gives the backend back clean. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return
    // Waits for the job in flight, which may be this connection's own.
    while (this.running) await new Promise((resolve) => setImmediate(resolve))
    if (this.owner !== handlerId) return
    this.running = true
    try {
      // Sync ends an unfinished extended exchange (and an error's skipping); then what it reports.
      this.status = lastReadyStatus(await this.execute(syncMessage)) ?? this.status
      if (this.status !== "I") this.status = lastReadyStatus(await this.execute(rollbackMessage)) ?? "I"
    } catch {
      // The backend is gone (the database closing): nothing to clean.
    } finally {
      this.owner = undefined
      this.running = false
    }
    void this.pump()
  }

  private execute(message: Uint8Array): Promise<Uint8Array> {
    // Durability is asked for once per exchange, when the backend is idle again (see `pump`).
    return this.db.runExclusive(() => this.db.execProtocolRaw(message, { syncToFs: false }))
  }

  private next(): Job | undefined {
    const index = this.owner === undefined ? 0 : this.jobs.findIndex((job) => job.handlerId === this.owner)
    return index < 0 || index >= this.jobs.length ? undefined : this.jobs.splice(index, 1)[0]
  }

  private async pump(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      for (let job = this.next(); job !== undefined; job = this.next()) {
        // Terminate would reach the one backend all connections share: the socket's close is enough.
        if (job.message[0] === terminateType) {
          job.resolve(new Uint8Array(0))
          continue
        }
        try {
          const response = await this.execute(job.message)
          const status = lastReadyStatus(response)
          if (status !== undefined) this.status = status
          if (status === "I") {
            this.owner = undefined
            if (!this.db.closed) await this.db.syncToFs()
          } else {
            this.owner = job.handlerId
          }
          job.resolve(response)
        } catch (error) {
          job.reject(error instanceof Error ? error : new Error(String(error)))
        }
      }
    } finally {
      this.running = false
    }
  }
}

const startFailed = (cause: unknown) => new SqlError({ cause, message: "Embedded PostgreSQL: failed to start" })

/**
 * Starts PGlite (in memory when `dataDir` is undefined) and serves it on 127.0.0.1, on a port the
 * system picks. Closing the scope closes the connections, the port and the database.
 *
 * @internal
 */
export const start = (
  options: Pick<EmbeddedPostgresOptions, "dataDir">
): Effect.Effect<EmbeddedPostgres, SqlError, Scope.Scope> =>
  Effect.gen(function*() {
    const started = Date.now()
    const db = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => options.dataDir === undefined ? PGlite.create() : PGlite.create({ dataDir: options.dataDir }),
        catch: startFailed
      }),
      (db) => Effect.promise(() => db.closed ? Promise.resolve() : db.close()).pipe(Effect.ignore)
    )
    const startupMillis = Date.now() - started
    const queue = new ExclusiveQueue(db)
    const handlers = new Set<PGLiteSocketHandler>()
    const server = Net.createServer((socket) => {
      const handler = new PGLiteSocketHandler({ queryQueue: queue as unknown as HandlerQueue, closeOnDetach: true })
      handlers.add(handler)
      handler.addEventListener("close", () => handlers.delete(handler))
      handler.addEventListener("error", () => handlers.delete(handler))
      handler.attach(socket).catch(() => socket.destroy())
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number, SqlError>((resume) => {
        server.once("error", (error) => resume(Effect.fail(startFailed(error))))
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as Net.AddressInfo).port)))
      }),
      () =>
        Effect.async<void>((resume) => {
          for (const handler of handlers) void handler.detach(true)
          handlers.clear()
          server.close(() => resume(Effect.void))
        })
    )
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, startupMillis }
  })

/**
 * A client (its own pool) on a running embedded database: `PgClient.layer` on its URL, as a
 * process of its own would connect.
 *
 * @internal
 */
export const client = (
  database: EmbeddedPostgres,
  options?: Pick<EmbeddedPostgresOptions, "maxConnections">
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient, SqlError> =>
  PgClient.layer({ url: Redacted.make(database.url), maxConnections: options?.maxConnections ?? 8 })

/**
 * `PgClient.layer` on an embedded PGlite started by {@link start}: `SqlClient` and `PgClient` for
 * as long as the layer's scope lasts, then the pool, the port and the database closed in turn.
 *
 * @internal
 */
export const layer = (
  options: EmbeddedPostgresOptions
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient, SqlError> =>
  Layer.unwrapScoped(Effect.map(start(options), (database) => client(database, options)))
