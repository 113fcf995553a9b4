// Which kind of age file some bytes begin, from their first bytes alone: what a reader that
// accepts either age or something else (a package, say) needs before choosing a decoder.
import { startsWithBytes } from '../bytes.js'
import { skipSpace } from './armor.js'

const BINARY = new TextEncoder().encode('age-encryption.org/v1\n')
const ARMORED = new TextEncoder().encode('-----BEGIN AGE ENCRYPTED FILE-----')

/** Bytes enough for {@link detectAgeFile} to decide (after up to a few bytes of leading whitespace). */
export const AGE_DETECT_BYTES = 64

/**
 * `'binary'` if `head` starts with the age v1 header line, `'armored'` if (after optional
 * whitespace, as the armor rules allow) it starts with the armor's BEGIN line, else undefined.
 *
 * @example
 * ```ts
 * detectAgeFile(await readFirstBytes(file, AGE_DETECT_BYTES)) // 'binary' | 'armored' | undefined
 * ```
 */
export function detectAgeFile(head: Uint8Array): 'binary' | 'armored' | undefined {
  if (startsWithBytes(head, BINARY)) return 'binary'
  return startsWithBytes(head, ARMORED, skipSpace(head)) ? 'armored' : undefined
}
