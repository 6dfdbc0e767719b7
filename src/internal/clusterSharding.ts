/**
 * Gateway shards as @effect/cluster singletons: every runner registers one singleton per gateway
 * shard, and the cluster starts each on the runner that owns its cluster shard. A started
 * singleton runs one gateway shard (gateway.ts) in the singleton's scope; when the runner loses
 * it (rebalance, shutdown) the scope closes and the shard is handed over: closed resumably (4000),
 * its handler's queue drained and its position stored, for the next owner to resume from.
 * Commands for any shard go through an entity whose id is the shard's singleton name, so the
 * cluster routes them to the runner that runs the shard.
 *
 * @internal
 */
import * as ClusterSchema from "@effect/cluster/ClusterSchema"
import * as Entity from "@effect/cluster/Entity"
import * as EntityId from "@effect/cluster/EntityId"
import * as ClusterShardingService from "@effect/cluster/Sharding"
import * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as Socket from "@effect/platform/Socket"
import * as Rpc from "@effect/rpc/Rpc"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ClusterSharding, ClusterShardingOptions } from "../ClusterSharding.js"
import type * as Commands from "../Commands.js"
import type { Requirements } from "../Gateway.js"
import { GatewayConfig } from "../GatewayConfig.js"
import * as GatewayError from "../GatewayError.js"
import type { GatewayEvent } from "../GatewayEvent.js"
import * as IdentifyLimiter from "../IdentifyLimiter.js"
import * as SessionStore from "../SessionStore.js"
import * as EventHub from "./eventHub.js"
import * as Gateway from "./gateway.js"
import type { GatewayShape } from "./gateway.js"
import * as GatewayBot from "./gatewayBot.js"
import * as HandledPosition from "./handledPosition.js"
import * as IntentCheck from "./intentCheck.js"
import * as Scheduler from "./scheduler.js"
import * as ShardFence from "./shardFence.js"
import { checkShards, shardOf, statusOf } from "./sharding.js"

/** What a `Send` to a shard's owner can fail with. */
const SendError = Schema.Union(
  GatewayError.ShardUnavailable,
  GatewayError.GatewayClosed,
  GatewayError.PayloadTooLarge,
  GatewayError.AuthenticationFailed,
  GatewayError.InvalidShard,
  GatewayError.ScalingRequired,
  GatewayError.InvalidApiVersion,
  GatewayError.InvalidIntents,
  GatewayError.DisallowedIntents,
  GatewayError.GatewayUrlUnavailable,
  GatewayError.ReconnectExhausted
)

const Send = Rpc.make("Send", {
  payload: { command: Schema.Struct({ op: Schema.Int, d: Schema.Unknown }) },
  error: SendError
})

/**
 * The name of gateway shard `id`'s singleton: `<name>-<id>-<salt>`, with the salt chosen so that
 * the cluster places gateway shard `id` on cluster shard `id % shardsPerGroup + 1`. The cluster
 * spreads its shards evenly over runners, but hashes names to shards: unsalted, several gateway
 * shards can share a cluster shard (and so a runner) while other runners get fewer.
 *
 * @internal
 */
export const singletonName = (
  name: string,
  id: number,
  group: string,
  shardsPerGroup: number,
  shardIdOf: (entityId: string, group: string) => number
): string => {
  const target = (id % shardsPerGroup) + 1
  const tries = shardsPerGroup * 64
  for (let salt = 0; salt < tries; salt++) {
    const candidate = `${name}-${id}-${salt}`
    if (shardIdOf(candidate, group) === target) return candidate
  }
  return `${name}-${id}`
}

/** The longest a command waits for the shard to start on its owner (right after a move). */
const ownerStartMillis = 10_000

/** @internal */
export const make = <R>(options: ClusterShardingOptions<R>): Effect.Effect<
  ClusterSharding,
  GatewayError.GatewayFatalError | GatewayError.InvalidShardingOptions,
  Scope.Scope | Requirements | ClusterShardingService.Sharding | R
> =>
  Effect.gen(function*() {
    const base = yield* GatewayConfig
    const httpClient = yield* HttpClient.HttpClient
    const limiter = yield* IdentifyLimiter.IdentifyLimiter
    const store = yield* SessionStore.SessionStore
    const cluster = yield* ClusterShardingService.Sharding
    const shardsPerGroup = options.shardsPerGroup ?? Option.match(yield* Effect.serviceOption(ShardingConfig.ShardingConfig), {
      onNone: () => ShardingConfig.defaults.shardsPerGroup,
      onSome: (config) => config.shardsPerGroup
    })
    // Singletons start on the cluster's fibers: they run with this context, but in the singleton's
    // scope, not this layer's (which the captured context holds too).
    const context = Context.omit(Scope.Scope)(yield* Effect.context<Socket.WebSocketConstructor | HttpClient.HttpClient | R>())
    const scheduler = yield* Scheduler.make
    const hub = yield* EventHub.fromConfig<GatewayEvent>(base)

    yield* checkShards(options.shards)
    const bot = typeof options.shards === "number" && base.gatewayUrl !== undefined
      ? undefined
      : yield* GatewayBot.fetchOrFail(base.apiBaseUrl, base.token, 0).pipe(
        Effect.provideService(HttpClient.HttpClient, httpClient)
      )
    const count = typeof options.shards === "number" ? options.shards : bot!.shards
    const gatewayUrl = base.gatewayUrl ?? bot!.url
    const identifyLimits: IdentifyLimiter.IdentifyLimits = bot === undefined
      ? { maxConcurrency: 1 }
      : GatewayBot.identifyLimits(bot)

    const name = options.name ?? "discord-gateway"
    const group = options.shardGroup ?? "default"
    const handoverMillis = Duration.toMillis(options.handoverTimeout ?? "10 seconds")
    const names: Array<string> = []
    const idOfName = new Map<string, number>()
    for (let id = 0; id < count; id++) {
      const singleton = singletonName(
        name,
        id,
        group,
        shardsPerGroup,
        (entityId, g) => cluster.getShardId(EntityId.make(entityId), g).id
      )
      names.push(singleton)
      idOfName.set(singleton, id)
    }

    const fence = yield* ShardFence.make(name, { timeoutMillis: handoverMillis + 5_000 })

    // The shards this runner runs now.
    const held = new Map<number, GatewayShape>()
    const heldInOrder = () => [...held.values()].sort((a, b) => a.shard - b.shard)

    const handle = options.handle
    // One gateway shard, for as long as this runner owns it. Never fails: a failed singleton
    // would only be started again at the cluster's next rebalance.
    const runShard = (id: number): Effect.Effect<void, never, Scope.Scope | Socket.WebSocketConstructor | HttpClient.HttpClient | R> =>
      Effect.gen(function*() {
        yield* Effect.annotateLogsScoped({ shard: id })
        // Taken first, released last: the previous owner has stored its position and closed its socket.
        yield* fence.hold(id)
        // Held until the last of the shard's finalizers (its socket closed): registered first, run last.
        yield* Effect.addFinalizer(() => Effect.sync(() => held.delete(id)))
        const key: SessionStore.ShardKey = [id, count]
        const position = handle === undefined ? undefined : yield* HandledPosition.make(store, key)
        if (position !== undefined) yield* position.load
        // The handler is in the middle of an event; the shard is being handed over (take no more).
        let inFlight = false
        let handingOver = false
        // Bounded like the hub: a handler that falls behind slows the shard's reading, as a slow
        // subscriber does, instead of piling events up in memory.
        const queue = handle === undefined ? undefined : yield* Queue.bounded<GatewayEvent>(base.eventBufferCapacity)
        const gateway = yield* Gateway.makeShard({
          config: { ...base, shard: [id, count], gatewayUrl, waitForReady: false },
          scheduler,
          deliver: queue === undefined ? hub.deliver : (events) =>
            Effect.zipRight(hub.deliver(events), Effect.suspend(() => queue.offerAll(events.slice()))),
          subscribeWith: (replay) =>
            Effect.map(
              hub.subscribeWith(replay === "all" ? "snapshot" : replay),
              Stream.filter((event) => event.shard === id)
            ),
          streamsEndOnFatal: false,
          startGate: Effect.void,
          limiter,
          identifyLimits,
          store: position?.gatewayStore ?? store,
          onFatal: hub.fail
        })
        if (queue !== undefined && position !== undefined && handle !== undefined) {
          yield* Effect.forkScoped(position.writer)
          // An event counts as handled only once the handler returned, and then its position moves
          // with nothing in between. A handover lets the event in hand finish (or interrupts it
          // after its timeout) and takes no other: the next owner gets those from Discord.
          const handleNext = Effect.uninterruptibleMask((restore) =>
            Effect.gen(function*() {
              const event = yield* restore(queue.take)
              if (handingOver) return yield* Effect.interrupt
              inFlight = true
              yield* restore(handle(event)).pipe(
                Effect.catchAllCause((cause) =>
                  Cause.isInterruptedOnly(cause)
                    ? Effect.interrupt
                    : Effect.logError(`the handler failed on ${event.type}; going on with the next event`, cause)
                ),
                Effect.ensuring(Effect.sync(() => {
                  inFlight = false
                }))
              )
              position.handled(event)
            })
          )
          yield* Effect.forkScoped(Effect.forever(handleNext))
        }
        held.set(id, gateway)
        const startedAt = yield* Clock.currentTimeMillis
        yield* Effect.logInfo(`shard ${id} of ${count} started on this runner`)
        // The handover, before the gateway's own finalizer: close resumably (never 1000, which
        // would end the session), let the handler finish the event in hand, store the position.
        yield* Effect.addFinalizer(() =>
          Effect.gen(function*() {
            const handoverStart = yield* Clock.currentTimeMillis
            yield* gateway.pause
            if (queue !== undefined && position !== undefined) {
              handingOver = true
              const deadline = handoverStart + handoverMillis
              while (inFlight && (yield* Clock.currentTimeMillis) < deadline) yield* Effect.sleep(5)
              if (inFlight) {
                yield* Effect.logWarning(
                  `handover: the handler did not finish its event within ${handoverMillis} ms; the next owner gets it again`
                )
              }
              yield* position.flush
            }
            const now = yield* Clock.currentTimeMillis
            yield* Effect.logInfo(
              `shard ${id} of ${count} handed over after ${Math.round((now - startedAt) / 1000)} s here (handover ${
                now - handoverStart
              } ms)`
            )
          })
        )
      }).pipe(Effect.provide(context))

    for (const [id, singleton] of names.entries()) {
      yield* cluster.registerSingleton(singleton, runShard(id), { shardGroup: group })
    }

    const entity = Entity.make(`${name}/Shard`, [Send]).annotate(ClusterSchema.ShardGroup, () => group)
    // A command may reach the shard's owner during a failover, before the shard started there.
    const awaitHeld = (id: number): Effect.Effect<GatewayShape, GatewayError.ShardUnavailable> =>
      Effect.gen(function*() {
        while (true) {
          const gateway = held.get(id)
          if (gateway !== undefined) return gateway
          yield* Effect.sleep(20)
        }
      }).pipe(
        Effect.timeoutFail({
          duration: ownerStartMillis,
          onTimeout: () =>
            new GatewayError.ShardUnavailable({
              shard: id,
              shardCount: count,
              reason: "the runner that owns it did not start it in time"
            })
        })
      )
    yield* cluster.registerEntity(
      entity,
      Effect.gen(function*() {
        const address = yield* Entity.CurrentAddress
        const id = idOfName.get(address.entityId)
        return {
          Send: (request) =>
            id === undefined
              ? Effect.fail(
                new GatewayError.ShardUnavailable({ shard: -1, shardCount: count, reason: `unknown entity ${address.entityId}` })
              )
              : Effect.flatMap(awaitHeld(id), (gateway) => gateway.send(request.payload.command as Commands.GatewayCommand))
        }
      })
    )
    const client = yield* entity.client

    const unavailable = (shard: number, reason: string) => new GatewayError.ShardUnavailable({ shard, shardCount: count, reason })
    const local = (id: number) =>
      Effect.suspend(() => {
        const gateway = held.get(id)
        return gateway === undefined ? Effect.fail(unavailable(id, "not run by this runner now")) : Effect.succeed(gateway)
      })
    const send = (shard: number, command: Commands.GatewayCommand) =>
      Effect.suspend(() => {
        if (!Number.isInteger(shard) || shard < 0 || shard >= count) {
          return Effect.fail(unavailable(shard, `not a shard of 0..${count - 1}`))
        }
        return client(names[shard]!).Send({ command }).pipe(
          Effect.catchTags({
            MailboxFull: () => Effect.fail(unavailable(shard, "its owner's mailbox is full")),
            AlreadyProcessingMessage: () => Effect.fail(unavailable(shard, "its owner is already processing this message")),
            PersistenceError: (error) => Effect.fail(unavailable(shard, `cluster storage: ${error.message}`))
          })
        )
      })

    const shape: ClusterSharding = {
      events: Stream.unwrapScoped(hub.subscribe),
      subscribe: hub.subscribe,
      subscribeWith: (subscribeOptions) => hub.subscribeWith(subscribeOptions.replay ? "all" : "none"),
      on: IntentCheck.makeOn(base.intents, hub.subscribeWith("snapshot")),
      shardCount: count,
      held: Effect.sync(() => [...held.keys()].sort((a, b) => a - b)),
      shards: Effect.sync(heldInOrder),
      shard: local,
      shardForGuild: (guildId) =>
        Effect.suspend((): Effect.Effect<GatewayShape, GatewayError.ShardUnavailable | GatewayError.InvalidGuildId> => {
          const id = shardOf(guildId, count)
          return id === undefined ? Effect.fail(new GatewayError.InvalidGuildId({ guildId })) : local(id)
        }),
      statuses: Effect.suspend(() => Effect.forEach(heldInOrder(), statusOf)),
      send,
      sendForGuild: (guildId, command) =>
        Effect.suspend((): ReturnType<ClusterSharding["sendForGuild"]> => {
          const id = shardOf(guildId, count)
          return id === undefined ? Effect.fail(new GatewayError.InvalidGuildId({ guildId })) : send(id, command)
        }),
      awaitFatal: hub.awaitFailure
    }
    return shape
  })
