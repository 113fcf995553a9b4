/**
 * Input buffering for streaming decoders: pieces are queued as they arrive and read back as
 * contiguous views; bytes are copied only when a read spans pieces.
 */
export class ByteQueue {
  private pieces: Uint8Array[] = []
  private head = 0 // offset into pieces[0]
  private size = 0

  get available(): number {
    return this.size
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return
    this.pieces.push(chunk)
    this.size += chunk.length
  }

  /** The next `n` bytes without consuming them (a view when they lie in one piece). */
  peek(n: number): Uint8Array {
    if (n > this.size) throw new RangeError(`peek(${n}) with ${this.size} bytes queued`)
    const first = this.pieces[0]
    if (first && first.length - this.head >= n) return first.subarray(this.head, this.head + n)
    const out = new Uint8Array(n)
    let filled = 0
    let offset = this.head
    for (const p of this.pieces) {
      const take = Math.min(p.length - offset, n - filled)
      out.set(p.subarray(offset, offset + take), filled)
      filled += take
      offset = 0
      if (filled === n) break
    }
    return out
  }

  /** Drop the next `n` bytes. */
  skip(n: number): void {
    if (n > this.size) throw new RangeError(`skip(${n}) with ${this.size} bytes queued`)
    this.size -= n
    while (n > 0) {
      const first = this.pieces[0]!
      const left = first.length - this.head
      if (n < left) {
        this.head += n
        return
      }
      n -= left
      this.pieces.shift()
      this.head = 0
    }
  }

  /** The next `n` bytes, consumed. */
  take(n: number): Uint8Array {
    const out = this.peek(n)
    this.skip(n)
    return out
  }
}

/** Join byte arrays into one (no copy for a single piece). */
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
