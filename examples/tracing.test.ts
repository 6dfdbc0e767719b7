/**
 * The wiring of `tracing.ts` (`traced`: the gateway layer built under `@effect/opentelemetry`'s
 * `NodeSdk.layer`), with the gateway on the in-memory simulator and the spans going to
 * OpenTelemetry's `InMemorySpanExporter` instead of the console: the gateway's spans reach the
 * exporter with their attributes, parents and statuses.
 *
 * The exporter is read inside the scope the layer is provided in: closing it shuts the SDK down,
 * which empties the in-memory exporter.
 */
import { assert, describe, it } from "@effect/vitest"
import { SpanStatusCode } from "@opentelemetry/api"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer, Stream } from "effect"
import { Gateway, GatewayConfig, IdentifyLimiter, SessionStore } from "effect-discord-gateway"
import { Fixtures, Simulator } from "effect-discord-gateway/testing"
import * as Example from "./tracing.js"

const token = "test-token"
const guildId = Fixtures.snowflake(100)

/** The gateway on the simulator, with the in-memory session store and identify limiter. */
const GatewayOnSimulator = Gateway.layer.pipe(
  Layer.provide(Layer.unwrapEffect(Effect.map(Simulator, (sim) => GatewayConfig.layer({ token, gatewayUrl: sim.url })))),
  Layer.provide([SessionStore.layerMemory, IdentifyLimiter.layerMemory()]),
  Layer.provideMerge(Simulator.layerMemory({ token, guilds: [guildId] }))
)

/** Waits (in real time: the simulator answers on its own) until `exporter` has a span that `find` accepts. */
const exported = (exporter: InMemorySpanExporter, what: string, find: (span: ReadableSpan) => boolean) =>
  Effect.gen(function*() {
    for (let i = 0; i < 500; i++) {
      const span = exporter.getFinishedSpans().find(find)
      if (span !== undefined) return span
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
    }
    return yield* Effect.dieMessage(`no ${what} span was exported`)
  })

const parentOf = (span: ReadableSpan, spans: ReadonlyArray<ReadableSpan>) =>
  spans.find((other) => other.spanContext().spanId === span.parentSpanContext?.spanId)

describe("examples/tracing", () => {
  it.scoped("the gateway's spans reach the OpenTelemetry exporter, with their attributes", () => {
    const exporter = new InMemorySpanExporter()
    return Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const [session] = yield* sim.sessions
      yield* Example.lookUpOwners

      // The first connection: identify, READY.
      const connect = yield* exported(exporter, "connect", (span) => span.name === "discord.gateway.connect")
      assert.strictEqual(connect.status.code, SpanStatusCode.OK)
      assert.deepInclude(connect.attributes, {
        "discord.shard.id": 0,
        "discord.shard.count": 1,
        "discord.gateway.mode": "identify",
        "discord.gateway.attempt": 1,
        "discord.session.id": session!.id
      })
      assert.strictEqual(connect.resource.attributes["service.name"], "my-bot")
      const identify = yield* exported(exporter, "identify", (span) => span.name === "discord.gateway.identify")
      assert.strictEqual(identify.parentSpanContext?.spanId, connect.spanContext().spanId)

      // The bot's lookup, with the gateway's request as its child.
      const lookup = yield* exported(exporter, "bot.look_up_owner", (span) => span.name === "bot.look_up_owner")
      const request = yield* exported(
        exporter,
        "request_guild_members",
        (span) => span.name === "discord.gateway.request_guild_members"
      )
      assert.strictEqual(request.parentSpanContext?.spanId, lookup.spanContext().spanId)
      assert.strictEqual(request.status.code, SpanStatusCode.OK)
      assert.deepInclude(request.attributes, {
        "discord.guild.id": guildId,
        "discord.guild_members.user_ids": 1,
        "discord.guild_members.count": 1,
        "discord.guild_members.chunks": 1
      })

      // Discord closes the connection: a reconnect span, and the resume attempt in its trace.
      const events = yield* gateway.subscribeWith({ replay: false })
      yield* sim.close(4000, "try again")
      yield* events.pipe(Stream.filter((event) => event.type === "RESUMED"), Stream.take(1), Stream.runDrain)
      const reconnect = yield* exported(exporter, "reconnect", (span) => span.name === "discord.gateway.reconnect")
      assert.deepInclude(reconnect.attributes, {
        "discord.gateway.close_code": 4000,
        "discord.gateway.reason": "ConnectionClosed",
        "discord.gateway.decision": "resume",
        "discord.gateway.healthy": true
      })
      assert.isUndefined(reconnect.parentSpanContext)
      const resumed = yield* exported(
        exporter,
        "resume attempt",
        (span) => span.name === "discord.gateway.connect" && span.attributes["discord.gateway.mode"] === "resume"
      )
      assert.strictEqual(resumed.parentSpanContext?.spanId, reconnect.spanContext().spanId)
      assert.strictEqual(resumed.spanContext().traceId, reconnect.spanContext().traceId)
      assert.deepInclude(resumed.attributes, {
        "discord.gateway.previous_close_code": 4000,
        "discord.session.id": session!.id
      })
      const resume = yield* exported(exporter, "resume", (span) => span.name === "discord.gateway.resume")
      assert.strictEqual(parentOf(resume, exporter.getFinishedSpans()), resumed)

      // No attribute carries the token.
      for (const span of exporter.getFinishedSpans()) {
        for (const value of Object.values(span.attributes)) assert.notInclude(String(value), token)
      }
    }).pipe(Effect.provide(Example.traced(GatewayOnSimulator, () => new SimpleSpanProcessor(exporter))))
  })
})
