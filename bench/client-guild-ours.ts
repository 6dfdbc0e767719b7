/**
 * Guild workload, ours: the Gateway over a real localhost socket, `decode` from `BENCH_DECODE`
 * (`"full"`: GUILD_CREATE checked against its Schema; `"none"`: it arrives as UNKNOWN_EVENT with its
 * raw data). Reports each delivery of the big GUILD_CREATE; any DECODE_FAILURE fails the run.
 *
 * ACK latency: the library's `discord_gateway_heartbeat_latency_ms` histogram (shard 0), which the
 * socket reader updates on every ACK, is read every 5 ms after READY; each new ACK's round trip is the
 * growth of its sum (two ACKs within 5 ms, impossible at a 250 ms interval, would be averaged).
 *
 * At the end (full decode only), the in-process cost of the same payload, measured apart from the
 * socket: `JSON.parse` of its frame's `d` text, then the library's `toEvent` (what the reader calls
 * on every dispatch: the Schema check in place) on that fresh parsed copy, repeated.
 */
import { NodeHttpClient, NodeSocket } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Gateway from "../src/Gateway.js"
import * as GatewayConfig from "../src/GatewayConfig.js"
import * as GatewayMetrics from "../src/GatewayMetrics.js"
import * as Dispatch from "../src/internal/dispatch.js"
import { decodeEnv, oursLabel } from "./common.js"
import { ackStats, bigGuild, failGuild, GuildMeter, guildEnv } from "./guild-common.js"
import * as SessionStore from "../src/SessionStore.js"
import * as IdentifyLimiter from "../src/IdentifyLimiter.js"

const { members, token, url } = guildEnv()
const decode = decodeEnv()
const latencies: Array<number> = []
const repetitions = 7

const inProcess = (): { readonly parseMs: Array<number>; readonly validateMs: Array<number> } => {
  const text = JSON.stringify(bigGuild(members))
  const parseMs: Array<number> = []
  const validateMs: Array<number> = []
  for (let i = 0; i < repetitions; i++) {
    const t0 = performance.now()
    const parsed: unknown = JSON.parse(text)
    const t1 = performance.now()
    const event = Dispatch.toEvent("GUILD_CREATE", 0, i + 1, parsed)
    const t2 = performance.now()
    if (event.type !== "GUILD_CREATE") failGuild(`toEvent gave ${event.type} for the big guild`)
    parseMs.push(t1 - t0)
    validateMs.push(t2 - t1)
  }
  return { parseMs, validateMs }
}

const meter = new GuildMeter(oursLabel(decode), () =>
  Promise.resolve({
    ack: ackStats(latencies, "heartbeat latency histogram read every 5 ms"),
    ...(decode === "full" ? inProcess() : {})
  }))

const program = Effect.gen(function*() {
  const gateway = yield* Gateway.make // waits for READY
  const events = yield* gateway.subscribe
  meter.ready()
  const histogram = Metric.value(Metric.tagged(GatewayMetrics.heartbeatLatency, "shard", "0"))
  let last = yield* histogram
  yield* Effect.forkScoped(
    histogram.pipe(
      Effect.tap((state) =>
        Effect.sync(() => {
          const acks = state.count - last.count
          for (let i = 0; i < acks; i++) latencies.push((state.sum - last.sum) / acks)
          last = state
        })
      ),
      Effect.repeat(Schedule.spaced("5 millis"))
    )
  )
  yield* events.pipe(
    Stream.runForEach((event) =>
      Effect.sync(() => {
        if (event.type === "GUILD_CREATE") meter.guildCreate(event.data)
        else if (event.type === "UNKNOWN_EVENT" && event.name === "GUILD_CREATE") meter.guildCreate(event.data)
        else if (event.type === "DECODE_FAILURE") {
          failGuild(`a dispatch failed its Schema: ${JSON.stringify(event).slice(0, 2000)}`)
        }
      })
    )
  )
})

Effect.runPromise(
  program.pipe(
    Effect.scoped,
    Effect.provide(GatewayConfig.layer({ token, gatewayUrl: url, decode })),
    Effect.provide(NodeSocket.layerWebSocketConstructor),
    Effect.provide(Layer.mergeAll(NodeHttpClient.layerUndici, SessionStore.layerMemory, IdentifyLimiter.layerMemory()))
  )
).then(
  () => failGuild("the event stream ended"),
  (error: unknown) => failGuild(String(error))
)
