/**
 * ClusterSharding on one in-memory cluster runner (`@effect/cluster`'s `TestRunner`) and the
 * in-memory simulator: the shards run as singletons, the handler's position is what the store
 * keeps, commands reach their shard through the cluster, and a runner that stops hands its shards
 * over resumably (close 4000, never 1000) for the next runner to RESUME after the last event
 * handled. Runners in separate processes, killed with SIGKILL, are the cluster soak's job
 * (test/clusterSoak.test.ts, `npm run soak:cluster`).
 */
import * as ClusterShardingService from "@effect/cluster/Sharding"
import * as EntityId from "@effect/cluster/EntityId"
import * as TestRunner from "@effect/cluster/TestRunner"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as ClusterSharding from "../src/ClusterSharding.js"
import * as GatewayConfig from "../src/GatewayConfig.js"
import type { GatewayEvent } from "../src/GatewayEvent.js"
import * as IdentifyLimiter from "../src/IdentifyLimiter.js"
import * as HandledPosition from "../src/internal/handledPosition.js"
import { singletonName } from "../src/internal/clusterSharding.js"
import * as SessionStore from "../src/SessionStore.js"
import * as Fixtures from "../src/testing/fixtures.js"
import { type Simulator as SimulatorService, Simulator } from "../src/testing/Simulator.js"
import { token } from "./helpers.js"

const guildOf = (shard: number) => String(BigInt(shard) << 22n)

/** Waits (real time) until `check` holds. */
const eventually = <A>(what: string, check: Effect.Effect<A | undefined>, millis = 10_000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + millis
    while (Date.now() < deadline) {
      const value = yield* check
      if (value !== undefined) return value
      yield* Effect.sleep(10)
    }
    return yield* Effect.dieMessage(`timed out: ${what}`)
  })

/** A runner: the cluster (in memory), ClusterSharding for 2 shards, a handler that records. */
const runner = (
  sim: SimulatorService,
  store: SessionStore.SessionStore,
  handled: Array<GatewayEvent>,
  options: { readonly handle?: (event: GatewayEvent) => Effect.Effect<void>; readonly handoverTimeout?: number } = {}
) =>
  ClusterSharding.layer({
    shards: 2,
    shardsPerGroup: 2,
    handoverTimeout: options.handoverTimeout,
    handle: (event) => Effect.zipRight(options.handle?.(event) ?? Effect.void, Effect.sync(() => handled.push(event)))
  }).pipe(
    Layer.provideMerge(TestRunner.layer),
    Layer.provide([
      GatewayConfig.layer({ token, gatewayUrl: sim.url }),
      Layer.succeed(SessionStore.SessionStore, store),
      IdentifyLimiter.layerMemory({ maxConcurrency: 2 })
    ])
  )

const messages = (handled: ReadonlyArray<GatewayEvent>): Array<string> =>
  handled.flatMap((event) => (event.type === "MESSAGE_CREATE" ? [event.data.id] : []))

const readyShards = (handled: ReadonlyArray<GatewayEvent>) =>
  new Set(handled.flatMap((event) => (event.type === "READY" || event.type === "RESUMED" ? [event.shard] : [])))

const sendMessage = (sim: SimulatorService, shard: number, id: string) =>
  sim.dispatchGuild(
    "MESSAGE_CREATE",
    Fixtures.messageCreate({ id, channelId: "42", guildId: guildOf(shard), content: id }),
    guildOf(shard)
  )

/** Builds a runner in a scope of its own, which the test closes to stop the runner. */
const startRunner = <E, R>(layer: Layer.Layer<ClusterSharding.ClusterSharding, E, R>) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(layer, scope)
    return { scope, sharding: Effect.runSync(Effect.provide(ClusterSharding.ClusterSharding, context)) }
  })

const withSimulator = Effect.provide(Simulator.layerMemory({ token, shards: 2, maxConcurrency: 2, guilds: [guildOf(0), guildOf(1)] }))

describe("ClusterSharding", () => {
  it.live("runs each shard as a singleton, gives the handler every event once, routes a command to the shard's runner", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const store = SessionStore.makeMemory()
      const handled: Array<GatewayEvent> = []
      const { scope, sharding } = yield* startRunner(runner(sim, store, handled))
      yield* eventually("both shards READY", Effect.sync(() => readyShards(handled).size === 2 || undefined))
      assert.deepStrictEqual(yield* sharding.held, [0, 1])
      assert.strictEqual(sharding.shardCount, 2)
      const statuses = yield* sharding.statuses
      assert.deepStrictEqual(statuses.map((s) => [s.shard, s.status, Option.isSome(s.sessionId)]), [[0, "Ready", true], [1, "Ready", true]])
      assert.strictEqual((yield* sharding.shardForGuild(guildOf(1))).shard, 1)
      assert.strictEqual((yield* Effect.flip(sharding.shardForGuild("not a snowflake")))._tag, "InvalidGuildId")
      yield* sendMessage(sim, 0, "1001")
      yield* sendMessage(sim, 1, "1002")
      yield* sendMessage(sim, 0, "1003")
      yield* eventually("3 messages handled", Effect.sync(() => messages(handled).length === 3 || undefined))
      assert.deepStrictEqual(messages(handled).sort(), ["1001", "1002", "1003"])

      // The handler's position is what the store keeps: the last event of each shard it finished.
      const sessions = yield* sim.sessions
      for (const shard of [0, 1]) {
        const session = sessions.find((s) => s.shard?.[0] === shard)!
        const stored = yield* eventually(
          `shard ${shard}'s position stored`,
          Effect.map(store.get([shard, 2]), (s) =>
            Option.isSome(s) && s.value.sequence === session.log.at(-1)!.s ? s.value : undefined)
        )
        assert.strictEqual(stored.sessionId, session.id)
      }

      // A command for shard 1 goes out on shard 1's connection.
      yield* sharding.send(1, { op: 3, d: { since: null, activities: [], status: "idle", afk: false } })
      const presence = yield* sim.takePayload(3)
      const identifies = (yield* sim.payloads).filter((p) => p.op === 2)
      const shardOfConnection = identifies.find((p) => p.connection === presence.connection)!.d as { shard: [number, number] }
      assert.deepStrictEqual(shardOfConnection.shard, [1, 2])
      yield* sharding.sendForGuild(guildOf(0), { op: 3, d: { since: null, activities: [], status: "dnd", afk: false } })
      const second = yield* sim.takePayload(3)
      assert.deepStrictEqual(
        (identifies.find((p) => p.connection === second.connection)!.d as { shard: [number, number] }).shard,
        [0, 2]
      )
      const unknown = yield* Effect.flip(sharding.send(5, { op: 3, d: { since: null, activities: [], status: "idle", afk: false } }))
      assert.strictEqual(unknown._tag, "ShardUnavailable")
      yield* Scope.close(scope, Exit.void)
    }).pipe(withSimulator))

  it.live("a runner that stops closes its shards with 4000 and stores their positions; the next one resumes after them", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const store = SessionStore.makeMemory()
      const first: Array<GatewayEvent> = []
      const a = yield* startRunner(runner(sim, store, first))
      yield* eventually("both shards READY", Effect.sync(() => readyShards(first).size === 2 || undefined))
      for (const id of ["2001", "2002", "2003"]) yield* sendMessage(sim, id === "2002" ? 1 : 0, id)
      yield* eventually("3 messages handled", Effect.sync(() => messages(first).length === 3 || undefined))
      yield* Scope.close(a.scope, Exit.void)

      const closes = yield* sim.closes
      assert.deepStrictEqual(closes.map((c) => c.code), [4000, 4000])
      // Sent while no runner runs: Discord keeps them for the resume.
      for (const id of ["3001", "3002"]) yield* sendMessage(sim, id === "3001" ? 0 : 1, id)

      const second: Array<GatewayEvent> = []
      const b = yield* startRunner(runner(sim, store, second))
      yield* eventually("both shards RESUMED", Effect.sync(() => readyShards(second).size === 2 || undefined))
      yield* eventually("2 messages handled", Effect.sync(() => messages(second).length === 2 || undefined))
      assert.deepStrictEqual(messages(second).sort(), ["3001", "3002"])
      assert.deepStrictEqual(second.filter((e) => e.type === "READY"), [])
      const payloads = yield* sim.payloads
      assert.strictEqual(payloads.filter((p) => p.op === 2).length, 2, "identified once per shard, in all")
      assert.strictEqual(payloads.filter((p) => p.op === 6).length, 2, "each shard resumed on the second runner")
      yield* Scope.close(b.scope, Exit.void)
    }).pipe(withSimulator))

  it.live("an event the handler did not finish before the handover timeout is handled again by the next runner", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const store = SessionStore.makeMemory()
      const first: Array<GatewayEvent> = []
      const stuck = yield* Deferred.make<void>()
      const a = yield* startRunner(runner(sim, store, first, {
        // "4002" never finishes on the first runner.
        handle: (event) => event.type === "MESSAGE_CREATE" && event.data.id === "4002" ? Deferred.await(stuck) : Effect.void,
        handoverTimeout: 200
      }))
      yield* eventually("both shards READY", Effect.sync(() => readyShards(first).size === 2 || undefined))
      yield* sendMessage(sim, 0, "4001")
      yield* eventually("fast handled", Effect.sync(() => messages(first).length === 1 || undefined))
      yield* sendMessage(sim, 0, "4002")
      yield* sendMessage(sim, 0, "4003")
      yield* Effect.sleep(50)
      yield* Scope.close(a.scope, Exit.void)
      assert.deepStrictEqual(messages(first), ["4001"])

      const second: Array<GatewayEvent> = []
      const b = yield* startRunner(runner(sim, store, second))
      yield* eventually("slow and after handled", Effect.sync(() => messages(second).length === 2 || undefined))
      assert.deepStrictEqual(messages(second), ["4002", "4003"])
      yield* Scope.close(b.scope, Exit.void)
    }).pipe(withSimulator))

  it.live("a handover finishes the event in hand and leaves the queued ones to the next runner", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const store = SessionStore.makeMemory()
      const first: Array<GatewayEvent> = []
      const a = yield* startRunner(runner(sim, store, first, {
        handle: (event) => event.type === "MESSAGE_CREATE" ? Effect.sleep(100) : Effect.void
      }))
      yield* eventually("both shards READY", Effect.sync(() => readyShards(first).size === 2 || undefined))
      for (let i = 1; i <= 5; i++) yield* sendMessage(sim, 0, String(5000 + i))
      // The first is in hand, the other four queued behind it.
      yield* Effect.sleep(50)
      yield* Scope.close(a.scope, Exit.void)
      assert.deepStrictEqual(messages(first), ["5001"])

      const second: Array<GatewayEvent> = []
      const b = yield* startRunner(runner(sim, store, second))
      yield* eventually("the queued four handled", Effect.sync(() => messages(second).length === 4 || undefined))
      assert.deepStrictEqual(messages(second), ["5002", "5003", "5004", "5005"])
      yield* Scope.close(b.scope, Exit.void)
    }).pipe(withSimulator))

  it.live("a fatal close fails the runner's streams with the typed error; the shard's singleton does not fail", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator
      const handled: Array<GatewayEvent> = []
      const { scope, sharding } = yield* startRunner(runner(sim, SessionStore.makeMemory(), handled))
      yield* eventually("both shards READY", Effect.sync(() => readyShards(handled).size === 2 || undefined))
      const shard1 = (yield* sim.payloads).find((p) => p.op === 2 && (p.d as { shard: [number, number] }).shard[0] === 1)!
      yield* sim.close(4004, "Authentication failed.", { connection: shard1.connection })
      const error = yield* Effect.flip(sharding.awaitFatal)
      assert.strictEqual(error._tag, "AuthenticationFailed")
      // The other shard goes on; the stopped one stays held (its singleton runs on, doing nothing).
      yield* sendMessage(sim, 0, "6001")
      yield* eventually("shard 0 still handles", Effect.sync(() => messages(handled).includes("6001") || undefined))
      assert.deepStrictEqual(yield* sharding.held, [0, 1])
      yield* Scope.close(scope, Exit.void)
    }).pipe(withSimulator))

  it.scoped("singleton names put gateway shard i on cluster shard i % shardsPerGroup + 1", () =>
    Effect.gen(function*() {
      const cluster = yield* ClusterShardingService.Sharding
      const shardIdOf = (id: string, group: string) => cluster.getShardId(EntityId.make(id), group).id
      // TestRunner's cluster has the default 300 shards per group; the names must be made for the
      // cluster's own count.
      for (const [count, perGroup] of [[16, 300], [320, 300]] as const) {
        for (let id = 0; id < count; id++) {
          const name = singletonName("discord-gateway", id, "default", perGroup, shardIdOf)
          assert.strictEqual(shardIdOf(name, "default"), (id % perGroup) + 1, name)
        }
      }
    }).pipe(Effect.provide(TestRunner.layer)))
})

describe("HandledPosition", () => {
  it.effect("follows the handler: READY starts a session, each event moves it, SESSION_LOST clears it", () =>
    Effect.gen(function*() {
      const store = SessionStore.makeMemory()
      const key = [0, 1] as const
      yield* store.set(key, { sessionId: "old", sequence: 7, resumeUrl: "wss://old" })
      const position = yield* HandledPosition.make(store, key)
      yield* position.load
      // What the gateway reads to resume; its own writes are ignored.
      assert.deepStrictEqual(yield* position.gatewayStore.get(key), Option.some({ sessionId: "old", sequence: 7, resumeUrl: "wss://old" }))
      yield* position.gatewayStore.set(key, { sessionId: "x", sequence: 99, resumeUrl: "wss://x" })
      yield* position.gatewayStore.clear(key)
      yield* position.flush
      assert.deepStrictEqual(yield* store.get(key), Option.some({ sessionId: "old", sequence: 7, resumeUrl: "wss://old" }))

      position.handled({ type: "RESUMED", shard: 0, sequence: 8, data: {} } as unknown as GatewayEvent)
      yield* position.flush
      assert.deepStrictEqual(yield* store.get(key), Option.some({ sessionId: "old", sequence: 8, resumeUrl: "wss://old" }))

      position.handled({ type: "SESSION_LOST", shard: 0, sessionId: "old", lastSequence: 8, reason: "op 9" })
      yield* position.flush
      assert.deepStrictEqual(yield* store.get(key), Option.none())
      // Events after the loss and before the new READY do not bring a session back.
      position.handled({ type: "TYPING_START", shard: 0, sequence: 9, data: {} } as unknown as GatewayEvent)
      yield* position.flush
      assert.deepStrictEqual(yield* store.get(key), Option.none())

      position.handled({
        type: "READY",
        shard: 0,
        sequence: 1,
        data: { session_id: "new", resume_gateway_url: "wss://new" }
      } as unknown as GatewayEvent)
      position.handled({ type: "GUILD_CREATE", shard: 0, sequence: 2, data: {} } as unknown as GatewayEvent)
      yield* position.flush
      assert.deepStrictEqual(yield* store.get(key), Option.some({ sessionId: "new", sequence: 2, resumeUrl: "wss://new" }))
    }))
})
