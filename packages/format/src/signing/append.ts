import { createHasher, equalBytes, hashSync } from '@torshpkg/crypto'
import { PackageError } from '../errors.js'
import { FOOTER_SIZE, FORMAT_MINOR, PREAMBLE_SIZE, SIGNATURE_RECORD_HEADER_SIZE } from '../layout/constants.js'
import { decodeFooter, encodeFooter, type Footer } from '../layout/footer.js'
import { decodePreamble } from '../layout/preamble.js'
import { decodeSignatures, encodeSignatures, type SignatureRecord } from '../layout/signatures.js'
import { DEFAULT_LIMITS } from '../limits.js'

/** A signature record to append (any object with a kind and payload bytes). */
export type NewSignatureRecord = { readonly kind: number; readonly payload: Uint8Array }

/**
 * What the caller saw when it opened the package: appending refuses (`E_SOURCE_CHANGED`) if
 * the file is no longer that package, so that a record is never attached to bytes its signer
 * did not check.
 */
export interface AppendExpectation {
  size?: number
  /** Package digest from the footer (32 bytes). */
  digest?: Uint8Array
  /** Signature block digest from the footer (32 bytes). */
  signaturesDigest?: Uint8Array
}

/** Options for `appendSignaturesToFile` (Node). */
export interface AppendToFileOptions {
  /**
   * Refuse (`E_SOURCE_CHANGED`) unless the file is still the package with this digest
   * (`sha256:<hex>`, e.g. the `digest` of the Package the records were made for).
   */
  digest?: string
  /** fsync the file before returning (default true). */
  durable?: boolean
}

/** Where the footer and signature block of a package are, after checking them. */
export interface AppendTarget {
  size: number
  footer: Footer
  /** Offset of the existing signature block (it ends where the footer starts). */
  blockStart: number
}

/** Where the new tail goes and what it is: everything from `offset` (the old footer) on. */
export interface AppendPlan {
  offset: number
  tail: Uint8Array
  footer: Footer
  /** File size after the append. */
  size: number
}

/**
 * Check a package's preamble and footer before appending to it: the bytes are a complete
 * package this library can rewrite the footer of (not a newer minor version, whose footer
 * flags it would not preserve), and the file is still what `expected` describes.
 */
export function appendTarget(size: number, preambleBytes: Uint8Array, footerBytes: Uint8Array, expected: AppendExpectation = {}): AppendTarget {
  if (size < PREAMBLE_SIZE + FOOTER_SIZE) throw new PackageError('E_TRUNCATED', `the file is ${size} bytes, shorter than a preamble and footer`, { size })
  const preamble = decodePreamble(preambleBytes)
  if (preamble.minor > FORMAT_MINOR) {
    throw new PackageError('E_UNSUPPORTED', `cannot add signatures to a format ${preamble.major}.${preamble.minor} package: this library writes ${preamble.major}.${FORMAT_MINOR} footers`, {
      minor: preamble.minor,
    })
  }
  const footer = decodeFooter(footerBytes, size)
  if (preamble.locator !== (footer.hasLocator ? footer.tailOffset : 0)) {
    throw new PackageError('E_CORRUPT', 'preamble at byte 24: the tail locator disagrees with the footer', { region: 'preamble', offset: 24 })
  }
  const changed = (what: string) =>
    new PackageError('E_SOURCE_CHANGED', `the package changed since it was opened (${what}); open it again and check it before signing`, { what })
  if (expected.size !== undefined && expected.size !== size) throw changed(`size ${expected.size} -> ${size}`)
  if (expected.digest && !equalBytes(expected.digest, footer.digest)) throw changed('package digest')
  if (expected.signaturesDigest && !equalBytes(expected.signaturesDigest, footer.signaturesDigest)) throw changed('signature block digest')
  // Bounded before anyone reads the block.
  if (footer.signaturesLength > DEFAULT_LIMITS.maxSignatureBytes) throw tooBig(footer.signaturesLength, DEFAULT_LIMITS.maxSignatureBytes)
  return { size, footer, blockStart: size - FOOTER_SIZE - footer.signaturesLength }
}

/**
 * The new tail: the existing block's records stay where they are, the new ones follow, then
 * a new footer (new block length and block digest), written where the old footer starts.
 * Nothing before that offset changes, so no data moves and the package digest stays the same.
 * The existing block must match its digest first: re-hashing a damaged block would make the
 * damage look intact. The package digest itself is carried over, never recomputed, so an
 * append cannot make a corrupt package verify.
 */
export function planAppend(target: AppendTarget, block: Uint8Array, records: readonly NewSignatureRecord[]): AppendPlan {
  const fresh = checkRecords(records)
  const { footer, blockStart } = target
  if (block.length !== footer.signaturesLength) throw new PackageError('E_ARGUMENT', 'the signature block passed does not have the length the footer gives')
  if (footer.signaturesLength + fresh.length > DEFAULT_LIMITS.maxSignatureBytes) throw tooBig(footer.signaturesLength + fresh.length, DEFAULT_LIMITS.maxSignatureBytes)
  if (footer.signaturesLength > 0 && !equalBytes(hashSync('sha256', block), footer.signaturesDigest)) {
    throw new PackageError('E_DIGEST_MISMATCH', 'the signature block does not match its digest in the footer', { region: 'signatures', offset: blockStart })
  }
  // Whole records only, and no more than readers accept once the new ones are added.
  const existing = decodeSignatures(block, blockStart, true, DEFAULT_LIMITS.maxSignatureRecords).length
  if (existing + records.length > DEFAULT_LIMITS.maxSignatureRecords) {
    throw new PackageError('E_LIMIT', `the signature block would hold ${existing + records.length} records; readers accept at most ${DEFAULT_LIMITS.maxSignatureRecords}`, {
      what: 'signature records',
      limit: DEFAULT_LIMITS.maxSignatureRecords,
    })
  }
  const newFooter: Footer = {
    ...footer,
    signaturesLength: footer.signaturesLength + fresh.length,
    signaturesDigest: createHasher('sha256').update(block).update(fresh).digest(),
  }
  const offset = target.size - FOOTER_SIZE
  const tail = new Uint8Array(fresh.length + FOOTER_SIZE)
  tail.set(fresh)
  tail.set(encodeFooter(newFooter), fresh.length)
  return { offset, tail, footer: newFooter, size: offset + tail.length }
}

/**
 * A copy of `packageBytes` with `records` appended to its signature block: the data region,
 * manifest, index and existing records are copied as they are; only the footer is new.
 * Signing a package opened from bytes does this (`signPackage` from `@torshpkg/crypto`).
 *
 * @example
 * ```ts
 * import { createSignatureRecord } from '@torshpkg/crypto'
 * const pkg = await openPackage(bytes)
 * const signed = appendSignatures(bytes, [await createSignatureRecord(pkg, secretKey)])
 * ```
 */
export function appendSignatures(packageBytes: Uint8Array, records: readonly NewSignatureRecord[], expected: AppendExpectation = {}): Uint8Array {
  if (!(packageBytes instanceof Uint8Array)) throw new PackageError('E_ARGUMENT', 'packageBytes must be a Uint8Array', { field: 'packageBytes' })
  const size = packageBytes.length
  const target = appendTarget(size, packageBytes.subarray(0, PREAMBLE_SIZE), packageBytes.subarray(Math.max(0, size - FOOTER_SIZE)), expected)
  const plan = planAppend(target, packageBytes.subarray(target.blockStart, size - FOOTER_SIZE), records)
  const out = new Uint8Array(plan.size)
  out.set(packageBytes.subarray(0, plan.offset))
  out.set(plan.tail, plan.offset)
  return out
}

/** Validate and encode new records; at least one, kinds 1..65535, lengths within a u32. */
function checkRecords(records: readonly NewSignatureRecord[]): Uint8Array {
  if (!Array.isArray(records) || records.length === 0) throw new PackageError('E_ARGUMENT', 'expected a non-empty array of signature records', { field: 'records' })
  records.forEach((r, i) => {
    if (!r || !Number.isInteger(r.kind) || r.kind < 1 || r.kind > 0xffff) {
      throw new PackageError('E_ARGUMENT', `records[${i}].kind must be an integer from 1 to 65535`, { field: `records[${i}].kind` })
    }
    if (!(r.payload instanceof Uint8Array)) throw new PackageError('E_ARGUMENT', `records[${i}].payload must be a Uint8Array`, { field: `records[${i}].payload` })
  })
  const total = records.reduce((n, r) => n + SIGNATURE_RECORD_HEADER_SIZE + r.payload.length, 0)
  if (total > DEFAULT_LIMITS.maxSignatureBytes) throw tooBig(total, DEFAULT_LIMITS.maxSignatureBytes)
  return encodeSignatures(records as SignatureRecord[])
}

function tooBig(size: number, limit: number): PackageError {
  return new PackageError('E_LIMIT', `the signature block would be ${size} bytes; readers accept at most ${limit}`, { what: 'signature block', size, limit })
}
