// Bech32 (BIP-173), the encoding of age recipients (`age1...`) and identities
// (`AGE-SECRET-KEY-1...`). age uses the original Bech32 checksum constant (1), not Bech32m, and
// lifts BIP-173's 90-character limit (plugin recipients are longer), so this is a small
// implementation of our own rather than a Bitcoin-address library.
import { CryptoError } from '../errors.js'

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'
const CHARSET_REV = new Int8Array(128).fill(-1)
for (let i = 0; i < CHARSET.length; i++) CHARSET_REV[CHARSET.charCodeAt(i)] = i
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]

function polymod(values: ArrayLike<number>, chk = 1): number {
  for (let i = 0; i < values.length; i++) {
    const top = chk >>> 25
    chk = ((chk & 0x1ffffff) << 5) ^ values[i]!
    for (let j = 0; j < 5; j++) if ((top >>> j) & 1) chk ^= GENERATOR[j]!
  }
  return chk
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = []
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) >>> 5)
  out.push(0)
  for (let i = 0; i < hrp.length; i++) out.push(hrp.charCodeAt(i) & 31)
  return out
}

const bad = (message: string, details?: Record<string, unknown>) => new CryptoError('E_KEY', `Bech32: ${message}`, { details: { field: 'bech32', ...details } })

/**
 * Encode 5-bit `words` under `hrp` (lowercase output).
 *
 * @example
 * ```ts
 * bech32EncodeWords('a', []) // 'a12uel5l'
 * ```
 */
export function bech32EncodeWords(hrp: string, words: ArrayLike<number>): string {
  hrp = hrp.toLowerCase()
  const values = [...hrpExpand(hrp), ...Array.from(words), 0, 0, 0, 0, 0, 0]
  const mod = polymod(values) ^ 1
  let out = hrp + '1'
  for (let i = 0; i < words.length; i++) out += CHARSET[words[i]!]
  for (let i = 0; i < 6; i++) out += CHARSET[(mod >>> (5 * (5 - i))) & 31]
  return out
}

/**
 * Decode a Bech32 string into its lowercase human-readable part and 5-bit words. Strings must
 * be all lowercase or all uppercase; there is no length limit (age's rule). Throws `E_KEY`.
 *
 * @example
 * ```ts
 * bech32DecodeWords('A12UEL5L') // { hrp: 'a', words: Uint8Array [] }
 * ```
 */
export function bech32DecodeWords(text: string): { hrp: string; words: Uint8Array } {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 33 || c > 126) throw bad(`character ${JSON.stringify(text[i])} is outside printable ASCII`, { offset: i })
  }
  const lower = text.toLowerCase()
  if (lower !== text && text.toUpperCase() !== text) throw bad('mixes upper and lower case')
  const sep = lower.lastIndexOf('1')
  if (sep < 1) throw bad('no human-readable part before the "1" separator')
  if (lower.length - sep - 1 < 6) throw bad('the checksum is too short')
  const hrp = lower.slice(0, sep)
  const words = new Uint8Array(lower.length - sep - 1)
  for (let i = 0; i < words.length; i++) {
    const v = CHARSET_REV[lower.charCodeAt(sep + 1 + i)]!
    if (v < 0) throw bad(`character ${JSON.stringify(lower[sep + 1 + i])} is not in the Bech32 alphabet`, { offset: sep + 1 + i })
    words[i] = v
  }
  if (polymod(words, polymod(hrpExpand(hrp))) !== 1) throw bad('checksum mismatch (a typo, or a Bech32m string)')
  return { hrp, words: words.subarray(0, words.length - 6) }
}

/** Regroup 8-bit bytes as 5-bit words (zero-padded). */
export function toWords(bytes: Uint8Array): number[] {
  const out: number[] = []
  let acc = 0, bits = 0
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xfff
    bits += 8
    while (bits >= 5) out.push((acc >>> (bits -= 5)) & 31)
  }
  if (bits > 0) out.push((acc << (5 - bits)) & 31)
  return out
}

/** Regroup 5-bit words as bytes; padding must be under 5 bits and zero (BIP-173). */
export function fromWords(words: ArrayLike<number>): Uint8Array {
  const out: number[] = []
  let acc = 0, bits = 0
  for (let i = 0; i < words.length; i++) {
    acc = ((acc << 5) | words[i]!) & 0xfff
    bits += 5
    if (bits >= 8) out.push((acc >>> (bits -= 8)) & 255)
  }
  if (bits >= 5 || ((acc << (8 - bits)) & 255) !== 0) throw bad('the data has non-zero or excess padding bits')
  return Uint8Array.from(out)
}

/**
 * Bech32 of `bytes` under `hrp`; uppercase when `upper` (age identities are written so).
 *
 * @example
 * ```ts
 * bech32Encode('age', publicKey) // 'age1...'
 * ```
 */
export function bech32Encode(hrp: string, bytes: Uint8Array, upper = false): string {
  const s = bech32EncodeWords(hrp, toWords(bytes))
  return upper ? s.toUpperCase() : s
}

/** Decode Bech32 to `{ hrp (lowercase), bytes }`; throws `E_KEY`. */
export function bech32Decode(text: string): { hrp: string; bytes: Uint8Array } {
  const { hrp, words } = bech32DecodeWords(text)
  return { hrp, bytes: fromWords(words) }
}
