// Wycheproof vectors and the Ed25519 edge cases of "Taming the many EdDSAs", on every
// implementation. Where the underlying libraries disagree, the shared rule of
// src/primitives/ed25519-rules.ts decides, and the last block pins down the raw disagreement so
// that a library changing behaviour shows up here.
import { verify as opensslVerify, createPublicKey } from 'node:crypto'
import * as ed from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import { describe, expect, it } from 'vitest'
import { isCanonicalPoint, isStrictPublicKey, passesEd25519Prechecks } from '../src/primitives/ed25519-rules'
import type { AeadAlgorithm } from '../src/primitives/types'
import aesGcm from './fixtures/vectors/wycheproof_aes_gcm.json'
import chacha from './fixtures/vectors/wycheproof_chacha20_poly1305.json'
import wyEd25519 from './fixtures/vectors/wycheproof_ed25519.json'
import wyX25519 from './fixtures/vectors/wycheproof_x25519.json'
import speccheck from './fixtures/vectors/speccheck_ed25519.json'
import { fromHex, IMPLEMENTATIONS, toHex } from './primitives.shared'

describe.each(IMPLEMENTATIONS)('Wycheproof on %s', (_, p) => {
  it(`ed25519_test.json: all ${wyEd25519.tests.length} verdicts (valid, invalid encodings, S >= L, truncated, garbage)`, async () => {
    const wrong: number[] = []
    for (const t of wyEd25519.tests) {
      const ok = await p.ed25519.verify(fromHex(t.sig), fromHex(t.msg), fromHex(t.pk))
      if (ok !== (t.result === 'valid')) wrong.push(t.tcId)
    }
    expect(wrong).toEqual([])
    expect(wyEd25519.tests.filter((t) => t.result === 'valid')).toHaveLength(88)
  })

  it(`x25519_test.json (${wyX25519.tests.length} cases): every result, and E_DECRYPT for each of the ${wyX25519.tests.filter((t) => /^0+$/.test(t.shared)).length} zero shared secrets`, async () => {
    // Wycheproof rates low-order public keys "acceptable" whether accepted or refused; we refuse
    // every input whose result is all zeros (RFC 7748 §6.1's check): sharedSecret throws E_DECRYPT.
    // Twist points and non-canonical u (high bit set, or u >= p) are computed as RFC 7748 §5 says.
    for (const t of wyX25519.tests) {
      const call = p.x25519.sharedSecret(fromHex(t.private), fromHex(t.public))
      if (/^0+$/.test(t.shared)) await expect(call, `tcId ${t.tcId}`).rejects.toMatchObject({ code: 'E_DECRYPT' })
      else expect(toHex(await call), `tcId ${t.tcId}`).toBe(t.shared)
    }
  })

  const aeadFiles: [AeadAlgorithm, typeof aesGcm][] = [
    ['aes-256-gcm', aesGcm],
    ['chacha20-poly1305', chacha],
  ]
  it.each(aeadFiles)('%s: encrypts every valid vector to ct||tag, decrypts it, and rejects every modified tag with E_DECRYPT', async (algorithm, file) => {
    let valid = 0
    let invalid = 0
    for (const t of file.tests) {
      const [key, iv, aad, msg] = [fromHex(t.key), fromHex(t.iv), fromHex(t.aad), fromHex(t.msg)]
      const sealed = fromHex(t.ct + t.tag)
      if (t.result === 'valid') {
        valid++
        expect(toHex(await p.aead.encrypt(algorithm, key, iv, msg, aad)), `tcId ${t.tcId}`).toBe(t.ct + t.tag)
        expect(toHex(await p.aead.decrypt(algorithm, key, iv, sealed, aad)), `tcId ${t.tcId}`).toBe(t.msg)
      } else {
        invalid++
        await expect(p.aead.decrypt(algorithm, key, iv, sealed, aad), `tcId ${t.tcId}`).rejects.toMatchObject({ code: 'E_DECRYPT' })
      }
    }
    expect(valid).toBeGreaterThan(20)
    expect(invalid).toBeGreaterThan(10)
  })
})

// ---------------------------------------------------------------------------------------------
// Ed25519 edge cases (ed25519-speccheck): the shared rule accepts exactly cases 2 and 3.

/** The verdict of the shared rule (ed25519-rules.ts) on each speccheck case, with the rule that decides. */
const EXPECTED: Record<number, [boolean, string]> = {
  0: [false, 'small-order A'],
  1: [false, 'small-order A'],
  2: [true, 'small-order R is allowed (as OpenSSL, noble, libsodium); A has large order'],
  3: [true, 'mixed-order A and R, both equations hold'],
  4: [false, 'only the cofactored equation holds'],
  5: [false, 'only the cofactored equation holds'],
  6: [false, 'S >= L'],
  7: [false, 'S >= L'],
  8: [false, 'non-canonical R'],
  9: [false, 'non-canonical R'],
  10: [false, 'non-canonical (and small-order) A'],
  11: [false, 'non-canonical (and small-order) A'],
}

describe.each(IMPLEMENTATIONS)('ed25519-speccheck on %s', (_, p) => {
  it.each(speccheck.cases)('case $case ($comment)', async (c) => {
    const ok = await p.ed25519.verify(fromHex(c.signature), fromHex(c.message), fromHex(c.pub_key))
    expect(ok, EXPECTED[c.case]![1]).toBe(EXPECTED[c.case]![0])
  })
})

describe('the Ed25519 rule itself (ed25519-rules.ts)', () => {
  ed.hashes.sha512 ??= sha512

  it('its small-order table is exactly the y-coordinates of the 8 torsion points, recomputed from the curve', () => {
    const T = ed.Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a')
    let P = ed.Point.ZERO
    for (let i = 0; i < 8; i++) {
      expect(P.isSmallOrder()).toBe(true)
      const enc = P.toBytes()
      expect(isCanonicalPoint(enc)).toBe(true)
      expect(isStrictPublicKey(enc), `torsion point ${i}`).toBe(false)
      P = P.add(T)
    }
    expect(P.equals(ed.Point.ZERO)).toBe(true) // T has order 8
    for (let i = 0; i < 20; i++) expect(isStrictPublicKey(ed.Point.BASE.multiply(BigInt(1 + 977 * i)).toBytes())).toBe(true)
  })

  it('canonical encodings: y < p, and no sign bit on x = 0', () => {
    const y = (hex: string) => fromHex(hex)
    expect(isCanonicalPoint(y('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'))).toBe(true) // y = p - 1
    expect(isCanonicalPoint(y('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'))).toBe(false) // y = p
    expect(isCanonicalPoint(y('ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'))).toBe(false) // y = p + 18
    expect(isCanonicalPoint(y('ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'))).toBe(false)
    expect(isCanonicalPoint(y('0100000000000000000000000000000000000000000000000000000000000080'))).toBe(false) // y = 1, x = 0, sign 1
    expect(isCanonicalPoint(y('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'))).toBe(false) // y = -1, x = 0, sign 1
    expect(isCanonicalPoint(y('0000000000000000000000000000000000000000000000000000000000000080'))).toBe(true) // y = 0: x != 0
    expect(isCanonicalPoint(new Uint8Array(31))).toBe(false)
    // noble's strict decoder agrees on each of these (decodes exactly the canonical ones, when on the curve).
    for (const hex of ['edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', '0100000000000000000000000000000000000000000000000000000000000080']) {
      expect(() => ed.Point.fromBytes(y(hex), false)).toThrow()
    }
  })

  it('prechecks: S must be below L, lengths exact', () => {
    const sig = new Uint8Array(64)
    const pk = ed.Point.BASE.toBytes()
    expect(passesEd25519Prechecks(sig, pk)).toBe(true) // R = (0, 0) encoding is canonical; S = 0 < L
    const L = fromHex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010')
    sig.set(L, 32)
    expect(passesEd25519Prechecks(sig, pk)).toBe(false)
    sig[32] = 0xec // L - 1
    expect(passesEd25519Prechecks(sig, pk)).toBe(true)
    expect(passesEd25519Prechecks(sig.subarray(1), pk)).toBe(false)
    expect(passesEd25519Prechecks(sig, pk.subarray(1))).toBe(false)
  })
})

describe('why the rule exists: the raw libraries disagree (if this fails, a library changed; revisit ed25519-rules.ts)', () => {
  ed.hashes.sha512 ??= sha512
  const accepted = (verdict: (c: (typeof speccheck.cases)[number]) => boolean) => speccheck.cases.filter(verdict).map((c) => c.case)
  const spki = (pk: string) => createPublicKey({ key: Buffer.concat([fromHex('302a300506032b6570032100'), fromHex(pk)]), format: 'der', type: 'spki' })

  it('OpenSSL (node:crypto) alone accepts small-order A (0, 1) and a non-canonical A (11)', () => {
    expect(accepted((c) => opensslVerify(null, fromHex(c.message), spki(c.pub_key), fromHex(c.signature)))).toEqual([0, 1, 2, 3, 11])
  })

  it('noble with { zip215: false } alone accepts the cofactored-only cases (4, 5)', () => {
    expect(accepted((c) => ed.verify(fromHex(c.signature), fromHex(c.message), fromHex(c.pub_key), { zip215: false }))).toEqual([2, 3, 4, 5])
  })

  it('WebCrypto in Node (OpenSSL) behaves as OpenSSL', async () => {
    const verdicts: number[] = []
    for (const c of speccheck.cases) {
      const key = await crypto.subtle.importKey('raw', fromHex(c.pub_key) as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify'])
      if (await crypto.subtle.verify({ name: 'Ed25519' }, key, fromHex(c.signature) as Uint8Array<ArrayBuffer>, fromHex(c.message) as Uint8Array<ArrayBuffer>)) verdicts.push(c.case)
    }
    expect(verdicts).toEqual([0, 1, 2, 3, 11])
  })
})
