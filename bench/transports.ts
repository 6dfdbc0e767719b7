/**
 * Micro-benchmark of `src/internal/etf.ts` and `src/internal/zstd.ts`: CPU per message of ETF
 * decoding (against JSON.parse of the same payload) and of zstd-stream decompression (each
 * implementation available on this Node), in this process (no sockets). The numbers behind
 * those modules' choices.
 *
 * Usage: npx tsx bench/transports.ts [etf|zstd] [--n N]
 * On a Node with zstd in node:zlib (>= 22.15) the zstd streams are made here, one stream of N
 * messages per windowLog; elsewhere the committed test/fixtures/zstd/bench-w*.json streams (256
 * messages, a new context every 256) are replayed and only fzstd runs. Results of the runs
 * behind the modules are in the headers of src/internal/etf.ts and src/internal/zstd.ts.
 */
import * as Either from "effect/Either"
import * as fs from "node:fs"
import * as zlib from "node:zlib"
import * as Etf from "../src/internal/etf.js"
import { asDiscordSendsEtf } from "../src/testing/internal/engine.js"
import * as Zstd from "../src/internal/zstd.js"
import * as Messages from "../test/fixtures/zstd/messages.js"

const argv = process.argv.slice(2)
const which = argv.find((a) => a === "etf" || a === "zstd")
const n = Number(argv[argv.indexOf("--n") + 1] ?? 20_000) || 20_000

const texts = Messages.bench()
const payloads = texts.map((t) => JSON.parse(t) as unknown)
const avg = (xs: ReadonlyArray<{ length: number }>) => Math.round(xs.reduce((s, x) => s + x.length, 0) / xs.length)

const cpu = (f: () => void): number => {
  const start = process.cpuUsage()
  f()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / n
}

const benchEtf = () => {
  const etf = payloads.map((p) => Either.getOrThrow(Etf.encode(asDiscordSendsEtf(p))))
  const utf8 = texts.map((t) => new TextEncoder().encode(t))
  const decoder = new TextDecoder()
  for (let i = 0; i < etf.length; i++) {
    const decoded = Either.getOrThrow(Etf.decode(etf[i]!))
    if (JSON.stringify(decoded) !== texts[i]) throw new Error(`ETF round trip differs at ${i}`)
  }
  console.log(`MESSAGE_CREATE: ${avg(texts)} bytes JSON, ${avg(etf)} bytes ETF; n=${n}`)
  for (let round = 0; round < 3; round++) {
    const json = cpu(() => {
      for (let i = 0; i < n; i++) JSON.parse(decoder.decode(utf8[i % utf8.length]!))
    })
    const dec = cpu(() => {
      for (let i = 0; i < n; i++) Etf.decode(etf[i % etf.length]!)
    })
    const enc = cpu(() => {
      for (let i = 0; i < n; i++) Etf.encode(payloads[i % payloads.length]!)
    })
    const stringify = cpu(() => {
      for (let i = 0; i < n; i++) JSON.stringify(payloads[i % payloads.length]!)
    })
    console.log(
      `round ${round}: JSON.parse(TextDecoder) ${json.toFixed(2)} µs, Etf.decode ${dec.toFixed(2)} µs,` +
        ` Etf.encode ${enc.toFixed(2)} µs, JSON.stringify ${stringify.toFixed(2)} µs per message`
    )
  }
  const hostile = new Uint8Array([131, 108, 0xff, 0xff, 0xff, 0xff])
  const t0 = performance.now()
  for (let i = 0; i < 1000; i++) Etf.decode(hostile)
  console.log(`a list claiming 2^32-1 elements: ${((performance.now() - t0)).toFixed(3)} µs per decode (1000 runs, ms total = µs each)`)
}

// ---------------------------------------------------------------------------

interface ZstdFixture {
  readonly windowLog: number
  readonly texts: ReadonlyArray<string>
  readonly frames: ReadonlyArray<Uint8Array>
}

/** One zstd context for the whole sequence, a ZSTD_e_flush after each message (as Discord sends). */
const compressNative = async (msgs: ReadonlyArray<string>, windowLog: number): Promise<Array<Uint8Array>> => {
  const z = zlib as unknown as {
    createZstdCompress: (o: unknown) => zlib.Deflate
    constants: Record<string, number>
  }
  const c = z.constants
  const stream = z.createZstdCompress({
    params: { [c.ZSTD_c_compressionLevel!]: 6, [c.ZSTD_c_windowLog!]: windowLog }
  })
  let chunks: Array<Buffer> = []
  stream.on("data", (chunk: Buffer) => chunks.push(chunk))
  const frames: Array<Uint8Array> = []
  for (const m of msgs) {
    stream.write(m)
    await new Promise<void>((resolve) => stream.flush(c.ZSTD_e_flush!, () => resolve()))
    frames.push(new Uint8Array(Buffer.concat(chunks)))
    chunks = []
  }
  stream.close()
  return frames
}

const benchZstd = async () => {
  const hasNative = typeof (zlib as unknown as { createZstdCompress?: unknown }).createZstdCompress === "function"
  const fixtures: Array<ZstdFixture> = []
  if (hasNative) {
    // One stream of n messages: one context setup, then steady state
    const all = Array.from({ length: n }, (_, i) => texts[i % texts.length]!)
    for (const windowLog of [18, 20, 22, 24, 27]) {
      fixtures.push({ windowLog, texts: all, frames: await compressNative(all, windowLog) })
    }
  } else {
    for (const windowLog of [18, 22]) {
      const file = new URL(`../test/fixtures/zstd/bench-w${windowLog}.json`, import.meta.url)
      const f = JSON.parse(fs.readFileSync(file, "utf8")) as { frames: Array<string> }
      fixtures.push({ windowLog, texts, frames: f.frames.map((b) => new Uint8Array(Buffer.from(b, "base64"))) })
    }
  }
  const modes = (hasNative ? ["native", "fzstd"] : ["fzstd"]) as Array<"native" | "fzstd">
  for (const fx of fixtures) {
    console.log(
      `windowLog ${fx.windowLog}: ${avg(fx.texts)} bytes JSON, ${avg(fx.frames)} bytes compressed; n=${n},` +
        ` a new context every ${fx.frames.length} messages`
    )
    for (const mode of modes) {
      for (const parse of [false, true]) {
        // One connection replayed from its start: the frames are one stream
        const rounds = Math.ceil(n / fx.frames.length)
        let received = 0
        const used = cpu(() => {
          for (let r = 0; r < rounds; r++) {
            const z = Zstd.make({
              mode,
              onMessage: (t) => {
                received++
                if (parse) JSON.parse(t)
              },
              onError: (reason) => {
                throw new Error(reason)
              }
            })
            for (const frame of fx.frames) z.push(frame)
            z.close()
          }
        }) * n / (rounds * fx.frames.length)
        if (received !== rounds * fx.frames.length) throw new Error(`${mode}: ${received} messages`)
        console.log(`  ${mode}${parse ? " + JSON.parse" : ""}: ${used.toFixed(2)} µs CPU per message`)
      }
    }
  }
}

if (which === undefined || which === "etf") benchEtf()
if (which === undefined || which === "zstd") await benchZstd()
