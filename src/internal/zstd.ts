/**
 * zstd-stream transport decompression. Discord compresses a whole connection as one zstd
 * stream that it never ends, and flushes it after every message, so each WebSocket message
 * holds exactly one gateway message and ends on a block boundary ("each websocket message
 * corresponds to a single gateway message, but does not end a zstd frame", gateway.mdx,
 * "zstd-stream"). Unlike zlib-stream there is no suffix to look for: a frame is decompressed
 * as far as it goes, and all the output it produced is one message. A frame that produces
 * nothing (a message cut inside its first block, which Discord does not do) leaves its bytes
 * in the context and emits nothing, so a message split inside a block still comes out whole
 * with the frame that completes it; a split between two blocks of one message (only possible
 * past 128 KiB) would come out as two messages, which the parser then rejects. discordeno and
 * discord.js' zstd support use the same rule.
 *
 * Two implementations, chosen per decompressor:
 *
 * - native (Node >= 22.15 / 23.8): node:zlib's ZstdDecompress, driven through its native
 *   handle exactly as inflate.ts drives zlib's (`handle.writeSync`, synchronous, inside the
 *   socket callback, into one output buffer shared by every decompressor of the process),
 *   checked once per process on a known stream. The public stream API would run every frame on
 *   the thread pool and deliver it a macrotask later, as the async inflater does.
 * - fzstd (everywhere else, e.g. Node 20): fzstd 0.1.1's streaming `Decompress`, pure JS,
 *   synchronous. The alternatives on npm do not fit: `@bokuweb/zstd-wasm` and `zstddec` only
 *   decompress whole frames (no context that outlives a message); `zstd-napi` and
 *   `@mongodb-js/zstd` are native addons (zstd-napi's install script downloads a prebuilt
 *   binary or compiles, neither of which works without network and a toolchain; @mongodb-js/zstd
 *   has no streaming API); `zstd-codec` returns null after the first message (discordeno#3815).
 *
 * Measured with `npx tsx bench/transports.ts zstd` (Node 20.20, fixtures of test/fixtures/zstd)
 * and `node --import tsx bench/transports.ts zstd` on Node 24.22 (streams made in the bench):
 * MESSAGE_CREATE of ~2.7 KB JSON, level 6, a flush after each message, CPU per message without
 * JSON.parse, on this 2-core machine while other test runs shared it (so ±50%):
 *
 *   windowLog          18        20        22        24        27
 *   native (Node 24)   3-6 µs    3 µs      3-10 µs   3 µs      16 µs (incl. the 128 MiB window)
 *   fzstd (Node 24)    105-117   104       145       554       6 657 µs
 *   fzstd (Node 20)    40-78     -         150-193   -         -
 *
 * fzstd copies its whole window (`copyWithin`) after every block and allocates a fresh block
 * buffer, so its cost grows with the window the server chose; Discord does not document its
 * `windowLog` (its blog says it tuned it so that millions of contexts fit in memory, which
 * suggests a small one). Memory per connection (`node --expose-gc`, 20 connections, 256
 * messages each): fzstd holds the whole window in the JS heap (258 KiB at windowLog 18, 4-4.8
 * MiB at 22); native's window lives in zstd's C heap and is touched as it fills (~0.5 MiB RSS
 * after 690 KB of output at either size). So fzstd is a fallback for Nodes without zstd (Node 20
 * is past its end of life); on them zlib-stream (2-3 µs with inflate.ts' sync handle) is the
 * cheaper choice, and the integrator should say so when `zstd-stream` runs on fzstd.
 *
 * A limit of fzstd: it waits for 18 bytes before it reads a frame header, so a first message
 * that compresses to fewer than 18 bytes is held until the next frame and then comes out glued
 * to the second message (which the parser rejects). Discord's first message is Hello, well over
 * 100 bytes compressed; node:zlib has no such limit.
 *
 * Safety: the first frame header is checked before fzstd sees it, and a window larger than
 * `maxWindowBytes` (default 128 MiB, zstd's own default limit, which the native decoder
 * enforces too through ZSTD_d_windowLogMax) is refused, so a hostile header cannot make either
 * implementation allocate gigabytes. Both bound the decompressed size of one message by
 * `maxMessageBytes` and report a corrupt stream once through `onError`, after which input is
 * ignored.
 *
 * @internal
 */
import * as fzstd from "fzstd"
import * as zlib from "node:zlib"
import * as Inflate from "./inflate.js"

/** @internal */
export interface Decompressor {
  /** Feeds one WebSocket frame. Its decompressed output, if any, reaches `onMessage` before `push` returns. */
  readonly push: (frame: Uint8Array) => void
  readonly close: () => void
  /** Which implementation this decompressor runs. */
  readonly mode: "native" | "fzstd"
}

/** @internal */
export interface Options extends Inflate.MessageSink {
  /** The largest zstd window accepted, in bytes. Default 128 MiB (windowLog 27). */
  readonly maxWindowBytes?: number | undefined
  /** `"auto"` (default) uses node:zlib when this Node has zstd, else fzstd. */
  readonly mode?: "auto" | "native" | "fzstd" | undefined
}

/** @internal */
export const defaultMaxMessageBytes = Inflate.defaultMaxMessageBytes

/** @internal */
export const defaultMaxWindowBytes = 128 * 1024 * 1024

/** Output buffer size of the native implementation; larger messages take several native calls. */
const outputChunkBytes = 64 * 1024

const tooLarge = (max: number) => `a decompressed message exceeds the limit of ${max} bytes`

/**
 * Makes a decompressor for one connection. `onError` is called once when the stream is corrupt
 * or a message exceeds `maxMessageBytes`; after that the decompressor ignores input (the
 * connection must be replaced). Throws only when `mode: "native"` is asked for on a Node
 * without zstd (a bug of the caller, not bad input).
 *
 * @internal
 */
export const make = (options: Options): Decompressor => {
  const mode = options.mode ?? "auto"
  if (mode !== "fzstd" && nativeAvailable()) {
    const made = makeNative(options)
    if (made !== undefined) return made
  }
  if (mode === "native") throw new Error("zstd: node:zlib has no usable zstd decompressor on this Node")
  return makeFzstd(options)
}

// ---------------------------------------------------------------------------
// Output: one message from one or more chunks
// ---------------------------------------------------------------------------

/** Hands a message to the right callback: `chunks` are views valid until the callback returns. */
const deliver = (options: Options, chunks: ReadonlyArray<Uint8Array>, size: number): void => {
  const bytes = chunks.length === 1 ? chunks[0]! : concat(chunks, size)
  if (options.onBytes !== undefined) return options.onBytes(bytes)
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")
  options.onMessage?.(text)
}

const concat = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  const out = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}

// ---------------------------------------------------------------------------
// Frame header check (for fzstd, which would allocate whatever window a header asks for)
// ---------------------------------------------------------------------------

const zstdMagic = 0xfd2fb528

/**
 * The window size a zstd frame header asks for, `undefined` when more bytes are needed, or a
 * reason string when the bytes are not a zstd frame (RFC 8878, 3.1.1.1).
 *
 * @internal
 */
export const frameWindow = (bytes: Uint8Array): number | string | undefined => {
  if (bytes.length < 6) return undefined
  const magic = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0
  if (magic !== zstdMagic) return "not a zstd frame (bad magic number)"
  const descriptor = bytes[4]!
  if ((descriptor & 0x08) !== 0) return "zstd frame header has its reserved bit set"
  const singleSegment = (descriptor & 0x20) !== 0
  if (!singleSegment) {
    const w = bytes[5]!
    const base = 2 ** (10 + (w >> 3))
    return base + (base / 8) * (w & 7)
  }
  // Single segment: the window is the content size, which follows the optional dictionary id
  const dictBytes = [0, 1, 2, 4][descriptor & 3]!
  const sizeFlag = descriptor >> 6
  const sizeBytes = sizeFlag === 0 ? 1 : [1, 2, 4, 8][sizeFlag]!
  const at = 5 + dictBytes
  if (bytes.length < at + sizeBytes) return undefined
  let size = 0
  for (let i = sizeBytes - 1; i >= 0; i--) size = size * 256 + bytes[at + i]!
  return sizeFlag === 1 ? size + 256 : size
}

// ---------------------------------------------------------------------------
// native: node:zlib's ZstdDecompress handle
// ---------------------------------------------------------------------------

interface ZstdZlib {
  readonly createZstdDecompress?: (options?: { chunkSize?: number; params?: Record<number, number> }) => zlib.Inflate
  readonly constants: Record<string, number | undefined>
}

const zstdZlib = zlib as unknown as ZstdZlib

let shared: Buffer | undefined
const sharedOutput = (): Buffer => (shared ??= Buffer.allocUnsafe(outputChunkBytes))

/** A known two-message stream (level 3, flushed after each message), for the once-per-process check. */
const probeFrames = [
  "KLUv/QBYzAAAkHsib3AiOjExLCJkIjpudWxsfQEAVucMAw==",
  "hAAAQHswLCJzIjoxAgDENCaAKw=="
]
const probeTexts = ["{\"op\":11,\"d\":null}".repeat(4), "{\"op\":0,\"s\":1}".repeat(4)]

let probed: boolean | undefined

/**
 * Whether the native implementation decompresses a known stream correctly on this runtime,
 * checked once per process (as inflate.ts does): node:zlib's zstd is marked experimental and
 * its handle is an internal API.
 */
export const nativeAvailable = (): boolean => {
  if (probed !== undefined) return probed
  probed = false
  try {
    if (typeof zstdZlib.createZstdDecompress !== "function") return false
    const texts: Array<string> = []
    const made = makeNative({ onMessage: (text) => texts.push(text), onError: () => {} })
    if (made === undefined) return false
    // Split, so the probe also covers state carried across frames
    const first = Buffer.from(probeFrames[0]!, "base64")
    made.push(first.subarray(0, 7))
    made.push(first.subarray(7))
    made.push(Buffer.from(probeFrames[1]!, "base64"))
    made.close()
    probed = texts.length === 2 && texts[0] === probeTexts[0] && texts[1] === probeTexts[1]
  } catch {
    probed = false
  }
  return probed
}

const makeNative = (options: Options): Decompressor | undefined => {
  const create = zstdZlib.createZstdDecompress
  const windowLogMax = zstdZlib.constants.ZSTD_d_windowLogMax
  if (create === undefined || windowLogMax === undefined) return undefined
  const maxWindow = options.maxWindowBytes ?? defaultMaxWindowBytes
  const stream = create({
    chunkSize: zlib.constants.Z_MIN_CHUNK,
    params: { [windowLogMax]: Math.max(10, Math.floor(Math.log2(maxWindow))) }
  })
  // The same handle layout as zlib's, so inflate.ts' accessor applies
  const native = Inflate.nativeHandle(stream)
  if (native === undefined) {
    stream.close()
    return undefined
  }
  const { handle, state } = native
  const max = options.maxMessageBytes ?? defaultMaxMessageBytes
  // Decompression ignores the flush directive; ZSTD_e_continue is what node:zlib passes
  const flush = zstdZlib.constants.ZSTD_e_continue ?? 0
  let done = false

  const fail = (reason: string): void => {
    done = true
    stream.close()
    options.onError(reason)
  }

  return {
    mode: "native",
    push(frame) {
      if (done || frame.length === 0) return
      const out = sharedOutput()
      // Chunks of a message larger than the shared buffer, copied out of it
      let chunks: Array<Uint8Array> | undefined
      let size = 0
      let inOff = 0
      let inLen = frame.length
      let outOff = 0
      for (;;) {
        native.error = undefined
        handle.writeSync(flush, frame, inOff, inLen, out, outOff, out.length - outOff)
        if (native.error !== undefined) return fail(`zstd: ${native.error}`)
        const availOut = state[0]!
        const availIn = state[1]!
        const produced = out.length - outOff - availOut
        const consumed = inLen - availIn
        size += produced
        if (size > max) return fail(tooLarge(max))
        outOff += produced
        inOff += consumed
        inLen = availIn
        if (availOut === 0) {
          // The buffer is full: keep what it holds, and go on with the whole buffer free
          ;(chunks ??= []).push(new Uint8Array(out.subarray(0, outOff))) // a copy (Buffer#slice would be a view)
          outOff = 0
          continue
        }
        if (inLen === 0) break
        // Output space left and input left: ZSTD_decompressStream stops at a frame's end, so
        // go on with the next frame; a call that moved nothing means the input cannot be used
        if (consumed === 0 && produced === 0) return fail("zstd: the decompressor made no progress")
      }
      if (size === 0) return
      if (chunks === undefined) return deliver(options, [out.subarray(0, outOff)], size)
      if (outOff > 0) chunks.push(out.subarray(0, outOff))
      deliver(options, chunks, size)
    },
    close() {
      if (done) return
      done = true
      stream.close()
    }
  }
}

// ---------------------------------------------------------------------------
// fzstd: pure JS
// ---------------------------------------------------------------------------

const makeFzstd = (options: Options): Decompressor => {
  const max = options.maxMessageBytes ?? defaultMaxMessageBytes
  const maxWindow = options.maxWindowBytes ?? defaultMaxWindowBytes
  let done = false
  let chunks: Array<Uint8Array> = []
  let size = 0
  // Bytes held back until the first frame header can be checked (it is at most 18 bytes)
  let header: Uint8Array | undefined = new Uint8Array(0)

  const decompress = new fzstd.Decompress((chunk) => {
    if (done || chunk.length === 0) return
    size += chunk.length
    // fzstd hands out each block in a buffer of its own: keeping the view is safe
    chunks.push(chunk)
    if (size > max) throw new TooLarge()
  })

  const fail = (reason: string): void => {
    done = true
    chunks = []
    options.onError(reason)
  }

  return {
    mode: "fzstd",
    push(frame) {
      if (done || frame.length === 0) return
      let input = frame
      if (header !== undefined) {
        const seen: Uint8Array = header.length === 0 ? frame : concat([header, frame], header.length + frame.length)
        const window = frameWindow(seen)
        if (window === undefined) {
          header = new Uint8Array(seen) // a copy: `frame` may be a view the socket reuses
          return
        }
        if (typeof window === "string") return fail(`zstd: ${window}`)
        if (window > maxWindow) {
          return fail(`zstd: the stream asks for a ${window}-byte window, over the limit of ${maxWindow}`)
        }
        header = undefined
        input = seen
      }
      try {
        decompress.push(input)
      } catch (e) {
        if (e instanceof TooLarge) return fail(tooLarge(max))
        return fail(`zstd: ${e instanceof Error ? e.message : String(e)}`)
      }
      if (size === 0) return
      const message = chunks
      const messageSize = size
      chunks = []
      size = 0
      deliver(options, message, messageSize)
    },
    close() {
      done = true
      chunks = []
    }
  }
}

class TooLarge {}
