/**
 * The one Ed25519 verification rule all three implementations enforce, so that a signature
 * valid in Node is valid in the browser and in pure JS, and vice versa.
 *
 * RFC 8032 leaves implementations free to use the cofactored or the cofactorless equation and
 * is silent on small-order keys, and real libraries differ on exactly the inputs a malicious
 * signer can craft ("Taming the many EdDSAs", Chalkias et al. 2020). Measured on the
 * ed25519-speccheck cases (test/fixtures/vectors/speccheck_ed25519.json):
 *
 * | case | what                                    | OpenSSL 3 / WebCrypto | noble `zip215: false` |
 * |------|-----------------------------------------|-----------------------|-----------------------|
 * | 0, 1 | small-order public key A                | accept                | reject                |
 * | 4, 5 | mixed-order A and R, cofactored eq. only| reject                | accept                |
 * | 11   | non-canonical A (y = p-1, x = 0, sign 1)| accept                | reject                |
 *
 * (All 151 Wycheproof ed25519 vectors agree already.) We enforce the intersection, i.e. the
 * strictest reading, everywhere:
 *
 * 1. signature is 64 bytes and public key 32 bytes;
 * 2. S < L (RFC 8032 §5.1.7; no malleability);
 * 3. R and A are canonical encodings: y < p, and not x = 0 with the sign bit set (§5.1.3);
 * 4. A is not one of the 8 small-order points (as libsodium and noble's strict mode);
 * 5. the cofactorless equation [S]B = R + [k]A holds (as OpenSSL, BoringSSL, Go, CryptoKit).
 *
 * Rules 1-4 are byte comparisons (this file), run before native verification in the node and web
 * paths; native code then does 5. The noble path checks 1-4 here too and does 5 itself
 * (noble's own verify uses the cofactored equation, which would accept cases 4 and 5).
 */

// p = 2^255 - 19 and L = 2^252 + 27742317777372353535851937790883648493, little-endian.
const P_BYTES = hexBytes('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')
const L_BYTES = hexBytes('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010')

/**
 * y-coordinates (sign bit cleared) of the 8 points of order dividing 8: the identity (y = 1),
 * the point of order 2 (y = p - 1), those of order 4 (y = 0) and of order 8 (two y values).
 * test/primitives.ed25519.test.ts recomputes this list from the curve.
 */
const SMALL_ORDER_Y = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
].map(hexBytes)

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** a < b for 32-byte little-endian integers, after clearing bit 255 of `a` when `maskTop`. */
function lessThan(a: Uint8Array, b: Uint8Array, maskTop: boolean): boolean {
  for (let i = 31; i >= 0; i--) {
    const x = i === 31 && maskTop ? a[i]! & 0x7f : a[i]!
    if (x !== b[i]) return x < b[i]!
  }
  return false
}

function sameY(encoding: Uint8Array, y: Uint8Array): boolean {
  for (let i = 0; i < 31; i++) if (encoding[i] !== y[i]) return false
  return (encoding[31]! & 0x7f) === y[31]
}

/** Rule 3 for one 32-byte point encoding: y < p, and the sign bit is clear when x = 0 (y = ±1). */
export function isCanonicalPoint(encoding: Uint8Array): boolean {
  if (encoding.length !== 32 || !lessThan(encoding, P_BYTES, true)) return false
  const signed = (encoding[31]! & 0x80) !== 0
  return !(signed && (sameY(encoding, SMALL_ORDER_Y[0]!) || sameY(encoding, SMALL_ORDER_Y[1]!)))
}

/** Rules 3 and 4 for a public key: canonical, and not of small order (whatever its sign bit). */
export function isStrictPublicKey(publicKey: Uint8Array): boolean {
  return isCanonicalPoint(publicKey) && !SMALL_ORDER_Y.some((y) => sameY(publicKey, y))
}

/**
 * Rules 1-4: what must hold before the verification equation is even worth computing.
 * A `false` here is a definitive rejection on every path.
 */
export function passesEd25519Prechecks(signature: Uint8Array, publicKey: Uint8Array): boolean {
  return (
    signature.length === 64 &&
    publicKey.length === 32 &&
    lessThan(signature.subarray(32), L_BYTES, false) &&
    isCanonicalPoint(signature.subarray(0, 32)) &&
    isStrictPublicKey(publicKey)
  )
}
