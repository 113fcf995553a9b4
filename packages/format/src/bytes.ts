/**
 * A copy of `bytes` in a buffer of its own. Not `bytes.slice()`: on a Node Buffer (a
 * Uint8Array subclass callers often pass) `slice` returns a view of the same memory.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.byteLength)
  out.set(bytes)
  return out
}

/** Join byte arrays into one; a single piece is returned as it is. */
export function concatBytes(parts: readonly Uint8Array[], total = parts.reduce((n, p) => n + p.length, 0)): Uint8Array {
  if (parts.length === 1) return parts[0]!
  const out = new Uint8Array(total)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
