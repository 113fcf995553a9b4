import { PackageError, type PackageErrorCode } from '../errors.js'

/**
 * Little-endian reader over a region of the file. Every read is bounds-checked, and every
 * failure names the region and the absolute file offset, so a corrupt file gives a precise error.
 */
export class Cursor {
  pos = 0
  private readonly view: DataView

  constructor(
    readonly bytes: Uint8Array,
    /** Region name for messages ("index", "footer", ...). */
    readonly region: string,
    /** Absolute file offset of `bytes[0]`. */
    readonly base: number,
    /** Code raised for structural problems found here. */
    readonly code: PackageErrorCode = 'E_CORRUPT',
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get remaining(): number {
    return this.bytes.length - this.pos
  }

  /** Fail unless `n` more bytes exist. */
  need(n: number, what: string): void {
    if (n > this.remaining) throw this.fail(`${what} needs ${n} bytes but only ${this.remaining} remain`)
  }

  u8(what: string): number {
    this.need(1, what)
    return this.view.getUint8(this.pos++)
  }

  u16(what: string): number {
    this.need(2, what)
    const v = this.view.getUint16(this.pos, true)
    this.pos += 2
    return v
  }

  u32(what: string): number {
    this.need(4, what)
    const v = this.view.getUint32(this.pos, true)
    this.pos += 4
    return v
  }

  /** A u64 that must fit in a JavaScript safe integer (2^53 - 1: 8 PiB, beyond any real file). */
  u64(what: string): number {
    this.need(8, what)
    const v = this.view.getBigUint64(this.pos, true)
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw this.fail(`${what} ${v} is too large`)
    this.pos += 8
    return Number(v)
  }

  /** A view (no copy) of the next `n` bytes. */
  take(n: number, what: string): Uint8Array {
    this.need(n, what)
    const out = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  /** An error at the current position. */
  fail(message: string, code: PackageErrorCode = this.code): PackageError {
    const offset = this.base + this.pos
    return new PackageError(code, `${this.region} at byte ${offset}: ${message}`, { region: this.region, offset })
  }
}

/** Little-endian writer into a buffer of known size. */
export class Builder {
  pos = 0
  readonly bytes: Uint8Array
  private readonly view: DataView

  constructor(size: number) {
    this.bytes = new Uint8Array(size)
    this.view = new DataView(this.bytes.buffer)
  }

  u8(v: number): this {
    this.view.setUint8(this.pos, v)
    this.pos += 1
    return this
  }

  u16(v: number): this {
    this.view.setUint16(this.pos, v, true)
    this.pos += 2
    return this
  }

  u32(v: number): this {
    this.view.setUint32(this.pos, v, true)
    this.pos += 4
    return this
  }

  u64(v: number): this {
    this.view.setBigUint64(this.pos, BigInt(v), true)
    this.pos += 8
    return this
  }

  put(b: Uint8Array): this {
    this.bytes.set(b, this.pos)
    this.pos += b.length
    return this
  }
}

/** True if every byte is zero. */
export function isZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false
  return true
}

/** Index of the first non-zero byte, or -1. */
export function firstNonZero(b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return i
  return -1
}
