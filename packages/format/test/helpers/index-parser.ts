import { layoutOf } from './layout'

/**
 * An independent reader of the index, written from docs/format.md, that also reports where
 * each field sits, so tests can aim edits at exact fields.
 */
export interface ParsedResource {
  at: number
  path: string
  pathAt: number
  typeAt: number
  flagsAt: number
  mediaAt: number
  sizeAt: number
  chunkSizeAt: number
  chunkCountAt: number
  tensorAt?: number
}
export interface ParsedChunk {
  at: number
  offset: number
  storedLength: number
  rawLength: number
  codec: number
}

export function parseIndex(bytes: Uint8Array) {
  const l = layoutOf(bytes)
  const base = l.indexOffset
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const resourceCount = v.getUint32(base, true)
  const chunkCount = v.getUint32(base + 4, true)
  let p = base + 8
  const resources: ParsedResource[] = []
  for (let i = 0; i < resourceCount; i++) {
    const at = p
    const pathLength = v.getUint16(p, true)
    const path = new TextDecoder().decode(bytes.subarray(p + 2, p + 2 + pathLength))
    const r: ParsedResource = { at, path, pathAt: p + 2, typeAt: 0, flagsAt: 0, mediaAt: 0, sizeAt: 0, chunkSizeAt: 0, chunkCountAt: 0 }
    p += 2 + pathLength
    r.typeAt = p++
    r.flagsAt = p++
    const flags = bytes[r.flagsAt]!
    r.mediaAt = p
    p += 1 + bytes[p]!
    r.sizeAt = p
    r.chunkSizeAt = p + 8
    r.chunkCountAt = p + 12
    p += 16
    if (flags & 1) {
      r.tensorAt = p
      p += 1 + bytes[p]!
      p += 1 + 8 * bytes[p]!
    }
    resources.push(r)
  }
  const chunks: ParsedChunk[] = []
  for (let i = 0; i < chunkCount; i++) {
    const at = p
    chunks.push({
      at,
      offset: Number(v.getBigUint64(at, true)),
      storedLength: v.getUint32(at + 8, true),
      rawLength: v.getUint32(at + 12, true),
      codec: bytes[at + 16]!,
    })
    p += 52
  }
  if (p !== base + l.indexLength) throw new Error(`index parser ended at ${p}, expected ${base + l.indexLength}`)
  return { resourceCount, chunkCount, resources, chunks, base }
}

export function setU32(bytes: Uint8Array, at: number, value: number) {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, value, true)
}
export function setU64(bytes: Uint8Array, at: number, value: bigint) {
  new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(at, value, true)
}

/** Insert a signature block holding `records` before the footer, fixing lengths and its digest. */
export async function withSignatureBlock(bytes: Uint8Array, records: { kind: number; payload: Uint8Array }[]) {
  const { createHash } = await import('node:crypto')
  const l = layoutOf(bytes)
  const parts = records.map((r) => {
    const h = new Uint8Array(8 + r.payload.length)
    const v = new DataView(h.buffer)
    v.setUint16(0, r.kind, true)
    v.setUint32(4, r.payload.length, true)
    h.set(r.payload, 8)
    return h
  })
  const block = new Uint8Array(Buffer.concat([...parts]))
  const out = new Uint8Array(bytes.length + block.length)
  out.set(bytes.subarray(0, l.footerOffset))
  out.set(block, l.footerOffset)
  out.set(bytes.subarray(l.footerOffset), l.footerOffset + block.length)
  const f = out.length - 96
  out.set(createHash('sha256').update(block).digest(), f + 32)
  setU32(out, f + 80, block.length)
  return out
}
