import { PackageError } from '../errors.js'
import { DIGEST_SIZE, END_MAGIC, FOOTER_SIZE, PREAMBLE_SIZE } from './constants.js'
import { Builder, Cursor } from './cursor.js'

/** The fixed 96 bytes at the end of the file. */
export interface Footer {
  /** Package digest over preamble, layout, manifest and index (see docs/format.md). */
  digest: Uint8Array
  /** Digest of the signature block, all zeros when the block is empty. */
  signaturesDigest: Uint8Array
  /** Offset of the manifest, which the index and signature block follow. */
  tailOffset: number
  manifestLength: number
  indexLength: number
  signaturesLength: number
  /**
   * Flag bit 0: the preamble's tail locator was filled in (it must then equal `tailOffset`;
   * otherwise it must be 0). The locator is outside the digest, and so is this flag, which is
   * how the digest stays the same whatever the sink: each checks the other, so one flipped
   * bit in either is caught.
   */
  hasLocator: boolean
}

/** Footer flag bits (the u32 at offset 84). */
export const FOOTER_FLAG_LOCATOR = 1

export function encodeFooter(f: Footer): Uint8Array {
  return new Builder(FOOTER_SIZE)
    .put(f.digest)
    .put(f.signaturesDigest)
    .u64(f.tailOffset)
    .u32(f.manifestLength)
    .u32(f.indexLength)
    .u32(f.signaturesLength)
    .u32(f.hasLocator ? FOOTER_FLAG_LOCATOR : 0)
    .put(END_MAGIC).bytes
}

/** Decode the last 96 bytes of a file of `fileSize` bytes and check they describe that file. */
export function decodeFooter(bytes: Uint8Array, fileSize: number, strict = true): Footer {
  const base = fileSize - FOOTER_SIZE
  for (let i = 0; i < END_MAGIC.length; i++) {
    if (bytes[FOOTER_SIZE - END_MAGIC.length + i] !== END_MAGIC[i]) {
      throw new PackageError('E_TRUNCATED', 'the file does not end with a torshpkg footer: it was cut short or never finished', {
        region: 'footer',
        offset: fileSize - END_MAGIC.length + i,
      })
    }
  }
  const c = new Cursor(bytes, 'footer', base)
  const digest = c.take(DIGEST_SIZE, 'package digest')
  const signaturesDigest = c.take(DIGEST_SIZE, 'signature digest')
  const tailOffset = c.u64('tail offset')
  const manifestLength = c.u32('manifest length')
  const indexLength = c.u32('index length')
  const signaturesLength = c.u32('signature block length')
  const flags = c.u32('flags')
  // A newer minor version may define more flags; 1.0 defines only bit 0.
  if (strict && (flags & ~FOOTER_FLAG_LOCATOR) !== 0) {
    c.pos -= 4
    throw c.fail(`flags are 0x${flags.toString(16)} but format 1.0 defines only bit 0`)
  }
  if (tailOffset < PREAMBLE_SIZE) {
    c.pos = 64
    throw c.fail(`tail offset ${tailOffset} points into the preamble`)
  }
  const end = tailOffset + manifestLength + indexLength + signaturesLength + FOOTER_SIZE
  if (end !== fileSize) {
    c.pos = 64
    throw c.fail(`regions end at byte ${end} but the file has ${fileSize} bytes`, end > fileSize ? 'E_TRUNCATED' : 'E_CORRUPT')
  }
  if (signaturesLength === 0 && signaturesDigest.some((x) => x !== 0)) {
    c.pos = 32
    throw c.fail('signature digest must be zero when there is no signature block')
  }
  return { digest, signaturesDigest, tailOffset, manifestLength, indexLength, signaturesLength, hasLocator: (flags & FOOTER_FLAG_LOCATOR) !== 0 }
}
