/**
 * zlib-stream transport decompression: one inflate context per connection;
 * binary frames are buffered until one ends with Z_SYNC_FLUSH (00 00 ff ff),
 * then the buffered bytes are inflated into one JSON text.
 *
 * @internal
 */
import * as zlib from "node:zlib"
import { ZlibSuffix } from "./protocol.js"

/** @internal */
export interface Inflater {
  /** Feeds one WebSocket frame. Complete messages reach `onMessage` in order. */
  readonly push: (frame: Uint8Array) => void
  readonly close: () => void
}

/** @internal */
export const endsWithSuffix = (frame: Uint8Array): boolean => {
  const n = frame.length
  return n >= 4 &&
    frame[n - 4] === ZlibSuffix[0] &&
    frame[n - 3] === ZlibSuffix[1] &&
    frame[n - 2] === ZlibSuffix[2] &&
    frame[n - 1] === ZlibSuffix[3]
}

/**
 * Makes an inflater. `onError` is called once when the stream is corrupt; after
 * that the inflater ignores input (the connection must be replaced).
 *
 * @internal
 */
export const make = (options: {
  readonly onMessage: (text: string) => void
  readonly onError: (reason: string) => void
}): Inflater => {
  const inflate = zlib.createInflate({ chunkSize: 64 * 1024 })
  let pending: Array<Uint8Array> = []
  let output: Array<Buffer> = []
  let failed = false
  let closed = false
  inflate.on("data", (chunk: Buffer) => {
    output.push(chunk)
  })
  inflate.on("error", (error) => {
    if (failed || closed) return
    failed = true
    options.onError(error.message)
  })
  return {
    push(frame) {
      if (failed || closed) return
      pending.push(frame)
      if (!endsWithSuffix(frame)) return
      const input = pending.length === 1 ? pending[0]! : Buffer.concat(pending)
      pending = []
      inflate.write(input)
      // The flush callback runs after every byte written before it has been
      // emitted, so `output` then holds exactly this message.
      inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        if (failed || closed) return
        const text = output.length === 1 ? output[0]!.toString("utf8") : Buffer.concat(output).toString("utf8")
        output = []
        options.onMessage(text)
      })
    },
    close() {
      closed = true
      pending = []
      output = []
      inflate.close()
    }
  }
}
