/**
 * Micro-benchmark of `src/internal/inflate.ts`: CPU per message of the sync (native handle)
 * and async (node:zlib Inflate stream) implementations on one zlib-stream context, with and
 * without JSON.parse, in this process (no sockets). The numbers behind the module's choice.
 *
 * Usage: npx tsx bench/inflate.ts [--n N]
 */
import * as zlib from "node:zlib"
import * as Fixtures from "../src/testing/fixtures.js"
import * as Inflate from "../src/internal/inflate.js"

const argv = process.argv.slice(2)
const n = Number(argv[argv.indexOf("--n") + 1] ?? 20_000) || 20_000

const texts = Array.from({ length: 1024 }, (_, i) =>
  JSON.stringify({
    op: 0,
    d: Fixtures.messageCreate({
      id: Fixtures.snowflake(1_000_000 + i),
      channelId: Fixtures.snowflake(900 + (i * 7) % 50),
      authorId: Fixtures.snowflake(10_000 + (i * 7919) % 5_000),
      content: `message ${i} ${"lorem ipsum dolor sit amet ".repeat(1 + (i % 9))}${i * 31}`
    }),
    s: i + 1,
    t: "MESSAGE_CREATE"
  }))

// One zlib context for the whole sequence, a Z_SYNC_FLUSH after each message (as Discord sends)
const compress = async (count: number): Promise<Array<Buffer>> => {
  const deflate = zlib.createDeflate()
  let chunks: Array<Buffer> = []
  deflate.on("data", (c: Buffer) => chunks.push(c))
  const frames: Array<Buffer> = []
  for (let i = 0; i < count; i++) {
    deflate.write(texts[i % texts.length]!)
    await new Promise<void>((resolve) => deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()))
    frames.push(Buffer.concat(chunks))
    chunks = []
  }
  deflate.close()
  return frames
}

const frames = await compress(n)
const raw = texts.reduce((sum, t) => sum + t.length, 0) / texts.length
const compressed = frames.reduce((sum, f) => sum + f.length, 0) / frames.length

/**
 * `paced`: the next frame is pushed only once the previous message came out, as when frames
 * arrive one per socket read; otherwise all frames are pushed at once (the async stream then
 * pipelines them on the thread pool, its best case).
 */
const run = (mode: "auto" | "async", parse: boolean, paced: boolean): Promise<{ cpuUs: number; wallUs: number }> =>
  new Promise((resolve, reject) => {
    let received = 0
    const start = process.cpuUsage()
    const t0 = performance.now()
    const inflater = Inflate.make({
      mode,
      onError: (reason) => reject(new Error(reason)),
      onMessage: (text) => {
        if (parse) JSON.parse(text)
        if (++received === n) {
          const cpu = process.cpuUsage(start)
          inflater.close()
          resolve({ cpuUs: (cpu.user + cpu.system) / n, wallUs: ((performance.now() - t0) * 1000) / n })
        } else if (paced) {
          // A new macrotask, as a socket read would be (and no deep recursion in the sync case)
          setImmediate(() => inflater.push(frames[received]!))
        }
      }
    })
    if (mode === "auto" && inflater.mode !== "sync") reject(new Error("the sync implementation is not available"))
    if (paced) inflater.push(frames[0]!)
    else for (const frame of frames) inflater.push(frame)
  })

console.log(`node ${process.version}; ${n} messages, mean ${raw.toFixed(0)} bytes, ${compressed.toFixed(0)} compressed`)
for (const paced of [true, false]) {
  for (const parse of [false, true]) {
    for (const mode of ["auto", "async"] as const) {
      await run(mode, parse, paced) // warm-up
      const r = await run(mode, parse, paced)
      console.log(
        `${mode === "auto" ? "sync " : "async"} ${parse ? "inflate + JSON.parse" : "inflate only        "} ` +
          `${paced ? "one at a time" : "all at once  "}  ` +
          `${r.cpuUs.toFixed(1).padStart(6)} µs CPU/msg  ${r.wallUs.toFixed(1).padStart(6)} µs wall/msg`
      )
    }
  }
}
