import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Queue from "effect/Queue"
import * as Runtime from "effect/Runtime"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Gateway from "../src/Gateway.js"
import { DispatchSchemas } from "../src/Events.js"
import type { GatewayEvent } from "../src/GatewayEvent.js"
import { Simulator } from "../src/testing/Simulator.js"
import { gatewayOn } from "./helpers.js"

/**
 * What one fuzz case sends. `raw` frames go through `sim.sendRaw` and must be logged
 * and ignored; `event`s are dispatched by the simulator (so their sequence is right)
 * with data that may break the event's Schema; `backwards` is a dispatch whose
 * sequence was already delivered; `badSequence` is a dispatch whose `s` is not a
 * positive safe integer.
 */
type Case =
  | { readonly kind: "raw"; readonly frame: string | Uint8Array }
  | { readonly kind: "event"; readonly t: string; readonly d: unknown }
  | { readonly kind: "backwards"; readonly back: number; readonly t: string; readonly d: unknown }
  | { readonly kind: "badSequence"; readonly s: string }

const fc = FastCheck

const notAnEnvelope = (value: unknown) =>
  !(typeof value === "object" && value !== null && typeof (value as { op?: unknown }).op === "number")

const nonNumber = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 })
)

// Ops with a meaning the client must act on (0 Dispatch, 1 Heartbeat request, 7 Reconnect,
// 9 Invalid Session, 10 Hello, 11 ACK) are not garbage.
const unknownOp = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).filter((op) => ![0, 1, 7, 9, 10, 11].includes(op)),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((op) => !Number.isInteger(op)),
  fc.constantFrom(1e300, -1e300, 2 ** 53 + 2)
)

const deep = (depth: number, leaf: string) => "[".repeat(depth) + leaf + "]".repeat(depth)

const rawFrames: FastCheck.Arbitrary<Case> = fc.oneof(
  // Random bytes and random text
  fc.uint8Array({ maxLength: 256 }).map((frame): Case => ({ kind: "raw", frame })),
  // (UTF-16 code units, lone surrogates included; fast-check's "binary" strings are slow to generate)
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 })
    .map((units): Case => ({ kind: "raw", frame: String.fromCharCode(...units) })),
  // Valid JSON of the wrong shape
  fc.jsonValue({ maxDepth: 4 }).filter(notAnEnvelope).map((v): Case => ({ kind: "raw", frame: JSON.stringify(v) })),
  // Envelopes with the wrong types: op not a number, or an op nobody knows
  fc.record({ op: nonNumber, d: fc.jsonValue({ maxDepth: 2 }), s: fc.jsonValue({ maxDepth: 1 }), t: fc.jsonValue({ maxDepth: 1 }) })
    .map((v): Case => ({ kind: "raw", frame: JSON.stringify(v) })),
  fc.record({ op: unknownOp, d: fc.jsonValue({ maxDepth: 2 }) })
    .map((v): Case => ({ kind: "raw", frame: JSON.stringify(v) })),
  // Dispatches without a name or a sequence, or with `d` missing and no sequence
  fc.record({ op: fc.constant(0), t: nonNumber, d: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: ["op"] })
    .map((v): Case => ({ kind: "raw", frame: JSON.stringify(v) })),
  fc.record({ op: fc.constant(0), s: nonNumber, t: fc.string({ maxLength: 10 }) }, { requiredKeys: ["op", "s"] })
    .map((v): Case => ({ kind: "raw", frame: JSON.stringify(v) })),
  // Deep nesting, in and out of an envelope
  fc.integer({ min: 1_000, max: 10_000 }).map((depth): Case => ({ kind: "raw", frame: deep(depth, "0") })),
  fc.integer({ min: 1_000, max: 10_000 }).map((depth): Case => ({
    kind: "raw",
    frame: `{"op":42,"d":${deep(depth, "null")}}`
  })),
  // Truncated and padded envelopes
  fc.integer({ min: 1, max: 40 }).map((cut): Case => ({
    kind: "raw",
    frame: JSON.stringify({ op: 0, s: 1, t: "MESSAGE_CREATE", d: { id: "1" } }).slice(0, cut)
  }))
)

const eventNames = Object.keys(DispatchSchemas).filter((name) => name !== "READY" && name !== "RESUMED")

const events: FastCheck.Arbitrary<Case> = fc.oneof(
  // Event data of any shape for a known event: decoded, or DECODE_FAILURE
  fc.record({ t: fc.constantFrom(...eventNames), d: fc.jsonValue({ maxDepth: 3 }) })
    .map(({ d, t }): Case => ({ kind: "event", t, d })),
  // Huge numbers where the Schemas expect ids and counts
  fc.record({
    t: fc.constantFrom(...eventNames),
    d: fc.dictionary(fc.constantFrom("id", "guild_id", "channel_id", "count", "position"), fc.constantFrom(1e308, -1e308, 2 ** 64, -0))
  }).map(({ d, t }): Case => ({ kind: "event", t, d })),
  // Deeply nested data inside an otherwise plausible event
  fc.integer({ min: 100, max: 1_000 }).map((depth): Case => {
    let d: unknown = "leaf"
    for (let i = 0; i < depth; i++) d = { nested: d }
    return { kind: "event", t: "MESSAGE_DELETE", d: { id: "1", channel_id: "2", extra: d } }
  })
)

const backwards: FastCheck.Arbitrary<Case> = fc.record({
  back: fc.integer({ min: 0, max: 50 }),
  t: fc.constantFrom("MESSAGE_CREATE", "READY", "RESUMED", "FUZZ_REPLAY"),
  d: fc.jsonValue({ maxDepth: 2 })
}).map((v): Case => ({ kind: "backwards", ...v }))

// The `s` of a dispatch that is not a positive safe integer. `1e400` parses to Infinity.
const badSequences: FastCheck.Arbitrary<Case> = fc.constantFrom("0", "-1", "-5", "1e400", "1e20", "9007199254740993")
  .map((s): Case => ({ kind: "badSequence", s }))

const readBeforeCorruption = (cases: ReadonlyArray<Case>): ReadonlyArray<Case> => {
  const binary = cases.findIndex((c) => c.kind === "raw" && typeof c.frame !== "string")
  return binary < 0 ? cases : cases.slice(0, binary)
}

interface Harness {
  readonly run: (cases: ReadonlyArray<Case>) => Promise<void>
  readonly connections: () => Promise<number>
}

/**
 * One gateway for thousands of cases: each case sends its frame, then a probe
 * dispatch, and waits (in real time, at most a second) until the probe is delivered.
 */
const harness = (logs: Array<string>, zlib: boolean) =>
  Effect.gen(function*() {
    const sim = yield* Simulator
    const gateway = yield* Gateway.Gateway
    const received = yield* Queue.unbounded<GatewayEvent>()
    const stream = yield* gateway.subscribe
    yield* Effect.forkScoped(Stream.runForEach(stream, (event) => Queue.offer(received, event)))
    let probe = 0
    let lastProbeSequence = 0
    const runtime = yield* Effect.runtime<never>()
    // The first subscriber gets READY and the GUILD_CREATEs first.
    while ((yield* Queue.take(received)).type !== "GUILD_CREATE") continue

    const untilProbe = (sequence: number) =>
      Effect.gen(function*() {
        const between: Array<GatewayEvent> = []
        while (true) {
          const event = yield* Queue.take(received)
          if (event.type === "UNKNOWN_EVENT" && event.name === "FUZZ_PROBE" && event.sequence === sequence) return between
          between.push(event)
        }
      }).pipe(
        Effect.timeoutFail({
          duration: "1 second",
          onTimeout: () =>
            new Error(
              `the probe with s=${sequence} was not delivered: the stream stopped delivering; last log lines: ${
                JSON.stringify(logs.slice(-12))
              }`
            )
        })
      )

    // A batch of cases, then one probe: the events between must be exactly those of the
    // `event` cases, and every other frame must have left a log line with its reason.
    const runBatch = (cases: ReadonlyArray<Case>) =>
      Effect.gen(function*() {
        const logsBefore = logs.length
        const expected: Array<string> = []
        for (const c of cases) {
          switch (c.kind) {
            case "raw":
              yield* sim.sendRaw(c.frame)
              break
            case "event":
              yield* sim.dispatch(c.t, c.d)
              expected.push(c.t)
              break
            case "backwards": {
              const s = Math.max(1, lastProbeSequence - c.back)
              yield* sim.sendRaw(JSON.stringify({ op: 0, s, t: c.t, d: c.d }))
              break
            }
            case "badSequence":
              yield* sim.sendRaw(`{"op":0,"s":${c.s},"t":"FUZZ_BAD_SEQUENCE","d":{}}`)
              break
          }
        }
        const sequence = yield* sim.dispatch("FUZZ_PROBE", { probe: ++probe })
        const between = yield* untilProbe(sequence)
        lastProbeSequence = sequence
        const names = between.map((event) =>
          event.type === "UNKNOWN_EVENT" || event.type === "DECODE_FAILURE" ? event.name : event.type
        ).filter((name) => !zlib || name !== "RESUMED")
        assert.deepStrictEqual(names, expected, "only the dispatched events are published, each once, in order")
        const reasons = logs.slice(logsBefore).filter((line) =>
          /ignored|dropped|not JSON|not a gateway payload|without a name|sequence/.test(line)
        )
        assert.isAtLeast(
          reasons.length,
          // On zlib-stream a binary frame is part of the compressed stream: garbage there
          // corrupts it, which ends the connection (and resumes); frames after it are never read.
          (zlib ? readBeforeCorruption(cases) : cases).length - expected.length,
          `every ignored frame leaves a log line with its reason; got ${JSON.stringify(logs.slice(logsBefore))}`
        )
      })

    return {
      run: (cases: ReadonlyArray<Case>) => Runtime.runPromise(runtime)(runBatch(cases)),
      connections: () => Runtime.runPromise(runtime)(Effect.map(sim.connections, (all) => all.length))
    } satisfies Harness
  })

const capturing = (logs: Array<string>) =>
  Layer.merge(
    Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ logLevel, message }) => {
        // The first part only: rendering a ParseError attached to the line would cost more than the test.
        logs.push(`${logLevel.label} ${String(Array.isArray(message) ? message[0] : message)}`)
      })
    ),
    Logger.minimumLogLevel(LogLevel.All)
  )

const property = (arbitrary: FastCheck.Arbitrary<Case>, numRuns: number, seed: number, zlib = false) => {
  const logs: Array<string> = []
  return Effect.gen(function*() {
    const h = yield* harness(logs, zlib)
    yield* Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(fc.array(arbitrary, { minLength: 1, maxLength: 20 }), (cases) => h.run(cases)),
        { numRuns, seed, endOnFailure: true }
      )
    )
    // Garbage is ignored, never a reason to reconnect (except a corrupted zlib-stream).
    if (!zlib) assert.strictEqual(yield* Effect.promise(h.connections), 1)
  }).pipe(
    // A connection corrupted before its RESUMED counts as a failed attempt: a short
    // backoff keeps the wait for the probe well under its one-second limit.
    Effect.provide(gatewayOn(
      { guilds: 1 },
      zlib ? { compression: "zlib-stream", reconnectSchedule: Schedule.spaced("10 millis") } : {}
    )),
    // Outermost, so the gateway's own fibers log through it too.
    Effect.provide(capturing(logs))
  )
}

describe("inbound fuzzing (in memory): nothing stops the stream, bad frames are logged and ignored", () => {
  it.scopedLive("random bytes, random text, JSON of the wrong shape, envelopes with wrong types, deep nesting", () =>
    property(rawFrames, 100, 42))

  it.scopedLive("event data that breaks the Schemas, huge numbers, deep nesting: decoded or DECODE_FAILURE", () =>
    property(events, 60, 43))

  it.scopedLive("on zlib-stream: text frames are ignored, binary garbage corrupts the stream and the client resumes", () =>
    property(
      fc.oneof(
        rawFrames,
        // Garbage that ends with the Z_SYNC_FLUSH suffix, so it is inflated at once
        fc.uint8Array({ maxLength: 64 }).map((bytes): Case => ({
          kind: "raw",
          frame: Uint8Array.from([...bytes, 0x00, 0x00, 0xff, 0xff])
        }))
      ),
      40,
      46,
      true
    ))

  it.scopedLive("a dispatch whose sequence goes backwards (or repeats) is ignored", () => property(backwards, 50, 44))

  it.scopedLive("a dispatch whose s is not a positive safe integer (0, negative, 1e400, 1e20) is ignored", () =>
    property(badSequences, 20, 45))
})
