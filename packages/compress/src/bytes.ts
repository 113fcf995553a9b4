import type { BytesLike } from './types.js'

/** View any bytes-like input as a Uint8Array without copying. */
export function toBytes(data: BytesLike): Uint8Array {
  if (data instanceof Uint8Array) return data
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  throw new TypeError('expected a Uint8Array, ArrayBuffer or ArrayBufferView')
}

/**
 * A copy of `bytes` in a buffer of its own. Not `bytes.slice()`: on a Node Buffer (a
 * Uint8Array subclass callers often pass) `slice` returns a view of the same memory.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.byteLength)
  out.set(bytes)
  return out
}
