import { assert, describe, it } from "@effect/vitest"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import * as Gateway from "../src/Gateway.js"
import * as GatewayConfig from "../src/GatewayConfig.js"
import type { GatewayEvent } from "../src/GatewayEvent.js"
import * as IdentifyLimiter from "../src/IdentifyLimiter.js"
import * as Sharding from "../src/Sharding.js"
import { Simulator } from "../src/testing/Simulator.js"
import { defaults, gatewayOn, nextPayload, simulatorWith, token, withinRealTime } from "./helpers.js"

/** A span as the test tracer records it: name, parent, attributes, and how it ended. */
class RecordedSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly spanId: string
  readonly traceId: string
  readonly sampled = true
  status: Tracer.SpanStatus
  readonly attributes = new Map<string, unknown>()
  readonly links: Array<Tracer.SpanLink>
  readonly events: Array<string> = []
  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Context.Context<never>,
    links: ReadonlyArray<Tracer.SpanLink>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind,
    id: number
  ) {
    this.spanId = `span-${id}`
    this.traceId = parent._tag === "Some" ? parent.value.traceId : `trace-${id}`
    this.links = [...links]
    this.status = { _tag: "Started", startTime }
  }
  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>) {
    this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
  }
  attribute(key: string, value: unknown) {
    this.attributes.set(key, value)
  }
  event(name: string) {
    this.events.push(name)
  }
  addLinks(links: ReadonlyArray<Tracer.SpanLink>) {
    this.links.push(...links)
  }

  get outcome(): "open" | "ok" | "error" | "interrupted" {
    if (this.status._tag === "Started") return "open"
    const exit = this.status.exit
    if (Exit.isSuccess(exit)) return "ok"
    return exit.cause._tag === "Interrupt" ? "interrupted" : "error"
  }
  get parentName(): string | undefined {
    const parent = this.parent
    return parent._tag === "Some" && parent.value._tag === "Span" ? parent.value.name : undefined
  }
  get durationMillis(): number {
    return this.status._tag === "Ended" ? Number(this.status.endTime - this.status.startTime) / 1e6 : NaN
  }
  attr(key: string): unknown {
    return this.attributes.get(key)
  }
}

/** A tracer that records every span, in start order. */
const recorder = () => {
  const spans: Array<RecordedSpan> = []
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const span = new RecordedSpan(name, parent, context, links, startTime, kind, spans.length)
      spans.push(span)
      return span
    },
    context: (f) => f()
  })
  const named = (name: string) => spans.filter((span) => span.name === name)
  const ours = () => spans.filter((span) => span.name.startsWith("discord."))
  return { spans, tracer, named, ours }
}

const connect = "discord.gateway.connect"
const identify = "discord.gateway.identify"
const resume = "discord.gateway.resume"
const reconnect = "discord.gateway.reconnect"

/** Waits for the first event of `type` on a stream subscribed before the action that causes it. */
const awaitEvent = (stream: Stream.Stream<GatewayEvent, unknown>, type: string) =>
  stream.pipe(Stream.filter((event) => event.type === type), Stream.take(1), Stream.runDrain, withinRealTime(`no ${type}`))

/** Waits (in real time, at most 5 s) until `check` holds. */
const eventually = (what: string, check: () => boolean) =>
  Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 1))).pipe(
    Effect.repeat({ until: check }),
    withinRealTime(what)
  )

describe("tracing: connection lifecycle", () => {
  it.scoped("identify, then close 4000: connect/identify end ok at READY; a reconnect span; a resume attempt, its child", () => {
    const rec = recorder()
    return Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const stream = yield* gateway.subscribeWith({ replay: false })
      const [session] = yield* sim.sessions

      // The first attempt, READY: ok, with its shard, mode, attempt and (once live) session.
      const [first] = rec.named(connect)
      assert.strictEqual(rec.named(connect).length, 1)
      assert.strictEqual(first!.outcome, "ok")
      assert.strictEqual(first!.kind, "client")
      assert.deepStrictEqual(Object.fromEntries(first!.attributes), {
        "discord.shard.id": 3,
        "discord.shard.count": 5,
        "discord.gateway.mode": "identify",
        "discord.gateway.attempt": 1,
        "discord.gateway.url": sim.url,
        "discord.session.id": session!.id
      })
      const [firstIdentify] = rec.named(identify)
      assert.strictEqual(firstIdentify!.outcome, "ok")
      assert.strictEqual(firstIdentify!.parent.pipe(Option.getOrThrow), first)
      assert.strictEqual(firstIdentify!.attr("discord.gateway.heartbeat_interval_ms"), 41250)
      assert.strictEqual(firstIdentify!.attr("discord.gateway.identify_wait_ms"), 0)
      // Nothing of ours is open on a live connection, and no token is anywhere.
      assert.deepStrictEqual(rec.ours().filter((span) => span.outcome === "open").map((span) => span.name), [])
      for (const span of rec.spans) {
        for (const value of span.attributes.values()) assert.notInclude(String(value), token)
      }

      yield* sim.close(4000, "try again")
      const resumePayload = (yield* nextPayload(sim, 6)).d as { seq: number }
      yield* awaitEvent(stream, "RESUMED")

      const [decision] = rec.named(reconnect)
      assert.strictEqual(decision!.outcome, "ok")
      assert.isTrue(Option.isNone(decision!.parent), "a reconnect starts a trace of its own")
      assert.deepStrictEqual(Object.fromEntries(decision!.attributes), {
        "discord.shard.id": 3,
        "discord.shard.count": 5,
        "discord.gateway.attempt": 1,
        "discord.gateway.healthy": true,
        "discord.gateway.reason": "ConnectionClosed",
        "discord.gateway.close_code": 4000,
        "discord.session.id": session!.id,
        "discord.gateway.backoff_ms": 0,
        "discord.gateway.decision": "resume"
      })
      // The connection's end is logged in the span.
      assert.isTrue(decision!.events.some((event) => event.includes("code 4000")))

      const second = rec.named(connect)[1]!
      assert.strictEqual(second.outcome, "ok")
      assert.strictEqual(second.parent.pipe(Option.getOrThrow), decision)
      assert.strictEqual(second.attr("discord.gateway.mode"), "resume")
      assert.strictEqual(second.attr("discord.gateway.attempt"), 1)
      assert.strictEqual(second.attr("discord.session.id"), session!.id)
      assert.strictEqual(second.attr("discord.gateway.previous_close_code"), 4000)
      assert.strictEqual(second.attr("discord.gateway.previous_reason"), "ConnectionClosed")
      const [resumed] = rec.named(resume)
      assert.strictEqual(resumed!.outcome, "ok")
      assert.strictEqual(resumed!.parent.pipe(Option.getOrThrow), second)
      assert.strictEqual(resumed!.attr("discord.gateway.sequence"), resumePayload.seq)
      assert.strictEqual(resumed!.attr("discord.session.id"), session!.id)
      assert.strictEqual(rec.named(identify).length, 1)
    }).pipe(
      Effect.provide(gatewayOn({ guilds: 1 }, { shard: [3, 5] })),
      Effect.withTracer(rec.tracer)
    )
  })

  it.scoped("no span per event: a thousand dispatches and heartbeats add none", () => {
    const rec = recorder()
    return Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const stream = yield* gateway.subscribeWith({ replay: false })
      const before = rec.spans.length
      for (let i = 0; i < 1000; i++) yield* sim.dispatch("TYPING_START", { channel_id: "10", user_id: "20", timestamp: i })
      yield* sim.dispatch("MESSAGE_DELETE", { id: "5", channel_id: "10" })
      yield* awaitEvent(stream, "MESSAGE_DELETE")
      yield* TestClock.adjust("5 minutes")
      assert.strictEqual(rec.spans.length, before)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 })), Effect.withTracer(rec.tracer))
  })

  it.scoped("refused connections: each attempt fails with its close code, the reconnect spans carry the backoff", () => {
    const rec = recorder()
    return Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const stream = yield* gateway.subscribeWith({ replay: false })
      yield* sim.refuseConnections(4000)
      yield* sim.close(4000)
      // The resume attempt is refused before Hello; the next one waits 10 s, and is refused too.
      yield* sim.takeConnection.pipe(withinRealTime("no second connection"))
      yield* TestClock.adjust("10 seconds")
      yield* sim.takeConnection.pipe(withinRealTime("no third connection"))
      yield* sim.refuseConnections(undefined)
      yield* TestClock.adjust("10 seconds")
      yield* awaitEvent(stream, "RESUMED")

      const attempts = rec.named(connect)
      assert.deepStrictEqual(attempts.map((span) => [span.outcome, span.attr("discord.gateway.attempt")]), [
        ["ok", 1],
        ["error", 1],
        ["error", 2],
        ["ok", 3]
      ])
      const refused = attempts[1]!
      assert.strictEqual(refused.attr("discord.gateway.close_code"), 4000)
      assert.strictEqual(refused.attr("discord.gateway.reason"), "ConnectionClosed")
      assert.strictEqual(rec.spans.filter((span) => span.parent.pipe(Option.getOrUndefined) === refused).length, 0)
      assert.strictEqual(attempts[2]!.attr("discord.gateway.previous_close_code"), 4000)

      const decisions = rec.named(reconnect)
      assert.deepStrictEqual(
        decisions.map((span) => [span.attr("discord.gateway.healthy"), span.attr("discord.gateway.backoff_ms"), span.durationMillis]),
        [[true, 0, 0], [false, 10_000, 10_000], [false, 10_000, 10_000]]
      )
      assert.deepStrictEqual(decisions.map((span) => span.attr("discord.gateway.attempt")), [1, 1, 2])
      // Each attempt after a reconnect is a child of it.
      for (let i = 1; i < attempts.length; i++) {
        assert.strictEqual(attempts[i]!.parent.pipe(Option.getOrThrow), decisions[i - 1])
      }
    }).pipe(
      Effect.provide(gatewayOn({ guilds: 1 }, { reconnectSchedule: Schedule.spaced("10 seconds") })),
      Effect.withTracer(rec.tracer)
    )
  })

  it.scoped("no READY in time: the attempt (started at the TestClock's 0) and its identify end with HandshakeTimeout", () => {
    const rec = recorder()
    return Effect.gen(function*() {
      const sim = yield* Simulator
      yield* sim.stall("ready")
      yield* Gateway.make
      yield* nextPayload(sim, 2)
      yield* TestClock.adjust("60 seconds")
      yield* eventually("no reconnect span", () => rec.named(reconnect).length === 1)
      const [attempt] = rec.named(connect)
      assert.strictEqual(attempt!.outcome, "error")
      assert.strictEqual(attempt!.attr("discord.gateway.reason"), "HandshakeTimeout")
      assert.strictEqual(attempt!.durationMillis, 60_000)
      const [step] = rec.named(identify)
      assert.strictEqual(step!.outcome, "error")
      assert.strictEqual(step!.durationMillis, 60_000)
      const [decision] = rec.named(reconnect)
      assert.strictEqual(decision!.attr("discord.gateway.healthy"), false)
      assert.strictEqual(decision!.attr("discord.gateway.reason"), "HandshakeTimeout")
    }).pipe(Effect.provide(simulatorWith({ guilds: 1 }, { waitForReady: false })), Effect.withTracer(rec.tracer))
  })

  it.scoped("a fatal close (4004) ends the reconnect span with an error and decision fatal", () => {
    const rec = recorder()
    return Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      yield* sim.close(4004, "Authentication failed.")
      const error = yield* gateway.awaitFatal.pipe(Effect.flip, withinRealTime("no fatal error"))
      assert.strictEqual(error._tag, "AuthenticationFailed")
      const [decision] = rec.named(reconnect)
      assert.strictEqual(decision!.outcome, "error")
      assert.strictEqual(decision!.attr("discord.gateway.close_code"), 4004)
      assert.strictEqual(decision!.attr("discord.gateway.decision"), "fatal")
      const exit = decision!.status._tag === "Ended" ? decision!.status.exit : undefined
      assert.isTrue(exit !== undefined && Exit.isFailure(exit) && exit.cause._tag === "Fail" && (exit.cause.error as { _tag: string })._tag === "AuthenticationFailed")
      assert.strictEqual(rec.named(connect).length, 1)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 })), Effect.withTracer(rec.tracer))
  })

  it.effect("a wrong token: the identify and its attempt end with the close, the reconnect span with AuthenticationFailed", () => {
    const rec = recorder()
    return Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(gatewayOn({ token: "another-token" }))))
      assert.isTrue(Exit.isFailure(exit))
      const [attempt] = rec.named(connect)
      assert.strictEqual(attempt!.outcome, "error")
      assert.strictEqual(attempt!.attr("discord.gateway.close_code"), 4004)
      assert.strictEqual(attempt!.attr("discord.gateway.reason"), "ConnectionClosed")
      assert.strictEqual(rec.named(identify)[0]!.outcome, "error")
      const [decision] = rec.named(reconnect)
      assert.strictEqual(decision!.outcome, "error")
      assert.strictEqual(decision!.attr("discord.gateway.healthy"), false)
      assert.strictEqual(decision!.attr("discord.gateway.decision"), "fatal")
      assert.deepStrictEqual(rec.ours().filter((span) => span.outcome === "open").map((span) => span.name), [])
    }).pipe(Effect.withTracer(rec.tracer))
  })

  it.scoped("op 9 (not resumable): the reconnect span waits 1-5 s and decides to identify; the attempt identifies", () => {
    const rec = recorder()
    return Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const stream = yield* gateway.subscribeWith({ replay: false })
      yield* nextPayload(sim, 2)
      yield* sim.invalidSession(false)
      // The reconnect span has started: the shard sleeps 1-5 s on the TestClock.
      yield* eventually("no reconnect span", () => rec.named(reconnect).length === 1)
      // Then the new Identify waits for the bucket: 5 s (and a margin) after the first.
      yield* TestClock.adjust(IdentifyLimiter.IdentifyIntervalMillis + IdentifyLimiter.defaultMarginMillis)
      yield* awaitEvent(stream, "READY")
      const [decision] = rec.named(reconnect)
      assert.strictEqual(decision!.attr("discord.gateway.reason"), "SessionInvalidated")
      assert.strictEqual(decision!.attr("discord.gateway.decision"), "identify")
      const wait = decision!.attr("discord.gateway.backoff_ms") as number
      assert.isTrue(wait >= 1000 && wait <= 5000, `waited ${wait} ms`)
      const second = rec.named(connect)[1]!
      assert.strictEqual(second.attr("discord.gateway.mode"), "identify")
      assert.strictEqual(second.attr("discord.gateway.previous_reason"), "SessionInvalidated")
      assert.strictEqual(second.outcome, "ok")
      const waited = rec.named(identify)[1]!.attr("discord.gateway.identify_wait_ms") as number
      assert.strictEqual(waited, IdentifyLimiter.IdentifyIntervalMillis + IdentifyLimiter.defaultMarginMillis - wait)
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 })), Effect.withTracer(rec.tracer))
  })

  it.scoped("pause and resume: no reconnect span; the next attempt starts a trace of its own", () => {
    const rec = recorder()
    return Effect.gen(function*() {
      const gateway = yield* Gateway.Gateway
      const stream = yield* gateway.subscribeWith({ replay: false })
      yield* gateway.pause
      yield* gateway.resume
      yield* awaitEvent(stream, "RESUMED")
      assert.strictEqual(rec.named(reconnect).length, 0)
      const second = rec.named(connect)[1]!
      assert.isTrue(Option.isNone(second.parent))
      assert.strictEqual(second.attr("discord.gateway.mode"), "resume")
      assert.strictEqual(second.outcome, "ok")
    }).pipe(Effect.provide(gatewayOn({ guilds: 1 })), Effect.withTracer(rec.tracer))
  })

  it.scoped("the first attempt belongs to the span the gateway starts in", () => {
    const rec = recorder()
    return Effect.gen(function*() {
      yield* Gateway.make.pipe(Effect.withSpan("bot.startup"))
      const [attempt] = rec.named(connect)
      assert.strictEqual(attempt!.parentName, "bot.startup")
      assert.strictEqual(attempt!.outcome, "ok")
    }).pipe(Effect.provide(simulatorWith({ guilds: 1 })), Effect.withTracer(rec.tracer))
  })
})

describe("tracing: requests and resharding", () => {
  it.scoped("requestGuildMembers: a span in the caller's, with the guild, nonce and what came back", () => {
    const rec = recorder()
    return Effect.gen(function*() {
      const sim = yield* Simulator
      const gateway = yield* Gateway.Gateway
      const [session] = yield* sim.sessions
      const guildId = (session!.log.find((entry) => entry.t === "GUILD_CREATE")!.d as { id: string }).id
      const result = yield* gateway.requestGuildMembers({ guild_id: guildId, query: "", limit: 0, presences: false }).pipe(
        Effect.withSpan("bot.command")
      )
      assert.strictEqual(result.members.length, 1500)
      const nonce = ((yield* sim.takePayload(8)).d as { nonce: string }).nonce
      const [span] = rec.named("discord.gateway.request_guild_members")
      assert.strictEqual(span!.outcome, "ok")
      assert.strictEqual(span!.parentName, "bot.command")
      assert.deepStrictEqual(Object.fromEntries(span!.attributes), {
        "discord.shard.id": 0,
        "discord.shard.count": 1,
        "discord.guild.id": guildId,
        "discord.guild_members.limit": 0,
        "discord.guild_members.presences": false,
        "discord.gateway.nonce": nonce,
        "discord.guild_members.chunks": 2,
        "discord.guild_members.count": 1500,
        "discord.guild_members.not_found": 0,
        "discord.guild_members.undecoded_chunks": 0
      })
    }).pipe(Effect.provide(gatewayOn({ guilds: 1, guildOptions: { members: 1500 } })), Effect.withTracer(rec.tracer))
  })

  it.scoped("requestGuildMembers that times out ends its span with RequestTimeout", () => {
    const rec = recorder()
    return Effect.gen(function*() {
      const gateway = yield* Gateway.Gateway
      yield* gateway.pause
      const fiber = yield* Effect.fork(
        gateway.requestGuildMembers({ guild_id: "1", user_ids: ["2", "3"] }, { timeout: "5 seconds" })
      )
      yield* TestClock.adjust("5 seconds")
      yield* Effect.flip(Fiber.join(fiber))
      const [span] = rec.named("discord.gateway.request_guild_members")
      assert.strictEqual(span!.outcome, "error")
      assert.strictEqual(span!.attr("discord.guild_members.user_ids"), 2)
      assert.strictEqual(span!.attr("discord.guild_members.chunks"), 0)
    }).pipe(Effect.provide(gatewayOn()), Effect.withTracer(rec.tracer))
  })

  const spacing = IdentifyLimiter.IdentifyIntervalMillis + IdentifyLimiter.defaultMarginMillis

  /** Two shards on the simulator in the context (count and URL from its GET /gateway/bot), READY. */
  const twoShardsReady = Effect.gen(function*() {
    const sim = yield* Simulator
    const sharding = yield* Sharding.make({ shards: 2 }).pipe(
      Effect.provide(GatewayConfig.layer({ token, apiBaseUrl: sim.apiBaseUrl, waitForReady: false }))
    )
    yield* sharding.ready
    return { sim, sharding }
  })

  it.scoped("reshard(n): a span in the caller's, with both counts; the new shards' first attempts are its children", () => {
    const rec = recorder()
    return Effect.gen(function*() {
      const { sharding } = yield* twoShardsReady
      const resharding = yield* Effect.fork(sharding.reshard(3).pipe(Effect.withSpan("bot.admin")))
      for (let i = 0; i < 3; i++) yield* TestClock.adjust(spacing)
      yield* Fiber.join(resharding)
      const [span] = rec.named("discord.sharding.reshard")
      assert.strictEqual(span!.outcome, "ok")
      assert.strictEqual(span!.parentName, "bot.admin")
      assert.deepStrictEqual(Object.fromEntries(span!.attributes), {
        "discord.sharding.trigger": "user",
        "discord.sharding.previous_shard_count": 2,
        "discord.shard.count": 3
      })
      const children = rec.named(connect).filter((attempt) => attempt.parent.pipe(Option.getOrUndefined) === span)
      assert.deepStrictEqual(children.map((attempt) => attempt.attr("discord.shard.id")).sort(), [0, 1, 2])
      assert.isTrue(children.every((attempt) => attempt.attr("discord.shard.count") === 3 && attempt.outcome === "ok"))
    }).pipe(
      Effect.provide(defaults),
      Effect.provide(Simulator.layerMemory({ token, maxConcurrency: 4, guilds: 3 })),
      Effect.withTracer(rec.tracer)
    )
  })

  it.scoped("4011: the reshard is a trace of its own, triggered by scaling_required", () => {
    const rec = recorder()
    return Effect.gen(function*() {
      const { sim, sharding } = yield* twoShardsReady
      yield* sim.setRequiredShards(4)
      yield* sim.invalidSession(false)
      for (let i = 0; i < 4; i++) yield* TestClock.adjust(spacing)
      yield* sharding.ready
      assert.strictEqual(yield* sharding.shardCount, 4)
      const [span] = rec.named("discord.sharding.reshard")
      assert.strictEqual(span!.outcome, "ok")
      assert.isTrue(Option.isNone(span!.parent))
      assert.strictEqual(span!.attr("discord.sharding.trigger"), "scaling_required")
      assert.strictEqual(span!.attr("discord.shard.count"), 4)
      // The shard that got 4011 stopped: its reconnect span says so.
      const fatal = rec.named(reconnect).find((decision) => decision.attr("discord.gateway.close_code") === 4011)
      assert.strictEqual(fatal!.outcome, "error")
      assert.strictEqual(fatal!.attr("discord.gateway.decision"), "fatal")
    }).pipe(
      Effect.provide(defaults),
      Effect.provide(Simulator.layerMemory({ token, maxConcurrency: 16, guilds: 8 })),
      Effect.withTracer(rec.tracer)
    )
  })
})
