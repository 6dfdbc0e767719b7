/**
 * The bench's zlib-stream `--dispatch` workload reconnected once per 20 000 events with "a message
 * decompressed to non-JSON". The cause was the simulator's compressor, not the client's inflater:
 * when a message's Z_SYNC_FLUSH output ends exactly where node:zlib's 16 KiB output buffer ends,
 * node:zlib calls deflate again with the same flush, and zlib (its last flush filled the output)
 * emits a second, empty sync flush, `00 00 00 ff ff`. The simulator cut messages wherever the output
 * ended with `00 00 ff ff`, so it sent those five bytes as the next message's frame (an empty
 * message) and every later frame one message late.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Zlib from "node:zlib"
import * as Intents from "../../src/Intents.js"
import * as Fixtures from "../../src/testing/fixtures.js"
import { makeMemory, memoryUrl } from "../../src/testing/Simulator.js"

/** node:zlib's output buffer (`chunkSize`), which the simulator's deflate stream keeps at its default. */
const outputBuffer = Zlib.constants.Z_DEFAULT_CHUNK

interface Received {
  readonly op: number
  readonly s: number | null
  readonly t: string | null
  readonly d: unknown
}

/** The client's side, independent of the package's own inflater: node:zlib's stream, one flush per frame. */
const referenceInflater = () => {
  const inflate = Zlib.createInflate()
  return (frame: Uint8Array): Promise<string> =>
    new Promise((resolve, reject) => {
      const out: Array<Buffer> = []
      const onData = (data: Buffer) => out.push(data)
      inflate.on("data", onData)
      inflate.once("error", reject)
      inflate.write(frame)
      inflate.flush(Zlib.constants.Z_SYNC_FLUSH, () => {
        inflate.off("data", onData)
        inflate.off("error", reject)
        resolve(Buffer.concat(out).toString("utf8"))
      })
    })
}

/** Letters and digits from a seeded PRNG (mulberry32): text that deflate shrinks by only about a quarter. */
const noise = (seed: number, length: number): string => {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
  let state = seed
  let out = ""
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    out += alphabet[((t ^ (t >>> 14)) >>> 0) % alphabet.length]
  }
  return out
}

const endsWithTwoSyncFlushes = (frame: Uint8Array): boolean => {
  const tail = Buffer.from(frame.subarray(-9)).toString("hex")
  return frame.length >= 9 && tail === "0000ffff000000ffff"
}

describe("Simulator zlib-stream framing", () => {
  it.scoped("sends one frame per message when a message's flush fills node:zlib's output buffer", () =>
    Effect.gen(function*() {
      const { shape: sim, webSocketConstructor } = yield* makeMemory({ guilds: 1 })
      const ws = webSocketConstructor(`${memoryUrl}?v=10&encoding=json&compress=zlib-stream`)
      const frames = yield* Queue.unbounded<Uint8Array>()
      ws.addEventListener("message", (event) => Queue.unsafeOffer(frames, event.data as Uint8Array))
      const inflate = referenceInflater()
      // Compressed bytes received so far: node:zlib fills its output buffer from offset 0 of the stream
      let total = 0
      const read = Effect.gen(function*() {
        const frame = yield* Queue.take(frames)
        total += frame.length
        const text = yield* Effect.promise(() => inflate(frame))
        assert.notStrictEqual(text, "", `a frame of ${frame.length} bytes (${Buffer.from(frame).toString("hex")}) is an empty message`)
        return { frame, payload: JSON.parse(text) as Received }
      })
      assert.strictEqual((yield* read).payload.op, 10)
      ws.send(JSON.stringify({
        op: 2,
        d: { token: "test-token", intents: Intents.nonPrivileged, properties: { os: "linux", browser: "t", device: "t" } }
      }))
      assert.strictEqual((yield* read).payload.t, "READY")
      assert.strictEqual((yield* read).payload.t, "GUILD_CREATE")

      const message = (content: string) =>
        Fixtures.messageCreate({ id: Fixtures.snowflake(1_000), channelId: Fixtures.snowflake(900), content })
      // Reads the frame of a message dispatched as `s`: the next frame must carry it, whole
      const receive = (s: number, content: string) =>
        Effect.gen(function*() {
          const before = total
          const { frame, payload } = yield* read
          assert.deepStrictEqual([payload.t, payload.s], ["MESSAGE_CREATE", s], "each frame carries the next message")
          assert.strictEqual((payload.d as { content: string }).content, content)
          return { bytes: total - before, frame }
        })
      const send = (content: string) =>
        Effect.flatMap(sim.dispatch("MESSAGE_CREATE", message(content)), (s) => receive(s, content))

      // Learn how many compressed bytes a character of noise and a message's envelope cost (the
      // first message's envelope is new to the deflate window; the later ones' are mostly back-references)
      yield* send("warm-up")
      const a = yield* send(noise(1, 400))
      const b = yield* send(noise(2, 1400))
      const perChar = (b.bytes - a.bytes) / 1000
      const envelope = a.bytes - 400 * perChar
      let hits = 0
      for (let attempt = 0; attempt < 400 && hits < 3; attempt++) {
        let left = outputBuffer - (total % outputBuffer)
        // Too close to aim at: fill up to the next buffer
        if (left < envelope + 40) {
          yield* send(noise(1_000 + attempt, Math.ceil(left / perChar) + 50))
          left = outputBuffer - (total % outputBuffer)
        }
        // Far away: fill until a short message is left to aim with
        if (left > envelope + 400) {
          yield* send(noise(2_000 + attempt, Math.max(1, Math.floor((left - envelope - 200) / perChar))))
          left = outputBuffer - (total % outputBuffer)
        }
        // Aim a message at the end of the buffer, with the next one already queued behind it, as in a
        // blast of dispatches: the simulator compresses the next message as soon as the aimed one is out
        const aimedContent = noise(3_000 + attempt, Math.max(1, Math.round((left - envelope) / perChar)))
        const nextContent = noise(4_000 + attempt, 50)
        const aimedS = yield* sim.dispatch("MESSAGE_CREATE", message(aimedContent))
        const nextS = yield* sim.dispatch("MESSAGE_CREATE", message(nextContent))
        const aimed = yield* receive(aimedS, aimedContent)
        // A hit: the aimed message's own output ended on the buffer's end. Its frame then ends there, or
        // carries the empty flush that node:zlib asks zlib for next when the simulator waits for it.
        if (total % outputBuffer === 0 || (endsWithTwoSyncFlushes(aimed.frame) && (total - 5) % outputBuffer === 0)) {
          hits++
        }
        yield* receive(nextS, nextContent)
      }
      assert.isAtLeast(hits, 1, "no message's flush ended exactly at the end of node:zlib's output buffer")
    }), 60_000)
})
