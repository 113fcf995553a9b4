import { PackageError } from '../errors.js'
import { SIGNATURE_RECORD_HEADER_SIZE } from './constants.js'
import { Builder, Cursor } from './cursor.js'

/**
 * One record of the signature block. The block sits after the index and outside the package
 * digest, so records can be appended (rewriting only the footer) without touching data.
 * Kinds are assigned by `@torshpkg/crypto`; a reader keeps kinds it does not know.
 */
export interface SignatureRecord {
  kind: number
  payload: Uint8Array
}

export function encodeSignatures(records: readonly SignatureRecord[]): Uint8Array {
  const size = records.reduce((n, r) => n + SIGNATURE_RECORD_HEADER_SIZE + r.payload.length, 0)
  const b = new Builder(size)
  for (const r of records) b.u16(r.kind).u16(0).u32(r.payload.length).put(r.payload)
  return b.bytes
}

/**
 * Decode a signature block; it must consist of whole records, nothing left over, and at most
 * `maxRecords` of them (`E_LIMIT`, before the record past the limit is decoded).
 */
export function decodeSignatures(bytes: Uint8Array, base: number, strict = true, maxRecords = Infinity): SignatureRecord[] {
  const c = new Cursor(bytes, 'signature block', base)
  const out: SignatureRecord[] = []
  while (c.remaining > 0) {
    if (out.length >= maxRecords) {
      throw new PackageError('E_LIMIT', `the signature block holds more than ${maxRecords} records (raise limits.maxSignatureRecords to open it)`, {
        what: 'signature records',
        limit: maxRecords,
        region: 'signatures',
        offset: base + c.pos,
      })
    }
    const kind = c.u16('record kind')
    if (kind === 0) {
      c.pos -= 2
      throw c.fail('record kind 0 is not valid')
    }
    if (c.u16('reserved') !== 0 && strict) {
      c.pos -= 2
      throw c.fail('reserved bytes must be zero')
    }
    const length = c.u32('record length')
    out.push({ kind, payload: c.take(length, 'record payload') })
  }
  return out
}
