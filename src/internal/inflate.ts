/**
 * zlib-stream transport decompression. Discord compresses a whole connection on one
 * zlib context and ends every message with a Z_SYNC_FLUSH, whose last four bytes are
 * 00 00 ff ff; a message may span several WebSocket frames. So there is one inflate
 * context per connection, and a message is complete when a frame ends with the suffix.
 *
 * Two implementations, chosen per inflater:
 *
 * - sync (the default): the native zlib handle that node:zlib's streams wrap, driven
 *   directly with `handle.writeSync(flush, in, inOff, inLen, out, outOff, outLen)`. Each
 *   frame is inflated inside the socket callback, on the one persistent context, into
 *   one output buffer shared by every inflater of the process (inflating is synchronous,
 *   and the buffer is decoded to a string before `onMessage` runs, so no two inflaters
 *   ever use it at the same time). It is an internal API, so it is feature-detected when
 *   an inflater is made and checked once per process on a known stream; when either
 *   fails, the async implementation is used.
 * - async (the fallback): node:zlib's public Inflate stream (`write` + `flush(Z_SYNC_FLUSH)`),
 *   which runs every flush on the thread pool and calls `onMessage` later.
 *
 * Why, measured with `npx tsx bench/inflate.ts` (Node 20, MESSAGE_CREATE of ~2.7 KB, ~120
 * bytes compressed, one message per macrotask as socket reads deliver them): inflating costs
 * 2-3 µs of CPU per message with the sync handle and 14-18 µs with the async stream (8-10 vs
 * 20-80 µs with JSON.parse; the async figure varies from run to run), and the stream
 * delivers each message from a thread-pool callback, one macrotask per message, where the
 * sync handle delivers a whole socket read at once. In `npm run bench` (zlib-stream
 * workload) the Gateway went from ~300 to ~34 CPU ms per 1 000 events with this change
 * (it consumed one message per macrotask before). The public alternatives, as found earlier on this machine, are
 * worse: the stream's `_processChunk` closes the handle after one call; `inflateRawSync`
 * with the last 32 KB as a dictionary is correct but builds a context and copies the window
 * per message (~120 µs); pako emits nothing on a sync flush until its 64 KB buffer fills;
 * fflate allocates ~160 KB per push; zlib-sync is a native addon built from source.
 *
 * Both implementations bound the decompressed size of one message by `maxMessageBytes`
 * and report a corrupt stream once through `onError`, after which input is ignored.
 *
 * @internal
 */
import { StringDecoder } from "node:string_decoder"
import * as zlib from "node:zlib"
import { ZlibSuffix } from "./protocol.js"

/** @internal */
export interface Inflater {
  /** Feeds one WebSocket frame. Complete messages reach `onMessage` in order. */
  readonly push: (frame: Uint8Array) => void
  readonly close: () => void
  /** Which implementation this inflater runs. */
  readonly mode: "sync" | "async"
}

/**
 * Where a transport decompressor (this one, or `zstd.ts`) hands its messages.
 *
 * @internal
 */
export interface MessageSink {
  /** Receives each message as UTF-8 text (JSON encoding). Ignored when `onBytes` is given. */
  readonly onMessage?: ((text: string) => void) | undefined
  /**
   * Receives each message as bytes (ETF encoding). The bytes may be a view of a buffer that the
   * next `push` of any decompressor overwrites: decode them before returning, or copy.
   */
  readonly onBytes?: ((bytes: Uint8Array) => void) | undefined
  /** Called at most once: the stream is corrupt or a message is too large. */
  readonly onError: (reason: string) => void
  /** The largest decompressed message accepted, in bytes. Default 64 MiB. */
  readonly maxMessageBytes?: number | undefined
}

/** @internal */
export interface Options extends MessageSink {
  /** `"auto"` (default) uses the sync handle when available; `"async"` forces the fallback. */
  readonly mode?: "auto" | "async" | undefined
}

/** @internal */
export const defaultMaxMessageBytes = 64 * 1024 * 1024

/** Output buffer size of the sync implementation; larger messages take several native calls. */
export const outputChunkBytes = 64 * 1024

const suffixWord = ((ZlibSuffix[0]! << 24) | (ZlibSuffix[1]! << 16) | (ZlibSuffix[2]! << 8) | ZlibSuffix[3]!) >>> 0
/** Not the suffix and cannot become it with fewer than four more bytes. */
const noTail = 0xffffffff

/**
 * The last four bytes seen, as a big-endian word, after `frame`: frames shorter than four
 * bytes shift into the bytes before them, so a suffix cut across frames is still found.
 */
const nextTail = (tail: number, frame: Uint8Array): number => {
  const n = frame.length
  if (n >= 4) return ((frame[n - 4]! << 24) | (frame[n - 3]! << 16) | (frame[n - 2]! << 8) | frame[n - 1]!) >>> 0
  for (let i = 0; i < n; i++) tail = ((tail << 8) | frame[i]!) >>> 0
  return tail
}

/** @internal */
export const endsWithSuffix = (frame: Uint8Array): boolean => nextTail(noTail, frame) === suffixWord

const tooLarge = (max: number) => `a decompressed message exceeds the limit of ${max} bytes`

/**
 * Makes an inflater. `onError` is called once when the stream is corrupt or a message
 * exceeds `maxMessageBytes`; after that the inflater ignores input (the connection must
 * be replaced).
 *
 * @internal
 */
export const make = (options: Options): Inflater => {
  if (options.mode !== "async" && syncAvailable()) {
    // The stream's own output buffer is never used (the shared one is): keep it minimal
    const stream = zlib.createInflate({ chunkSize: zlib.constants.Z_MIN_CHUNK })
    const native = nativeHandle(stream)
    if (native !== undefined) return makeSync(stream, native, options)
    stream.close()
  }
  return makeAsync(options)
}

// ---------------------------------------------------------------------------
// sync: the native handle
// ---------------------------------------------------------------------------

interface NativeHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOff: number,
    inLen: number,
    output: Uint8Array,
    outOff: number,
    outLen: number
  ): void
  onerror: (message: unknown, errno: unknown, code: unknown) => void
}

interface Native {
  readonly handle: NativeHandle
  /** Written by `writeSync`: [avail_out, avail_in] after the call. */
  readonly state: Uint32Array
  /** The error the last `writeSync` reported, if any. */
  error: string | undefined
}

/**
 * The native handle of a node:zlib stream and its write-state array, or `undefined` when
 * this runtime does not expose them the way Node 12-24 do.
 *
 * @internal
 */
export const nativeHandle = (stream: zlib.Inflate): Native | undefined => {
  const internals = stream as unknown as { readonly _handle?: unknown; readonly _writeState?: unknown }
  const handle = internals._handle as Partial<NativeHandle> | null | undefined
  const state = internals._writeState
  if (
    typeof handle !== "object" || handle === null || typeof handle.writeSync !== "function" ||
    typeof handle.onerror !== "function" || !(state instanceof Uint32Array) || state.length < 2
  ) {
    return undefined
  }
  const native: Native = { handle: handle as NativeHandle, state, error: undefined }
  // node:zlib's own handler destroys the stream and emits "error" later; we want the
  // reason now, inside writeSync, and we close the stream ourselves.
  native.handle.onerror = (message, _errno, code) => {
    native.error = typeof code === "string" && code !== "" ? `${String(message)} (${code})` : String(message)
  }
  // Nothing should reach the stream's own error path, but an unhandled "error" event would crash the process
  stream.on("error", () => {})
  return native
}

let shared: Buffer | undefined
const sharedOutput = (): Buffer => (shared ??= Buffer.allocUnsafe(outputChunkBytes))

let probed: boolean | undefined

/**
 * Whether the sync implementation inflates a known stream correctly on this runtime,
 * checked once per process: feature detection alone would not catch a handle whose
 * arguments or write state changed meaning.
 */
const syncAvailable = (): boolean => {
  if (probed !== undefined) return probed
  probed = false
  try {
    const expected = "{\"op\":11,\"d\":null}".repeat(8)
    const compressed = zlib.deflateSync(expected, { finishFlush: zlib.constants.Z_SYNC_FLUSH })
    const texts: Array<string> = []
    const stream = zlib.createInflate({ chunkSize: zlib.constants.Z_MIN_CHUNK })
    const native = nativeHandle(stream)
    if (native === undefined) return false
    const inflater = makeSync(stream, native, { onMessage: (text) => texts.push(text), onError: () => {} })
    // Split, so the probe also covers state carried across frames
    inflater.push(compressed.subarray(0, 5))
    inflater.push(compressed.subarray(5))
    inflater.close()
    probed = texts.length === 1 && texts[0] === expected
  } catch {
    probed = false
  }
  return probed
}

const makeSync = (stream: zlib.Inflate, native: Native, options: Options): Inflater => {
  const { handle, state } = native
  const max = options.maxMessageBytes ?? defaultMaxMessageBytes
  const flush = zlib.constants.Z_SYNC_FLUSH
  let done = false
  let tail = noTail
  // The current message: bytes inflated so far, and the text of those already decoded
  // (a message spans outputs when it is split across frames or larger than the buffer)
  let size = 0
  let text = ""
  let decoder: StringDecoder | undefined
  // With `onBytes`: copies of the parts inflated so far (the shared buffer is reused).
  let parts: Array<Buffer> = []
  const onBytes = options.onBytes

  // Takes a part of the current message out of the shared buffer.
  const keep = (part: Uint8Array): void => {
    if (onBytes !== undefined) {
      parts.push(Buffer.from(part))
      return
    }
    decoder ??= new StringDecoder("utf8")
    text += decoder.write(part)
  }

  // The last part of a message (still in the shared buffer) and what came before it.
  const finish = (last: Buffer): void => {
    if (onBytes !== undefined) {
      const bytes = parts.length === 0 ? last : Buffer.concat([...parts, last])
      parts = []
      return onBytes(bytes)
    }
    const message = decoder === undefined ? last.toString("utf8") : text + decoder.end(last)
    text = ""
    decoder = undefined
    options.onMessage?.(message)
  }

  const fail = (reason: string): void => {
    done = true
    text = ""
    decoder = undefined
    parts = []
    stream.close()
    options.onError(reason)
  }

  return {
    mode: "sync",
    push(frame) {
      if (done || frame.length === 0) return
      const out = sharedOutput()
      let inOff = 0
      let inLen = frame.length
      let outOff = 0
      for (;;) {
        handle.writeSync(flush, frame, inOff, inLen, out, outOff, out.length - outOff)
        if (native.error !== undefined) return fail(native.error)
        const availOut = state[0]!
        const availIn = state[1]!
        const produced = out.length - outOff - availOut
        size += produced
        if (size > max) return fail(tooLarge(max))
        outOff += produced
        inOff += inLen - availIn
        inLen = availIn
        // Output space left means zlib consumed all it could: the input is used up
        if (availOut !== 0) break
        keep(out.subarray(0, outOff))
        outOff = 0
      }
      // Input left with output space to spare: the deflate stream ended (Discord never ends it)
      if (inLen !== 0) return fail("data after the end of the zlib stream")
      tail = nextTail(tail, frame)
      if (tail !== suffixWord) {
        // Decoded now so the shared buffer is free for the next push, whichever inflater makes it
        if (outOff > 0) keep(out.subarray(0, outOff))
        return
      }
      tail = noTail
      size = 0
      finish(out.subarray(0, outOff))
    },
    close() {
      if (done) return
      done = true
      text = ""
      decoder = undefined
      parts = []
      stream.close()
    }
  }
}

// ---------------------------------------------------------------------------
// async: node:zlib's Inflate stream
// ---------------------------------------------------------------------------

const makeAsync = (options: Options): Inflater => {
  const max = options.maxMessageBytes ?? defaultMaxMessageBytes
  const inflate = zlib.createInflate({ chunkSize: outputChunkBytes })
  let pending: Array<Uint8Array> = []
  let output: Array<Buffer> = []
  let size = 0
  let tail = noTail
  let done = false

  const fail = (reason: string): void => {
    done = true
    pending = []
    output = []
    inflate.close()
    options.onError(reason)
  }

  inflate.on("data", (chunk: Buffer) => {
    if (done) return
    // Counted across the whole message: output of a message is only emitted by its own flush
    size += chunk.length
    if (size > max) return fail(tooLarge(max))
    output.push(chunk)
  })
  inflate.on("error", (error) => {
    if (done) return
    fail(error.message)
  })
  return {
    mode: "async",
    push(frame) {
      if (done || frame.length === 0) return
      pending.push(frame)
      tail = nextTail(tail, frame)
      if (tail !== suffixWord) return
      tail = noTail
      const input = pending.length === 1 ? pending[0]! : Buffer.concat(pending)
      pending = []
      inflate.write(input)
      // The flush callback runs after every byte written before it has been
      // emitted, so `output` then holds exactly this message.
      inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        if (done) return
        const bytes = output.length === 1 ? output[0]! : Buffer.concat(output)
        output = []
        size = 0
        if (options.onBytes !== undefined) options.onBytes(bytes)
        else options.onMessage?.(bytes.toString("utf8"))
      })
    },
    close() {
      if (done) return
      done = true
      pending = []
      output = []
      inflate.close()
    }
  }
}
