import { createHash } from 'node:crypto'

/** Region boundaries of a package file, read straight from its bytes (independent of the library). */
export interface Layout {
  size: number
  tailOffset: number
  manifestLength: number
  indexLength: number
  signaturesLength: number
  indexOffset: number
  signaturesOffset: number
  footerOffset: number
}

export function layoutOf(bytes: Uint8Array): Layout {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const f = bytes.length - 96
  const tailOffset = Number(v.getBigUint64(f + 64, true))
  const manifestLength = v.getUint32(f + 72, true)
  const indexLength = v.getUint32(f + 76, true)
  const signaturesLength = v.getUint32(f + 80, true)
  return {
    size: bytes.length,
    tailOffset,
    manifestLength,
    indexLength,
    signaturesLength,
    indexOffset: tailOffset + manifestLength,
    signaturesOffset: tailOffset + manifestLength + indexLength,
    footerOffset: f,
  }
}

/**
 * Recompute the footer digest after a test edits preamble, manifest or index bytes, so the
 * edit reaches the parsers behind the digest check (as a hostile but careful author would).
 * Written from docs/format.md, not from the library.
 */
export function reseal(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice()
  out.set(packageDigestOf(bytes), layoutOf(bytes).footerOffset)
  return out
}

/** The package digest computed as docs/format.md ("Package digest") describes it. */
export function packageDigestOf(bytes: Uint8Array): Uint8Array {
  const l = layoutOf(bytes)
  const preamble = bytes.slice(0, 64)
  preamble.fill(0, 24, 32)
  const lengths = new Uint8Array(16)
  const lv = new DataView(lengths.buffer)
  lv.setBigUint64(0, BigInt(l.tailOffset), true)
  lv.setUint32(8, l.manifestLength, true)
  lv.setUint32(12, l.indexLength, true)
  return new Uint8Array(
    createHash('sha256')
      .update(preamble)
      .update(lengths)
      .update(bytes.subarray(l.tailOffset, l.tailOffset + l.manifestLength + l.indexLength))
      .digest(),
  )
}

/** Replace the manifest with `json` (resizing the file) and reseal. */
export function withManifest(bytes: Uint8Array, json: string): Uint8Array {
  const l = layoutOf(bytes)
  const m = new TextEncoder().encode(json)
  const out = new Uint8Array(bytes.length - l.manifestLength + m.length)
  out.set(bytes.subarray(0, l.tailOffset))
  out.set(m, l.tailOffset)
  out.set(bytes.subarray(l.tailOffset + l.manifestLength), l.tailOffset + m.length)
  new DataView(out.buffer).setUint32(out.length - 96 + 72, m.length, true) // the tail offset (and locator) stay put
  return reseal(out)
}
