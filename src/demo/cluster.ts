/**
 * `npm start -- --cluster`: the bot as a one-runner `@effect/cluster` cluster, on a database that
 * needs no server (PGlite served on a localhost port, src/internal/embeddedPostgres.ts). Two
 * shards on the embedded simulator run as cluster singletons; the runner stops as in a deploy
 * (its shards closed with 4000, their positions stored), messages arrive while no runner runs,
 * and a new runner on the same database RESUMES both shards and handles exactly the missed
 * messages. With DISCORD_TOKEN set, the same layout on Discord (`shards: "auto"`), until Ctrl-C.
 *
 * `--db <dir>` keeps the database in `dir` (`--db memory`: in memory). Default: in memory on the
 * simulator (its sessions end with the process anyway), `./.cluster-demo-db` on Discord, so that
 * the next run resumes the sessions the last one handed over.
 */
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Scope from "effect/Scope"
import * as ClusterSharding from "../ClusterSharding.js"
import * as GatewayConfig from "../GatewayConfig.js"
import type { GatewayEvent } from "../GatewayEvent.js"
import * as GatewaySocket from "../GatewaySocket.js"
import * as Intents from "../Intents.js"
import * as Embedded from "../internal/embeddedPostgres.js"
import * as SqlIdentifyLimiter from "../SqlIdentifyLimiter.js"
import * as SqlSessionStore from "../SqlSessionStore.js"
import * as Fixtures from "../testing/fixtures.js"
import { Simulator } from "../testing/Simulator.js"

const say = (line: string) => Console.log(line)

/** A guild that Discord routes to shard `shard` of 2: `(guild_id >> 22) % 2`. */
const guildOf = (shard: number) => String(BigInt(shard) << 22n)

const shardCount = 2

const describe = (event: GatewayEvent): string => {
  switch (event.type) {
    case "READY":
      return `READY: new session ${event.data.session_id}`
    case "RESUMED":
      return `RESUMED #${event.sequence}: the session goes on (the events it missed came just before)`
    case "GUILD_CREATE":
      return `GUILD_CREATE #${event.sequence}: ${"name" in event.data ? `"${event.data.name}"` : event.data.id}`
    case "MESSAGE_CREATE":
      return `MESSAGE_CREATE #${event.sequence}: "${event.data.content}"`
    case "SESSION_LOST":
      return `session ${event.sessionId} lost (${event.reason}): identifying anew`
    case "UNKNOWN_EVENT":
    case "DECODE_FAILURE":
      return `${event.name} #${event.sequence}`
    default:
      return `${event.type} #${event.sequence}`
  }
}

/**
 * ClusterSharding's cluster settings with `shardsPerGroup` cluster shards, and the lock table
 * instead of advisory locks: every connection to PGlite is its one session, where an advisory
 * lock excludes no one (see embeddedPostgres.ts).
 */
const shardingConfig = (shardsPerGroup: number) => ({
  ...ClusterSharding.shardingConfig,
  shardsPerGroup,
  shardLockDisableAdvisory: true
})

/** One runner: the cluster (SingleRunner, its state in SQL), the shards, their stores, on its own pool. */
const runnerLayer = (options: {
  readonly database: Embedded.EmbeddedPostgres
  readonly config: Layer.Layer<GatewayConfig.GatewayConfig, unknown>
  readonly shards: number | "auto"
  readonly shardsPerGroup: number
  readonly handle: (event: GatewayEvent) => Effect.Effect<unknown>
}) =>
  ClusterSharding.layer({ shards: options.shards, handle: options.handle }).pipe(
    Layer.provide([
      options.config,
      GatewaySocket.layerWebSocketConstructor,
      NodeHttpClient.layerUndici,
      SqlSessionStore.layer(),
      SqlIdentifyLimiter.layer()
    ]),
    Layer.provide(SingleRunner.layer({ runnerStorage: "sql", shardingConfig: shardingConfig(options.shardsPerGroup) })),
    Layer.provide(Embedded.client(options.database))
  )

/** Polls `check` (real time) until it holds; fails with what was awaited after `millis`. */
const eventually = (what: string, check: () => boolean, millis = 20_000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + millis
    while (!check()) {
      if (Date.now() > deadline) return yield* Effect.fail(new Error(`timed out after ${millis} ms waiting for ${what}`))
      yield* Effect.sleep("50 millis")
    }
  })

/** What a runner's handler finished. */
interface Handled {
  readonly runner: number
  readonly shard: number
  readonly type: string
  readonly messageId: string | undefined
}

const simulatorDemo = (dataDir: string | undefined) =>
  Effect.gen(function*() {
    const started = Date.now()
    const at = () => `t=${((Date.now() - started) / 1000).toFixed(1)}s`
    const sim = yield* Simulator
    yield* say(
      `Gateway simulator on ${sim.url}: ${shardCount} shards, max_concurrency 1 (one Identify per 5 s), heartbeat 1.5 s`
    )

    const database = yield* Embedded.start({ dataDir })
    yield* say(
      `Embedded PostgreSQL (PGlite, ${dataDir === undefined ? "in memory" : `data in ${dataDir}`}) ` +
        `started in ${(database.startupMillis / 1000).toFixed(1)} s, served on ${database.url}`
    )
    // The demo's own look into the database, beside the runners' pools.
    const sql = Context.get(yield* Layer.build(Embedded.client(database, { maxConnections: 1 })), SqlClient.SqlClient)
    // A database kept by an earlier run (`--db`) holds sessions of that run's simulator, which is
    // gone with its process: their resume URL answers no more. The shards identify anew instead.
    const stale = dataDir === undefined ? [] : yield* sql`
      DELETE FROM ${sql(SqlSessionStore.defaultTable)} RETURNING shard_id
    `.pipe(Effect.orElseSucceed(() => []))
    if (stale.length > 0) {
      yield* say(`The database keeps ${stale.length} sessions of an earlier run's simulator, which is gone: forgotten.`)
    }

    // What the simulator receives: Identify (op 2, a new session) or Resume (op 6).
    const identified: Array<number> = []
    const resumed: Array<number> = []
    const shardOfConnection = new Map<number, number>()
    yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
      const payload = yield* sim.takePayload(2)
      const [id] = (payload.d as { readonly shard: readonly [number, number] }).shard
      identified.push(id)
      shardOfConnection.set(payload.connection, id)
      yield* say(`  [simulator] ${at()} op 2 Identify from shard ${id}`)
    })))
    yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
      const payload = yield* sim.takePayload(6)
      const { seq, session_id } = payload.d as { readonly session_id: string; readonly seq: number }
      const session = (yield* sim.sessions).find((s) => s.id === session_id)
      const id = session?.shard?.[0] ?? -1
      resumed.push(id)
      shardOfConnection.set(payload.connection, id)
      yield* say(`  [simulator] ${at()} op 6 Resume from shard ${id}: session ${session_id} after sequence ${seq}`)
    })))

    const handled: Array<Handled> = []
    const handler = (runner: number) => (event: GatewayEvent) =>
      Effect.suspend(() => {
        handled.push({
          runner,
          shard: event.shard,
          type: event.type,
          messageId: event.type === "MESSAGE_CREATE" ? event.data.id : undefined
        })
        return say(`  [runner ${runner}] shard ${event.shard} handled ${describe(event)}`)
      })
    const seen = (runner: number, shard: number, types: ReadonlyArray<string>) =>
      handled.some((h) => h.runner === runner && h.shard === shard && types.includes(h.type))
    const messagesOf = (runner: number) =>
      handled.flatMap((h) => h.runner === runner && h.messageId !== undefined ? [h.messageId] : [])

    const config = GatewayConfig.layer({
      token: "demo-token",
      gatewayUrl: sim.url,
      apiBaseUrl: sim.apiBaseUrl,
      intents: Intents.Flags.Guilds | Intents.Flags.GuildMessages | Intents.Flags.MessageContent
    })
    const startRunner = (runner: number) =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const context = yield* Layer.buildWithScope(
          runnerLayer({ database, config, shards: shardCount, shardsPerGroup: shardCount, handle: handler(runner) }),
          scope
        ).pipe(Effect.onError((cause) => Scope.close(scope, Exit.failCause(cause))))
        const sharding = Context.get(context, ClusterSharding.ClusterSharding)
        // Which shards the cluster gave this runner, as it changes.
        let last = ""
        yield* Effect.forkIn(
          Effect.forever(Effect.gen(function*() {
            const held = yield* sharding.held
            if (held.join() !== last) {
              last = held.join()
              yield* say(`  [runner ${runner}] ${at()} runs shards: ${held.length === 0 ? "none" : held.join(", ")}`)
            }
            yield* Effect.sleep("50 millis")
          })),
          scope
        )
        return { scope, sharding }
      })

    const dispatched: Array<string> = []
    const message = (n: number, shard: number, content: string) =>
      Effect.gen(function*() {
        const id = Fixtures.snowflake(7000 + n)
        dispatched.push(id)
        yield* sim.dispatchGuild(
          "MESSAGE_CREATE",
          Fixtures.messageCreate({ id, channelId: Fixtures.snowflake(900), guildId: guildOf(shard), content }),
          guildOf(shard)
        )
      })

    yield* say(
      `\nRunner 1 starts: a one-runner cluster (@effect/cluster SingleRunner) whose runners, shard locks and ` +
        `messages are tables in the database. Each gateway shard is a cluster singleton, and the shards' ` +
        `sessions and identify turns are in the database too.`
    )
    yield* say(
      `With max_concurrency 1, the second shard identifies one turn (5 s and a safety margin) after the first: ` +
        `the turns are counted in the database, for every runner.`
    )
    const first = yield* startRunner(1)
    yield* eventually(
      "both shards READY on runner 1",
      () => [0, 1].every((shard) => seen(1, shard, ["READY", "RESUMED"]))
    )

    yield* say(`\n${at()} Both shards are ready. Messages in each shard's guild:`)
    for (let n = 1; n <= 4; n++) {
      yield* message(n, n % 2, `message ${n}, for shard ${n % 2}`)
      yield* Effect.sleep("150 millis")
    }
    yield* eventually("runner 1 to handle 4 messages", () => messagesOf(1).length >= 4)

    yield* say(`\nA presence update for the guild of shard 1, sent through the cluster to the runner that runs it:`)
    yield* first.sharding.sendForGuild(guildOf(1), {
      op: 3,
      d: { since: null, activities: [{ name: "the cluster", type: 3 }], status: "online", afk: false }
    })
    const presence = yield* sim.takePayload(3).pipe(Effect.timeoutFail({
      duration: "5 seconds",
      onTimeout: () => new Error("the simulator received no presence update")
    }))
    const presenceData = presence.d as { readonly status: string; readonly activities: ReadonlyArray<{ readonly name: string }> }
    yield* say(
      `  [simulator] ${at()} op 3 Presence Update on shard ${shardOfConnection.get(presence.connection) ?? "?"}'s ` +
        `connection: ${presenceData.status}, watching "${presenceData.activities[0]?.name}"`
    )

    yield* say(`\n${at()} Runner 1 stops, as in a deploy: it hands its shards over.`)
    const stopping = Date.now()
    yield* Scope.close(first.scope, Exit.void)
    const closes = yield* Effect.all([sim.takeClose, sim.takeClose]).pipe(Effect.timeoutFail({
      duration: "5 seconds",
      onTimeout: () => new Error("the simulator did not see both shards close")
    }))
    yield* say(
      `  Stopped in ${Date.now() - stopping} ms. The simulator saw the shards close with ` +
        `${closes.map((close) => close.code).join(" and ")} (not 1000, which would end the sessions).`
    )
    const stored = yield* sql<{ readonly shard_id: number; readonly session_id: string; readonly sequence: string }>`
      SELECT shard_id, session_id, sequence FROM ${sql(SqlSessionStore.defaultTable)}
      WHERE shard_count = ${shardCount} ORDER BY shard_id
    `
    for (const row of stored) {
      yield* say(`  Stored in the database: shard ${row.shard_id}, session ${row.session_id}, last handled sequence ${row.sequence}`)
    }

    yield* say(`\n${at()} No runner runs. Discord keeps producing events:`)
    for (let n = 5; n <= 8; n++) yield* message(n, n % 2, `message ${n}, sent while no runner runs`)
    const missed = dispatched.slice(4)
    yield* say(`  ${missed.length} messages sent, 2 per shard.`)

    yield* say(`\n${at()} Runner 2 starts on the same database:`)
    const identifiedBefore = identified.length
    const second = yield* startRunner(2)
    yield* eventually(
      "both shards to resume on runner 2 and handle the missed messages",
      () => [0, 1].every((shard) => seen(2, shard, ["RESUMED", "READY"])) && messagesOf(2).length >= missed.length
    )
    // Anything handled twice would come in now: give it the time to show.
    yield* Effect.sleep("500 millis")

    const all = [...messagesOf(1), ...messagesOf(2)]
    const missing = dispatched.filter((id) => !all.includes(id))
    const duplicated = all.length - new Set(all).size
    const shardsResumed = [0, 1].filter((shard) =>
      resumed.includes(shard) && seen(2, shard, ["RESUMED"]) && !seen(2, shard, ["READY"])
    ).length
    const exactlyMissed = messagesOf(2).length === missed.length && missed.every((id) => messagesOf(2).includes(id))
    yield* say(
      `\nRunner 2 handled ${messagesOf(2).length} messages: ` +
        `${exactlyMissed ? "exactly the ones sent while no runner ran" : "NOT the ones sent while no runner ran"}; ` +
        `Identify sent after the restart: ${identified.length - identifiedBefore}.`
    )
    yield* say(
      `${dispatched.length - missing.length} of ${dispatched.length} messages handled, ${missing.length} missing, ` +
        `${duplicated} duplicated, shards resumed: ${shardsResumed}/${shardCount}`
    )
    yield* say(`\n${at()} Runner 2 stops; then the database and the simulator.`)
    yield* Scope.close(second.scope, Exit.void)
    if (missing.length > 0 || duplicated > 0 || shardsResumed < shardCount || !exactlyMissed) {
      return yield* Effect.fail(new Error("the cluster demo did not deliver every message exactly once"))
    }
  }).pipe(
    Effect.scoped,
    Effect.provide(Simulator.layerServe({
      token: "demo-token",
      heartbeatInterval: 1500,
      shards: shardCount,
      maxConcurrency: 1,
      guilds: [guildOf(0), guildOf(1)]
    }))
  )

const discordDemo = (dataDir: string | undefined) =>
  Effect.gen(function*() {
    yield* say(
      `DISCORD_TOKEN is set: a one-runner cluster on Discord, its database ` +
        `${dataDir === undefined ? "in memory" : `in ${dataDir}`} (Ctrl-C to stop; the next run resumes).`
    )
    const database = yield* Embedded.start({ dataDir })
    yield* say(`Embedded PostgreSQL started in ${(database.startupMillis / 1000).toFixed(1)} s on ${database.url}`)
    yield* Layer.build(runnerLayer({
      database,
      config: GatewayConfig.layerFromEnv(),
      shards: "auto",
      // A handful of cluster shards is plenty for one runner, and each is a lock row refreshed every second.
      shardsPerGroup: 8,
      handle: (event) => say(`  [shard ${event.shard}] ${describe(event)}`)
    }))
    return yield* Effect.never
  }).pipe(Effect.scoped)

/** `--db <dir>`: `undefined` without the flag, `"memory"` for an in-memory database. */
const dbFlag = (argv: ReadonlyArray<string>): Effect.Effect<string | undefined, Error> => {
  const index = argv.indexOf("--db")
  if (index < 0) return Effect.succeed(undefined)
  const value = argv[index + 1]
  return value === undefined || value.startsWith("-")
    ? Effect.fail(new Error(`--db needs a directory (or "memory"), got ${JSON.stringify(value ?? "")}`))
    : Effect.succeed(value)
}

/**
 * The cluster demo for the command line's `argv` and the environment's `DISCORD_TOKEN`. Fails when
 * the simulator run loses or repeats a message, or a shard does not resume.
 */
export const run = (argv: ReadonlyArray<string>, env: Record<string, string | undefined>): Effect.Effect<void, unknown> =>
  Effect.flatMap(dbFlag(argv), (flag) => {
    const onDiscord = env["DISCORD_TOKEN"] !== undefined && env["DISCORD_TOKEN"] !== ""
    const dataDir = flag === "memory" ? undefined : flag ?? (onDiscord ? "./.cluster-demo-db" : undefined)
    const demo = onDiscord ? discordDemo(dataDir) : simulatorDemo(dataDir)
    // The runners' routine logs (shards started, handed over) are told by the demo itself.
    return demo.pipe(Logger.withMinimumLogLevel(LogLevel.Warning))
  })
