// Primitives: RFC test vectors on every implementation, then random inputs proving that every
// implementation gives the bytes every other one accepts. Wycheproof and the Ed25519 edge cases
// are in primitives.wycheproof.test.ts; WebCrypto specifics in primitives.web.test.ts.
import { describe, expect, it } from 'vitest'
import type { AeadAlgorithm } from '../src/primitives/types'
import rfc from './fixtures/vectors/rfc.json'
import { flipBit, fromHex, IMPLEMENTATIONS, pseudoRandom, toHex, utf8 } from './primitives.shared'

const AEADS: AeadAlgorithm[] = ['aes-256-gcm', 'chacha20-poly1305']

describe.each(IMPLEMENTATIONS)('RFC vectors: %s', (name, p) => {
  it.each(rfc.rfc8032_ed25519.tests)('RFC 8032 §7.1 Ed25519 $name: public key, signature, verification', async (t) => {
    const seed = fromHex(t.secretKey)
    const message = fromHex(t.message)
    expect(toHex(await p.ed25519.publicKey(seed))).toBe(t.publicKey)
    expect(toHex(await p.ed25519.sign(message, seed))).toBe(t.signature)
    expect(await p.ed25519.verify(fromHex(t.signature), message, fromHex(t.publicKey))).toBe(true)
    // The same signature on another message, or under another bit of the signature, must fail.
    expect(await p.ed25519.verify(fromHex(t.signature), utf8('other'), fromHex(t.publicKey))).toBe(false)
    expect(await p.ed25519.verify(flipBit(fromHex(t.signature), 3), message, fromHex(t.publicKey))).toBe(false)
  })

  it('RFC 7748 §5.2 X25519 vectors (the second has the high bit of u set, which must be ignored)', async () => {
    for (const v of rfc.rfc7748_x25519.vectors) {
      expect(toHex(await p.x25519.sharedSecret(fromHex(v.scalar), fromHex(v.u)))).toBe(v.output)
    }
  })

  // 'web without WebCrypto' runs noble's X25519 itself (its fallback calls the same function):
  // the first iteration shows the routing; the 1000 would repeat noble's run (2 s) to the bit.
  const iterations = name === 'web without WebCrypto' ? 1 : 1000
  it(`RFC 7748 §5.2 iterated X25519: ${iterations === 1 ? '1 iteration' : '1 and 1000 iterations'} (the 1 000 000 one takes minutes; omitted)`, async () => {
    const { start, after1, after1000 } = rfc.rfc7748_x25519.iterated
    let k = fromHex(start)
    let u = fromHex(start)
    for (let i = 1; i <= iterations; i++) {
      const next = await p.x25519.sharedSecret(k, u)
      u = k
      k = next
      if (i === 1) expect(toHex(k)).toBe(after1)
    }
    if (iterations === 1000) expect(toHex(k)).toBe(after1000)
  })

  it('RFC 7748 §6.1 Diffie-Hellman: both public keys and the shared secret from both sides', async () => {
    const d = rfc.rfc7748_x25519.dh
    expect(toHex(await p.x25519.publicKey(fromHex(d.alicePrivate)))).toBe(d.alicePublic)
    expect(toHex(await p.x25519.publicKey(fromHex(d.bobPrivate)))).toBe(d.bobPublic)
    expect(toHex(await p.x25519.sharedSecret(fromHex(d.alicePrivate), fromHex(d.bobPublic)))).toBe(d.shared)
    expect(toHex(await p.x25519.sharedSecret(fromHex(d.bobPrivate), fromHex(d.alicePublic)))).toBe(d.shared)
  })

  it.each(rfc.rfc5869_hkdf_sha256.tests)('RFC 5869 HKDF-SHA-256 $name', async (t) => {
    expect(toHex(await p.hkdf(fromHex(t.ikm), fromHex(t.salt), fromHex(t.info), t.length))).toBe(t.okm)
  })

  it.each(rfc.rfc4231_hmac_sha256.tests)('RFC 4231 HMAC-SHA-256 §$name', async (t) => {
    const mac = toHex(await p.hmac(fromHex(t.key), fromHex(t.data)))
    // §4.6 publishes only the first 128 bits.
    expect(mac.slice(0, t.mac.length)).toBe(t.mac)
    expect(mac).toHaveLength(64)
  })

  it.each(rfc.rfc7914_scrypt.tests)('RFC 7914 scrypt N=2^$logN r=$r p=$p', async (t) => {
    const key = await p.scrypt(fromHex(t.password), fromHex(t.salt), { logN: t.logN, r: t.r, p: t.p, dkLen: t.dkLen })
    expect(toHex(key)).toBe(t.key)
  })
})

// ---------------------------------------------------------------------------------------------
// Random inputs: whatever one implementation produces, every other accepts, byte for byte.

const ALL = IMPLEMENTATIONS.map(([, p]) => p)

describe('every implementation agrees on random inputs', () => {
  it('Ed25519: same public keys and signatures; each verifies the others; any change is rejected by all', async () => {
    for (let i = 0; i < 12; i++) {
      const seed = pseudoRandom(32, 100 + i)
      const message = pseudoRandom([0, 1, 31, 32, 63, 64, 127, 128, 1000, 4096, 65_537, 3][i]!, 200 + i)
      const keys = new Set<string>()
      const sigs = new Set<string>()
      for (const p of ALL) {
        keys.add(toHex(await p.ed25519.publicKey(seed)))
        sigs.add(toHex(await p.ed25519.sign(message, seed)))
      }
      expect(keys.size).toBe(1)
      expect(sigs.size).toBe(1) // Ed25519 is deterministic
      const [publicKey, signature] = [fromHex([...keys][0]!), fromHex([...sigs][0]!)]
      const tampered = message.length ? flipBit(message, (i * 7) % (message.length * 8)) : Uint8Array.of(0)
      for (const p of ALL) {
        expect(await p.ed25519.verify(signature, message, publicKey), p.name).toBe(true)
        expect(await p.ed25519.verify(signature, tampered, publicKey), p.name).toBe(false)
        expect(await p.ed25519.verify(flipBit(signature, 8 * i + 1), message, publicKey), p.name).toBe(false)
        expect(await p.ed25519.verify(signature, message, flipBit(publicKey, 5)), p.name).toBe(false)
      }
    }
  })

  it('X25519: same public keys; a shared secret computed on one side by one implementation matches the other side on another', async () => {
    for (let i = 0; i < 8; i++) {
      const a = pseudoRandom(32, 300 + i)
      const b = pseudoRandom(32, 400 + i)
      const publicA = new Set<string>()
      for (const p of ALL) publicA.add(toHex(await p.x25519.publicKey(a)))
      expect(publicA.size).toBe(1)
      const B = await ALL[i % ALL.length]!.x25519.publicKey(b)
      const A = fromHex([...publicA][0]!)
      const shared = new Set<string>()
      for (const p of ALL) {
        shared.add(toHex(await p.x25519.sharedSecret(a, B)))
        shared.add(toHex(await p.x25519.sharedSecret(b, A)))
      }
      expect(shared.size).toBe(1)
    }
  })

  it.each(AEADS)('%s: same ciphertext everywhere; each decrypts the others; any changed byte is E_DECRYPT everywhere', async (algorithm) => {
    const lengths = [0, 1, 15, 16, 17, 63, 64, 65, 1000, 65_539]
    for (const [i, n] of lengths.entries()) {
      const key = pseudoRandom(32, 500 + i)
      const nonce = pseudoRandom(12, 600 + i)
      const plaintext = pseudoRandom(n, 700 + i)
      const aad = i % 3 === 0 ? undefined : pseudoRandom(i * 5, 800 + i)
      const sealed = new Set<string>()
      for (const p of ALL) sealed.add(toHex(await p.aead.encrypt(algorithm, key, nonce, plaintext, aad)))
      expect(sealed.size, `length ${n}`).toBe(1)
      const ct = fromHex([...sealed][0]!)
      expect(ct.length).toBe(n + 16)
      for (const p of ALL) {
        expect(toHex(await p.aead.decrypt(algorithm, key, nonce, ct, aad)), p.name).toBe(toHex(plaintext))
        await expect(p.aead.decrypt(algorithm, key, nonce, flipBit(ct, (i * 13) % (ct.length * 8)), aad), p.name).rejects.toMatchObject({ code: 'E_DECRYPT' })
        await expect(p.aead.decrypt(algorithm, flipBit(key, i), nonce, ct, aad), p.name).rejects.toMatchObject({ code: 'E_DECRYPT' })
        await expect(p.aead.decrypt(algorithm, key, flipBit(nonce, i), ct, aad), p.name).rejects.toMatchObject({ code: 'E_DECRYPT' })
        await expect(p.aead.decrypt(algorithm, key, nonce, ct, aad ? flipBit(aad.length ? aad : Uint8Array.of(0), 0) : Uint8Array.of(1)), p.name).rejects.toMatchObject({ code: 'E_DECRYPT' })
      }
    }
  })

  it.each(AEADS)('%s: no associated data and empty associated data are the same thing', async (algorithm) => {
    const key = pseudoRandom(32, 1)
    const nonce = pseudoRandom(12, 2)
    for (const p of ALL) {
      const a = await p.aead.encrypt(algorithm, key, nonce, utf8('hello'))
      const b = await p.aead.encrypt(algorithm, key, nonce, utf8('hello'), new Uint8Array(0))
      expect(toHex(a)).toBe(toHex(b))
    }
  })

  it('HKDF and HMAC: equal on random keys and lengths, including an empty key or IKM and both output-length bounds', async () => {
    const cases: [number, number, number, number][] = [
      [0, 0, 0, 32], // empty IKM, salt and info
      [22, 13, 10, 0], // zero-length output
      [32, 32, 0, 1],
      [64, 0, 100, 255 * 32], // the RFC 5869 maximum
      [200, 200, 200, 77],
    ]
    for (const [i, [ikmLen, saltLen, infoLen, length]] of cases.entries()) {
      const ikm = pseudoRandom(ikmLen, 900 + i)
      const outs = new Set<string>()
      for (const p of ALL) outs.add(toHex(await p.hkdf(ikm, pseudoRandom(saltLen, 910 + i), pseudoRandom(infoLen, 920 + i), length)))
      expect(outs.size, `case ${i}`).toBe(1)
      expect([...outs][0]!.length).toBe(2 * length)
    }
    for (const keyLen of [0, 1, 32, 64, 65, 200]) {
      const key = pseudoRandom(keyLen, 930 + keyLen)
      const data = pseudoRandom(keyLen * 3, 940)
      const macs = new Set<string>()
      for (const p of ALL) macs.add(toHex(await p.hmac(key, data)))
      expect(macs.size, `key length ${keyLen}`).toBe(1)
    }
  })

  it('scrypt: equal on small random parameters', async () => {
    for (const [logN, r, p, dkLen] of [[1, 1, 1, 16], [5, 2, 3, 32], [8, 4, 1, 100]] as const) {
      const outs = new Set<string>()
      for (const impl of ALL) outs.add(toHex(await impl.scrypt(utf8('pw'), utf8('salt'), { logN, r, p, dkLen })))
      expect(outs.size).toBe(1)
    }
  })

  it('randomBytes: the requested length, including 0 and more than one getRandomValues call (65 536 bytes)', () => {
    for (const p of ALL) {
      expect(p.randomBytes(0)).toHaveLength(0)
      const big = p.randomBytes(100_000)
      expect(big).toHaveLength(100_000)
      // 100 000 random bytes have every byte value; all-zero tails would mean an unfilled chunk.
      expect(new Set(big.subarray(65_536)).size).toBe(256)
      expect(toHex(p.randomBytes(32))).not.toBe(toHex(p.randomBytes(32)))
      for (const bad of [-1, 0.5, Number.NaN]) expect(() => p.randomBytes(bad)).toThrow(expect.objectContaining({ name: 'CryptoError', code: 'E_ARGUMENT' }))
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Errors: the same CryptoError code whichever engine would have complained.

describe.each(IMPLEMENTATIONS)('argument errors: %s', (_, p) => {
  const key = pseudoRandom(32, 1)
  const nonce = pseudoRandom(12, 2)

  it('AEAD: key length E_KEY, nonce length E_ARGUMENT, unknown algorithm E_UNSUPPORTED_ALGORITHM, short input E_DECRYPT', async () => {
    for (const algorithm of AEADS) {
      await expect(p.aead.encrypt(algorithm, key.subarray(0, 16), nonce, utf8('x'))).rejects.toMatchObject({ name: 'CryptoError', code: 'E_KEY' })
      await expect(p.aead.decrypt(algorithm, new Uint8Array(33), nonce, new Uint8Array(20))).rejects.toMatchObject({ code: 'E_KEY' })
      await expect(p.aead.encrypt(algorithm, key, new Uint8Array(24), utf8('x'))).rejects.toMatchObject({ code: 'E_ARGUMENT' })
      for (const length of [0, 15]) await expect(p.aead.decrypt(algorithm, key, nonce, new Uint8Array(length))).rejects.toMatchObject({ code: 'E_DECRYPT' })
      await expect(p.aead.decrypt(algorithm, key, nonce, new Uint8Array(16))).rejects.toMatchObject({ code: 'E_DECRYPT' })
    }
    await expect(p.aead.encrypt('aes-128-gcm' as AeadAlgorithm, key, nonce, utf8('x'))).rejects.toMatchObject({ code: 'E_UNSUPPORTED_ALGORITHM' })
  })

  it('Ed25519/X25519: wrong key lengths are E_KEY; verify answers false and never throws', async () => {
    await expect(p.ed25519.publicKey(new Uint8Array(31))).rejects.toMatchObject({ code: 'E_KEY' })
    await expect(p.ed25519.sign(utf8('m'), new Uint8Array(64))).rejects.toMatchObject({ code: 'E_KEY' })
    await expect(p.x25519.publicKey(new Uint8Array(0))).rejects.toMatchObject({ code: 'E_KEY' })
    await expect(p.x25519.sharedSecret(key, new Uint8Array(33))).rejects.toMatchObject({ code: 'E_KEY' })
    const seed = pseudoRandom(32, 7)
    const publicKey = await p.ed25519.publicKey(seed)
    const signature = await p.ed25519.sign(utf8('m'), seed)
    for (const [sig, pk] of [
      [signature.subarray(0, 63), publicKey],
      [new Uint8Array(65), publicKey],
      [signature, publicKey.subarray(1)],
      [signature, new Uint8Array(32).fill(0xff)], // not a canonical encoding
      ['not bytes', publicKey],
    ] as const) {
      await expect(p.ed25519.verify(sig as Uint8Array, utf8('m'), pk)).resolves.toBe(false)
    }
  })

  it('HKDF: more than 255 blocks is E_ARGUMENT; scrypt: impossible parameters are E_ARGUMENT', async () => {
    await expect(p.hkdf(key, key, key, 255 * 32 + 1)).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    await expect(p.hkdf(key, key, key, -1)).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    await expect(p.scrypt(key, key, { logN: 0, r: 8, p: 1, dkLen: 32 })).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    await expect(p.scrypt(key, key, { logN: 10, r: 8, p: 1, dkLen: 0 })).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    // Parameters RFC 7914 allows but some engine cannot run are refused by all, not computed by
    // noble and refused by OpenSSL with its own RangeError: N >= 2^(16 r), 128·r·p past 2^31 - 1,
    // an output past Node's 2^31 - 1 bytes.
    for (const params of [
      { logN: 16, r: 1, p: 1, dkLen: 32 },
      { logN: 1, r: 8, p: 2 ** 21, dkLen: 32 },
      { logN: 1, r: 1, p: 1, dkLen: 2 ** 31 },
    ]) {
      await expect(p.scrypt(key, key, params), JSON.stringify(params)).rejects.toMatchObject({ name: 'CryptoError', code: 'E_ARGUMENT' })
    }
    expect(toHex(await p.scrypt(key, key, { logN: 15, r: 1, p: 1, dkLen: 8 }))).toHaveLength(16) // N = 2^15 < 2^16: fine
  })

  it('HKDF, HMAC and scrypt take bytes only: a string is E_ARGUMENT everywhere (node:crypto alone would hash it as UTF-8)', async () => {
    const str = 'key' as unknown as Uint8Array
    await expect(p.hmac(str, key)).rejects.toMatchObject({ name: 'CryptoError', code: 'E_ARGUMENT' })
    await expect(p.hmac(key, str)).rejects.toMatchObject({ name: 'CryptoError', code: 'E_ARGUMENT' })
    for (const args of [[str, key, key], [key, str, key], [key, key, str]] as const) {
      await expect(p.hkdf(args[0], args[1], args[2], 32)).rejects.toMatchObject({ name: 'CryptoError', code: 'E_ARGUMENT' })
    }
    await expect(p.scrypt(str, key, { logN: 2, r: 1, p: 1, dkLen: 8 })).rejects.toMatchObject({ name: 'CryptoError', code: 'E_ARGUMENT' })
    await expect(p.scrypt(key, str, { logN: 2, r: 1, p: 1, dkLen: 8 })).rejects.toMatchObject({ name: 'CryptoError', code: 'E_ARGUMENT' })
  })
})

describe('node specifics', () => {
  it('KeyObjects imported through JWK (the fast path) and through PKCS#8/SPKI DER behave identically', async () => {
    const { createPublicKey, diffieHellman, sign } = await import('node:crypto')
    const { derKey, nodePrimitives: p } = await import('../src/primitives/node')
    for (let i = 0; i < 4; i++) {
      const seed = pseudoRandom(32, 40 + i)
      const message = pseudoRandom(100 * i, 50 + i)
      const viaDer = new Uint8Array(sign(null, message, derKey('Ed25519', 'private', seed)))
      expect(toHex(await p.ed25519.sign(message, seed))).toBe(toHex(viaDer))
      const pub = createPublicKey(derKey('Ed25519', 'private', seed)).export({ format: 'der', type: 'spki' }).subarray(12)
      expect(toHex(await p.ed25519.publicKey(seed))).toBe(toHex(pub))
      const peer = await p.x25519.publicKey(pseudoRandom(32, 60 + i))
      const shared = diffieHellman({ privateKey: derKey('X25519', 'private', seed), publicKey: derKey('X25519', 'public', peer) })
      expect(toHex(await p.x25519.sharedSecret(seed, peer))).toBe(toHex(shared))
    }
  })
})

describe('outputs are plain Uint8Arrays that own exactly their bytes (no Buffer, no view into a shared pool)', () => {
  it.each(IMPLEMENTATIONS)('%s', async (_, p) => {
    const key = pseudoRandom(32, 1)
    const nonce = pseudoRandom(12, 2)
    const outputs = [
      await p.ed25519.publicKey(key),
      await p.ed25519.sign(utf8('m'), key),
      await p.x25519.publicKey(key),
      await p.x25519.sharedSecret(key, await p.x25519.publicKey(pseudoRandom(32, 3))),
      await p.aead.encrypt('aes-256-gcm', key, nonce, utf8('short')),
      await p.aead.decrypt('chacha20-poly1305', key, nonce, await p.aead.encrypt('chacha20-poly1305', key, nonce, utf8('short'))),
      await p.hkdf(key, key, key, 7),
      await p.hmac(key, key),
      await p.scrypt(key, key, { logN: 2, r: 1, p: 1, dkLen: 5 }),
      await p.hash('sha512', key),
    ]
    for (const [i, out] of outputs.entries()) {
      expect(Object.getPrototypeOf(out), `output ${i}`).toBe(Uint8Array.prototype)
      expect(out.buffer.byteLength, `output ${i}`).toBe(out.byteLength)
    }
  })
})
