import { assert, describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as fs from "node:fs"
import * as zlib from "node:zlib"
import * as Etf from "../src/internal/etf.js"
import * as Zstd from "../src/internal/zstd.js"
import * as Messages from "./fixtures/zstd/messages.js"

/** Frames of a fixture in test/fixtures/zstd (written by generate.ts with a Node that has zstd). */
const frames = (name: string): Array<Uint8Array> => {
  const file = new URL(`./fixtures/zstd/${name}`, import.meta.url)
  const fixture = JSON.parse(fs.readFileSync(file, "utf8")) as { readonly frames: ReadonlyArray<string> }
  return fixture.frames.map((b) => new Uint8Array(Buffer.from(b, "base64")))
}

interface Collector {
  readonly decompressor: Zstd.Decompressor
  readonly messages: Array<string>
  readonly errors: Array<string>
}

const collect = (mode: "native" | "fzstd", options?: Partial<Zstd.Options>): Collector => {
  const messages: Array<string> = []
  const errors: Array<string> = []
  const decompressor = Zstd.make({
    mode,
    onMessage: (text) => messages.push(text),
    onError: (reason) => errors.push(reason),
    ...options
  })
  return { decompressor, messages, errors }
}

const hasNativeZstd = typeof (zlib as unknown as { createZstdDecompress?: unknown }).createZstdDecompress === "function"
const modes: Array<"native" | "fzstd"> = hasNativeZstd ? ["native", "fzstd"] : ["fzstd"]

describe("Zstd implementation choice", () => {
  it("uses node:zlib's handle when this Node has zstd, fzstd otherwise", () => {
    const { decompressor } = collect(hasNativeZstd ? "native" : "fzstd")
    assert.strictEqual(Zstd.make({ onMessage: () => {}, onError: () => {} }).mode, hasNativeZstd ? "native" : "fzstd")
    assert.strictEqual(Zstd.nativeAvailable(), hasNativeZstd)
    decompressor.close()
  })

  it.skipIf(hasNativeZstd)("refuses mode native on a Node without zstd", () => {
    assert.throws(() => Zstd.make({ mode: "native", onMessage: () => {}, onError: () => {} }), /no usable zstd/)
  })
})

describe("Zstd frame header check", () => {
  it("reads the window a frame asks for", () => {
    // windowLog 20 without single segment: window descriptor (20 - 10) << 3
    assert.strictEqual(Zstd.frameWindow(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x00, 10 << 3])), 2 ** 20)
    assert.strictEqual(Zstd.frameWindow(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x00, (10 << 3) | 4])), 2 ** 20 * 1.5)
    assert.strictEqual(Zstd.frameWindow(new Uint8Array([0x28, 0xb5, 0x2f])), undefined)
    assert.match(String(Zstd.frameWindow(new Uint8Array([1, 2, 3, 4, 5, 6]))), /bad magic/)
    for (const frame of [frames("stream.json")[0]!, frames("large.json")[0]!]) {
      const window = Zstd.frameWindow(frame)
      assert.isTrue(typeof window === "number" && window >= 2 ** 20 && window <= 2 ** 23)
    }
  })
})

describe.each(modes)("Zstd (%s)", (mode) => {
  it("decompresses many messages on one context, in order, one per frame", () => {
    const c = collect(mode)
    for (const frame of frames("stream.json")) c.decompressor.push(frame)
    assert.deepStrictEqual(c.errors, [])
    assert.deepStrictEqual(c.messages, Messages.stream())
    c.decompressor.close()
  })

  it("a message split inside a block comes out whole with the frame that completes it", () => {
    const c = collect(mode)
    const [first, second, ...rest] = frames("stream.json")
    // The first frame holds the frame header and one block: cut it in 3, the second in 2
    c.decompressor.push(first!.subarray(0, 3))
    c.decompressor.push(first!.subarray(3, 9))
    c.decompressor.push(first!.subarray(9))
    c.decompressor.push(second!.subarray(0, 2))
    assert.strictEqual(c.messages.length, 1)
    c.decompressor.push(second!.subarray(2))
    for (const frame of rest) c.decompressor.push(frame)
    assert.deepStrictEqual(c.errors, [])
    assert.deepStrictEqual(c.messages, Messages.stream())
  })

  it("a message of 5 MB comes out whole", () => {
    const c = collect(mode)
    for (const frame of frames("large.json")) c.decompressor.push(frame)
    assert.deepStrictEqual(c.errors, [])
    assert.strictEqual(c.messages.length, 3)
    assert.strictEqual(c.messages[1], Messages.huge())
    assert.deepStrictEqual([c.messages[0], c.messages[2]], [Messages.payload(0), Messages.payload(1)])
  })

  it("hands ETF messages over as bytes that decode to the payloads", () => {
    const decoded: Array<unknown> = []
    const errors: Array<string> = []
    const decompressor = Zstd.make({
      mode,
      onBytes: (bytes) => decoded.push(Either.getOrThrow(Etf.decode(bytes))),
      onError: (reason) => errors.push(reason)
    })
    for (const frame of frames("etf.json")) decompressor.push(frame)
    assert.deepStrictEqual(errors, [])
    const expected = JSON.parse(JSON.stringify(Messages.etfPayloads(), (_, v) => typeof v === "bigint" ? String(v) : v))
    assert.deepStrictEqual(decoded, expected)
  })

  it("a message over maxMessageBytes is reported once, and input is ignored after", () => {
    const c = collect(mode, { maxMessageBytes: 100_000 })
    const all = frames("stream.json")
    for (const frame of all) c.decompressor.push(frame)
    assert.strictEqual(c.messages.length, 40)
    assert.strictEqual(c.errors.length, 1)
    assert.match(c.errors[0]!, /exceeds the limit of 100000 bytes/)
    c.decompressor.push(all[0]!)
    assert.strictEqual(c.errors.length, 1)
    assert.strictEqual(c.messages.length, 40)
  })

  it("garbage is reported once through onError", () => {
    const c = collect(mode)
    c.decompressor.push(new Uint8Array(Buffer.from("this is not zstd at all, just text")))
    c.decompressor.push(frames("stream.json")[0]!)
    assert.strictEqual(c.errors.length, 1)
    assert.deepStrictEqual(c.messages, [])
  })

  it("garbage after valid messages is reported once, without emitting it", () => {
    const c = collect(mode)
    const all = frames("stream.json")
    c.decompressor.push(all[0]!)
    c.decompressor.push(all[1]!)
    // A block header of a reserved block type (3), then noise
    c.decompressor.push(new Uint8Array([0x07, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7]))
    c.decompressor.push(all[2]!)
    assert.strictEqual(c.errors.length, 1)
    assert.deepStrictEqual(c.messages, [Messages.payload(0), Messages.payload(1)])
  })

  it("a frame header asking for a window over the limit is refused", () => {
    // windowLog 31: 2 GiB
    const header = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x00, 21 << 3, 0x01, 0x00, 0x00])
    const c = collect(mode)
    c.decompressor.push(header)
    assert.strictEqual(c.errors.length, 1)
    const limited = collect(mode, { maxWindowBytes: 2 ** 19 })
    limited.decompressor.push(frames("stream.json")[0]!)
    assert.strictEqual(limited.errors.length, 1)
    assert.deepStrictEqual(limited.messages, [])
  })

  it.prop("random bytes are reported once or held, never thrown", [FastCheck.uint8Array({ maxLength: 64 })], ([bytes]) => {
    const c = collect(mode)
    c.decompressor.push(bytes)
    c.decompressor.push(bytes)
    assert.isAtMost(c.errors.length, 1)
    c.decompressor.close()
  }, { fastCheck: { numRuns: 300 } })

  it("close stops the decompressor", () => {
    const c = collect(mode)
    c.decompressor.close()
    c.decompressor.push(frames("stream.json")[0]!)
    c.decompressor.close()
    assert.deepStrictEqual(c.messages, [])
    assert.deepStrictEqual(c.errors, [])
  })
})

interface ZstdZlib {
  readonly createZstdCompress: (options?: { params?: Record<number, number> }) => zlib.Deflate
  readonly constants: Record<string, number>
}

/** One zstd stream flushed after every message, as Discord sends (needs node:zlib's zstd). */
const compress = async (texts: ReadonlyArray<string>, windowLog: number): Promise<Array<Uint8Array>> => {
  const z = zlib as unknown as ZstdZlib
  const c = z.constants
  const stream = z.createZstdCompress({ params: { [c.ZSTD_c_windowLog!]: windowLog } })
  let chunks: Array<Buffer> = []
  stream.on("data", (chunk: Buffer) => chunks.push(chunk))
  const out: Array<Uint8Array> = []
  for (const text of texts) {
    stream.write(text)
    await new Promise<void>((resolve) => stream.flush(c.ZSTD_e_flush!, () => resolve()))
    out.push(new Uint8Array(Buffer.concat(chunks)))
    chunks = []
  }
  stream.close()
  return out
}

describe.skipIf(!hasNativeZstd)("Zstd: native and fzstd agree", () => {
  it("on the fixtures", () => {
    for (const name of ["stream.json", "large.json"]) {
      const native = collect("native")
      const js = collect("fzstd")
      for (const frame of frames(name)) {
        native.decompressor.push(frame)
        js.decompressor.push(frame)
      }
      assert.deepStrictEqual(native.errors, [])
      assert.deepStrictEqual(js.errors, [])
      assert.deepStrictEqual(native.messages, js.messages)
    }
  })

  it("on fresh streams of random messages", async () => {
    await FastCheck.assert(
      FastCheck.asyncProperty(
        FastCheck.array(FastCheck.fullUnicodeString({ minLength: 1, maxLength: 3000 }), { minLength: 1, maxLength: 30 }),
        FastCheck.integer({ min: 10, max: 22 }),
        async (random, windowLog) => {
          // The first message is Hello-sized, as Discord's is: fzstd needs 18 bytes to read the frame header
          const texts = [Messages.payload(0), ...random]
          const compressed = await compress(texts, windowLog)
          const native = collect("native")
          const js = collect("fzstd")
          for (const frame of compressed) {
            native.decompressor.push(frame)
            js.decompressor.push(frame)
          }
          expect(native.errors).toStrictEqual([])
          expect(js.errors).toStrictEqual([])
          expect(native.messages).toStrictEqual(texts)
          expect(js.messages).toStrictEqual(texts)
        }
      ),
      { numRuns: 40 }
    )
  })
})
