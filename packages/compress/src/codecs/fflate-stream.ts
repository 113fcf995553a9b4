import { CompressError } from '../errors.js'
import type { StreamCoder } from '../types.js'

/** The shape of fflate's streaming classes (Deflate, Inflate, Gzip, Gunzip, Zlib, Unzlib). */
export interface FflateStream {
  ondata: (data: Uint8Array, final: boolean) => void
  push(chunk: Uint8Array, final?: boolean): void
}

// Compressed input goes to fflate's decoders in slices this big: one push can then produce at
// most ~1032x of it (deflate's maximum ratio), so output is checked against the limit often.
export const INPUT_SLICE = 16 * 1024

/** A StreamCoder over an fflate encoder. */
export function fflateEncoder(stream: FflateStream): StreamCoder {
  let out: Uint8Array[] = []
  stream.ondata = (data) => void out.push(data)
  return {
    push(chunk, final) {
      stream.push(chunk, final)
      const produced = out
      out = []
      return produced
    },
  }
}

/**
 * A StreamCoder over an fflate decoder that stops with `E_LIMIT` as soon as output passes
 * `max`, and turns fflate's errors into `E_CORRUPT`. `onOutput` sees every piece (checksums).
 */
export function fflateDecoder(
  name: string,
  stream: FflateStream,
  max: number,
  onOutput?: (data: Uint8Array) => void,
): StreamCoder & { readonly done: boolean; readonly produced: number } {
  let out: Uint8Array[] = []
  let produced = 0
  let done = false
  stream.ondata = (data, final) => {
    produced += data.length
    if (produced > max) throw new CompressError('E_LIMIT', `${name}: output exceeds maxOutputSize ${max}`)
    onOutput?.(data)
    if (data.length > 0) out.push(data)
    done ||= final
  }
  return {
    get done() {
      return done
    },
    get produced() {
      return produced
    },
    push(chunk, final) {
      try {
        if (chunk.length === 0) stream.push(chunk, final)
        for (let at = 0; at < chunk.length; at += INPUT_SLICE) {
          const end = Math.min(at + INPUT_SLICE, chunk.length)
          stream.push(chunk.subarray(at, end), final && end === chunk.length)
        }
      } catch (e) {
        if (e instanceof CompressError) throw e
        throw new CompressError('E_CORRUPT', `${name}: malformed stream (${(e as Error)?.message ?? e})`, { cause: e })
      }
      const produced = out
      out = []
      return produced
    },
  }
}

/** The same bytes as one array. */
export function joinOutput(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
