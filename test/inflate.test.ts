import { assert, describe, expect, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import * as zlib from "node:zlib"
import * as Inflate from "../src/internal/inflate.js"

/** Compresses `texts` the way Discord does: one zlib context, a Z_SYNC_FLUSH after each message. */
const compress = async (texts: ReadonlyArray<string>): Promise<Array<Buffer>> => {
  const deflate = zlib.createDeflate()
  let chunks: Array<Buffer> = []
  deflate.on("data", (chunk: Buffer) => chunks.push(chunk))
  const frames: Array<Buffer> = []
  for (const text of texts) {
    deflate.write(text)
    await new Promise<void>((resolve) => deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()))
    frames.push(Buffer.concat(chunks))
    chunks = []
  }
  deflate.close()
  return frames
}

const payload = (i: number): string =>
  JSON.stringify({ op: 0, s: i + 1, t: "MESSAGE_CREATE", d: { id: String(1_000_000 + i), content: `message ${i} ✓ é 🎉` } })

interface Collector {
  readonly inflater: Inflate.Inflater
  readonly messages: Array<string>
  readonly errors: Array<string>
  /** Resolves once `count` messages (or an error) came out; the async implementation needs time. */
  readonly settled: (count: number) => Promise<void>
}

const collect = (mode: "auto" | "async", maxMessageBytes?: number): Collector => {
  const messages: Array<string> = []
  const errors: Array<string> = []
  const inflater = Inflate.make({
    mode,
    maxMessageBytes,
    onMessage: (text) => messages.push(text),
    onError: (reason) => errors.push(reason)
  })
  const settled = async (count: number) => {
    const deadline = Date.now() + 5_000
    while (messages.length < count && errors.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
  }
  return { inflater, messages, errors, settled }
}

/** Lets an async inflater finish anything in flight, so "nothing more came out" means something. */
const quiesce = () => new Promise((resolve) => setTimeout(resolve, 20))

describe("Inflate implementation choice", () => {
  it("uses the native handle on this Node version", () => {
    const { inflater } = collect("auto")
    // If this fails, the suite below only covers the fallback: check nativeHandle against this Node's zlib
    assert.strictEqual(inflater.mode, "sync")
    inflater.close()
  })

  it("falls back when the stream has no native handle", () => {
    const stream = zlib.createInflate()
    stream.close() // node:zlib drops `_handle` on close
    assert.strictEqual(Inflate.nativeHandle(stream), undefined)
    const { inflater } = collect("async")
    assert.strictEqual(inflater.mode, "async")
    inflater.close()
  })
})

describe.each(["auto", "async"] as const)("Inflate (%s)", (mode) => {
  it("inflates many messages on one context, in order", async () => {
    const texts = Array.from({ length: 300 }, (_, i) => payload(i))
    const frames = await compress(texts)
    const c = collect(mode)
    for (const frame of frames) c.inflater.push(frame)
    await c.settled(texts.length)
    assert.deepStrictEqual(c.errors, [])
    assert.deepStrictEqual(c.messages, texts)
    c.inflater.close()
  })

  it("reassembles a message split across 2..N frames at any points, including empty frames", async () => {
    const texts = Array.from({ length: 12 }, (_, i) => payload(i).repeat(1 + (i % 4)))
    const frames = await compress(texts)
    // For each frame, cut points as fractions of its length (equal cuts make empty frames)
    const cuts = FastCheck.array(FastCheck.array(FastCheck.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }), {
      minLength: frames.length,
      maxLength: frames.length
    })
    await FastCheck.assert(
      FastCheck.asyncProperty(cuts, async (perFrame) => {
        const c = collect(mode)
        frames.forEach((frame, i) => {
          const points = perFrame[i]!.map((x) => Math.floor(x * frame.length)).sort((a, b) => a - b)
          let start = 0
          for (const point of points) {
            c.inflater.push(frame.subarray(start, point))
            start = point
          }
          c.inflater.push(frame.subarray(start))
        })
        await c.settled(texts.length)
        c.inflater.close()
        assert.deepStrictEqual(c.errors, [])
        assert.deepStrictEqual(c.messages, texts)
      }),
      { seed: 8, numRuns: mode === "auto" ? 200 : 40 }
    )
  })

  it("inflates a message many times larger than the output buffer, multi-byte characters across chunks", async () => {
    // ~5 MB; the varying numbers keep it from compressing to nothing
    const big = JSON.stringify({
      op: 0,
      d: Array.from({ length: 280_000 }, (_, i) => `é${i * 7919}🎉`)
    })
    assert.isAbove(Buffer.byteLength(big), 4 * 1024 * 1024)
    const texts = [payload(0), big, payload(1)]
    const frames = await compress(texts)
    const c = collect(mode)
    // The big one in a few frames, as Discord would send it
    c.inflater.push(frames[0]!)
    const third = Math.floor(frames[1]!.length / 3)
    c.inflater.push(frames[1]!.subarray(0, third))
    c.inflater.push(frames[1]!.subarray(third, 2 * third))
    c.inflater.push(frames[1]!.subarray(2 * third))
    c.inflater.push(frames[2]!)
    await c.settled(3)
    assert.deepStrictEqual(c.errors, [])
    assert.strictEqual(c.messages.length, 3)
    assert.isTrue(c.messages[1] === big, "the big message comes out intact")
    assert.deepStrictEqual([c.messages[0], c.messages[2]], [texts[0], texts[2]])
    c.inflater.close()
  })

  it("reports a corrupt stream once, without throwing, and ignores what follows", async () => {
    const frames = await compress([payload(0), payload(1)])
    const c = collect(mode)
    c.inflater.push(frames[0]!)
    await c.settled(1)
    // 0xff starts a block of the reserved type 3: invalid in any deflate stream
    expect(() => c.inflater.push(Uint8Array.of(0xff, 0xff, 0xff, 0x00, 0x00, 0xff, 0xff))).not.toThrow()
    expect(() => c.inflater.push(frames[1]!)).not.toThrow()
    await c.settled(2)
    await quiesce()
    assert.deepStrictEqual(c.messages, [payload(0)])
    assert.strictEqual(c.errors.length, 1)
    expect(c.errors[0]).toMatch(/invalid block type/i)
    c.inflater.close()
  })

  it("reports a stream that does not start with a zlib header", async () => {
    const c = collect(mode)
    c.inflater.push(Buffer.from("{\"op\":10}\u0000\u0000\u00ff\u00ff", "latin1"))
    await c.settled(1)
    await quiesce()
    assert.deepStrictEqual(c.messages, [])
    assert.strictEqual(c.errors.length, 1)
    c.inflater.close()
  })

  it("rejects a message larger than maxMessageBytes, and accepts one at the limit", async () => {
    const atLimit = JSON.stringify({ op: 0, d: "x".repeat(4_000) })
    const over = JSON.stringify({ op: 0, d: "y".repeat(4_001) })
    const frames = await compress([atLimit, over, payload(2)])
    const c = collect(mode, Buffer.byteLength(atLimit))
    for (const frame of frames) c.inflater.push(frame)
    await c.settled(2)
    await quiesce()
    assert.deepStrictEqual(c.messages, [atLimit])
    assert.strictEqual(c.errors.length, 1)
    expect(c.errors[0]).toContain(`exceeds the limit of ${Buffer.byteLength(atLimit)} bytes`)
    c.inflater.close()
  })

  it("stops a decompression bomb at the limit", async () => {
    // 32 MB of one byte compresses to ~32 KB; the limit is 1 MiB
    const [frame] = await compress(["a".repeat(32 * 1024 * 1024)])
    const c = collect(mode, 1024 * 1024)
    c.inflater.push(frame!)
    await c.settled(1)
    await quiesce()
    assert.deepStrictEqual(c.messages, [])
    assert.strictEqual(c.errors.length, 1)
    c.inflater.close()
  })

  it("waits for the suffix: partial frames give nothing, a suffix cut across frames completes the message", async () => {
    const [frame] = await compress([payload(7)])
    const c = collect(mode)
    c.inflater.push(new Uint8Array(0))
    c.inflater.push(frame!.subarray(0, frame!.length - 2)) // ends with 00 00
    await quiesce()
    assert.deepStrictEqual(c.messages, [])
    c.inflater.push(frame!.subarray(frame!.length - 2, frame!.length - 1))
    await quiesce()
    assert.deepStrictEqual(c.messages, [])
    c.inflater.push(frame!.subarray(frame!.length - 1))
    await c.settled(1)
    assert.deepStrictEqual(c.messages, [payload(7)])
    assert.deepStrictEqual(c.errors, [])
    c.inflater.close()
  })

  it("ignores input after close", async () => {
    const frames = await compress([payload(0), payload(1)])
    const c = collect(mode)
    c.inflater.push(frames[0]!)
    await c.settled(1)
    c.inflater.close()
    expect(() => c.inflater.push(frames[1]!)).not.toThrow()
    expect(() => c.inflater.close()).not.toThrow()
    await quiesce()
    assert.deepStrictEqual(c.messages, [payload(0)])
    assert.deepStrictEqual(c.errors, [])
  })

  it("keeps interleaved connections apart", async () => {
    const a = Array.from({ length: 20 }, (_, i) => payload(i))
    const b = Array.from({ length: 20 }, (_, i) => payload(100 + i).repeat(3))
    const [framesA, framesB] = await Promise.all([compress(a), compress(b)])
    const ca = collect(mode)
    const cb = collect(mode)
    for (let i = 0; i < a.length; i++) {
      // Half of a message on one connection, then a whole one on the other, then the rest
      const half = Math.floor(framesA[i]!.length / 2)
      ca.inflater.push(framesA[i]!.subarray(0, half))
      cb.inflater.push(framesB[i]!)
      ca.inflater.push(framesA[i]!.subarray(half))
    }
    await Promise.all([ca.settled(a.length), cb.settled(b.length)])
    assert.deepStrictEqual(ca.messages, a)
    assert.deepStrictEqual(cb.messages, b)
    ca.inflater.close()
    cb.inflater.close()
  })
})

describe("endsWithSuffix", () => {
  it("recognizes the Z_SYNC_FLUSH suffix and nothing shorter", () => {
    assert.isTrue(Inflate.endsWithSuffix(Uint8Array.of(1, 0, 0, 0xff, 0xff)))
    assert.isFalse(Inflate.endsWithSuffix(Uint8Array.of(0, 0xff, 0xff)))
    assert.isFalse(Inflate.endsWithSuffix(Uint8Array.of(0, 0, 0xff, 0xfe)))
  })
})
