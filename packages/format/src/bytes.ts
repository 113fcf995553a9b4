/**
 * A copy of `bytes` in a buffer of its own. Not `bytes.slice()`: on a Node Buffer (a
 * Uint8Array subclass callers often pass) `slice` returns a view of the same memory.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.byteLength)
  out.set(bytes)
  return out
}
