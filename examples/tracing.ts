/**
 * The gateway's spans in OpenTelemetry. The gateway traces its lifecycle with Effect's tracer
 * (`Effect.withSpan` and friends): each connection attempt (`discord.gateway.connect`, with its
 * `discord.gateway.identify` or `discord.gateway.resume`), what happens after a connection ends
 * (`discord.gateway.reconnect`: the close code, the decision, the backoff), a reshard
 * (`discord.sharding.reshard`) and each Request Guild Members
 * (`discord.gateway.request_guild_members`). `@effect/opentelemetry`'s `NodeSdk.layer` installs an
 * OpenTelemetry tracer as Effect's tracer, so those spans, and the bot's own, go to its exporter:
 * here the console; in production an OTLP exporter (Jaeger, Tempo, Honeycomb, ...).
 *
 * The bot looks up the owner of each guild it joins (`requestGuildMembers` with the owner's id,
 * which needs no privileged intent) in a span of its own, so its trace shows the gateway's
 * `request_guild_members` span as a child.
 *
 * Run it on Discord: `DISCORD_TOKEN=... npx tsx examples/tracing.ts`. The spans are printed as the
 * batch processor exports them (every few seconds): the first `discord.gateway.connect` and its
 * `discord.gateway.identify` as soon as the bot is READY, then a `bot.look_up_owner` per guild.
 */
import { NodeSdk } from "@effect/opentelemetry"
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer, type Scope, Stream } from "effect"
import {
  Gateway,
  GatewayConfig,
  GatewaySocket,
  IdentifyLimiter,
  Intents,
  SessionStore
} from "effect-discord-gateway"
import { pathToFileURL } from "node:url"

/**
 * Looks up a guild's owner (`requestGuildMembers` with their id) in a `bot.look_up_owner` span,
 * and logs their name. A lookup that fails (a timeout) is in its span, as an error.
 */
const lookUpOwner = (
  gateway: Gateway.Gateway,
  guild: { readonly id: string; readonly name: string; readonly owner_id: string }
): Effect.Effect<void> =>
  gateway.requestGuildMembers({ guild_id: guild.id, user_ids: [guild.owner_id] }, { timeout: "10 seconds" }).pipe(
    Effect.flatMap(({ members }) =>
      Effect.log(`${guild.name} is owned by ${members[0]?.user?.username ?? `user ${guild.owner_id}`}`)
    ),
    Effect.withSpan("bot.look_up_owner", { attributes: { "discord.guild.id": guild.id } }),
    Effect.catchAll((error) => Effect.logWarning(`no owner for guild ${guild.id}: ${error.message}`))
  )

/**
 * Looks up the owner of every guild the bot joins (or has, at startup). Runs in a fiber of the
 * current scope.
 */
export const lookUpOwners: Effect.Effect<void, never, Gateway.Gateway | Scope.Scope> = Effect.gen(function*() {
  const gateway = yield* Gateway.Gateway
  yield* gateway.on("GUILD_CREATE").pipe(
    // An outage's GUILD_CREATE (`{ id, unavailable: true }`) has no owner to look up.
    Stream.runForEach(({ data: guild }) => "owner_id" in guild ? lookUpOwner(gateway, guild) : Effect.void),
    Effect.catchAll((error) => Effect.logError("the gateway stopped for good", error)),
    Effect.forkScoped
  )
})

/**
 * OpenTelemetry's Node SDK as Effect's tracer, with the spans going to the span processor
 * `makeSpanProcessor` makes when the layer is built (the SDK flushes and shuts it down when the
 * layer is closed).
 */
export const TracingLive = (makeSpanProcessor: () => SpanProcessor) =>
  NodeSdk.layer(() => ({ resource: { serviceName: "my-bot" }, spanProcessor: makeSpanProcessor() }))

/**
 * A gateway layer (and whatever else it provides), traced: `gateway` is built with the
 * OpenTelemetry tracer installed, so the spans of its connections go to the span processor, as do
 * those of every effect run with the layer. `main` passes the gateway on Discord and a console
 * exporter; the test, the gateway on the simulator and an in-memory exporter.
 */
export const traced = <A, E, R>(
  gateway: Layer.Layer<A, E, R>,
  makeSpanProcessor: () => SpanProcessor
): Layer.Layer<A, E, R> => gateway.pipe(Layer.provide(TracingLive(makeSpanProcessor)))

/**
 * The gateway on Discord: configuration from the environment (`DISCORD_TOKEN`, ...).
 */
export const GatewayLive = Gateway.layer.pipe(
  Layer.provide([
    GatewayConfig.layerFromEnv({ intents: Intents.fromNames("Guilds") }),
    GatewaySocket.layerWebSocketConstructor,
    NodeHttpClient.layerUndici,
    SessionStore.layerMemory,
    IdentifyLimiter.layerMemory()
  ])
)

/**
 * The bot on Discord, its spans printed on the console: runs until interrupted (Ctrl-C; the
 * spans still waiting in the batch are printed then), and fails with the gateway's error if
 * Discord refuses the bot for good.
 */
export const main = Effect.gen(function*() {
  yield* lookUpOwners
  const gateway = yield* Gateway.Gateway
  return yield* gateway.awaitFatal
}).pipe(
  Effect.scoped,
  Effect.provide(traced(GatewayLive, () => new BatchSpanProcessor(new ConsoleSpanExporter())))
)

// Run only when executed directly (`npx tsx examples/tracing.ts`), never when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  NodeRuntime.runMain(main)
}
