import { createReadStream, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { requireTool, runTool } from '../../../scripts/test-tools'
import * as nodeIndex from '../src/index.node'
import { noblePrimitives } from '../src/primitives/noble'
import { CryptoError, formatMinisignPublicKey, parseMinisignPublicKey, parseMinisignSignature, type PublicKey, type SecretKey } from '../src/index.node'
import { base64Encode, tryBase64Decode } from '../src/encoding/base64'
import { APIS, tempDir } from './minisign-helpers'

// minisign signatures: the fixtures minisign 0.11 made, our signatures checked by the real
// `minisign -V`, and every way a signature can be damaged giving `valid: false` with a reason.

const FIX = new URL('./fixtures/minisign/', import.meta.url)
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, FIX)))
const fixtureText = (name: string) => readFileSync(new URL(name, FIX), 'utf8')
const PAYLOAD = fixture('payload.bin')
const LEGACY_PAYLOAD = fixture('payload-legacy.bin')
const SIG_ED = fixtureText('payload.bin.minisig')
const SIG_LEGACY = fixtureText('payload-legacy.bin.minisig')
const PUB = parseMinisignPublicKey(fixtureText('minisign.pub'))
const FIXTURE_KEY_ID = 'C58F983C0AD8C39B' // what `minisign` prints for minisign.pub

const { temp } = tempDir('torshpkg-minisign-')

/** `minisign -V`: the trusted comment on success (`-Q` prints only that), throws on failure. */
function minisignVerify(data: Uint8Array, minisig: string, pub: PublicKey | string, extra: string[] = []): string {
  const pubText = typeof pub === 'string' ? pub : formatMinisignPublicKey(pub)
  const out = runTool('minisign', ['-V', '-Q', ...extra, '-p', temp(pubText), '-m', temp(data), '-x', temp(minisig)])
  return new TextDecoder().decode(out).trim()
}

/** Replace line `n` (1-based) of a .minisig. */
function withLine(text: string, n: number, line: string): string {
  const lines = text.split('\n')
  lines[n - 1] = line
  return lines.join('\n')
}
const lineOf = (text: string, n: number) => text.split('\n')[n - 1]!

/** XOR one byte of the base64 on line `n`, re-encoded (well-formed base64, wrong content). */
function flipDecoded(text: string, n: number, index: number, mask = 0x01): string {
  const bytes = tryBase64Decode(lineOf(text, n))!
  bytes[index]! ^= mask
  return withLine(text, n, base64Encode(bytes))
}

const flipped = (data: Uint8Array, at: number) => {
  const copy = data.slice()
  copy[at]! ^= 0x01
  return copy
}

/** Sampled positions: the ends, and ~`count` spread through the middle. */
function samplePositions(length: number, count: number): number[] {
  const set = new Set([0, 1, length - 2, length - 1])
  for (let i = 0; i < count; i++) set.add(Math.floor((i * length) / count))
  return [...set].filter((i) => i >= 0 && i < length)
}

async function fixtureSecretKey(): Promise<SecretKey> {
  return nodeIndex.parseMinisignSecretKey(fixtureText('minisign.key'))
}

describe('minisign CLI is installed', () => {
  it('finds minisign (a missing tool fails, never skips)', () => {
    expect(requireTool('minisign')).toMatch(/minisign$/)
  })
})

describe.each(APIS)('minisign signatures, %s', (_name, api) => {
  it("verifies minisign's prehashed (ED) and legacy (Ed) fixtures", async () => {
    const ed = await api.verifyFile(PAYLOAD, SIG_ED, PUB)
    expect(ed).toEqual({ valid: true, keyId: FIXTURE_KEY_ID, algorithm: 'ED', trustedComment: 'trusted: fixture small', untrustedComment: 'signature from minisign secret key' })
    const legacy = await api.verifyFile(LEGACY_PAYLOAD, SIG_LEGACY, PUB)
    expect(legacy).toMatchObject({ valid: true, keyId: FIXTURE_KEY_ID, algorithm: 'Ed', trustedComment: 'trusted: legacy small' })
    // The public key may also be given as the .pub text or the bare base64 line (minisign -P).
    expect((await api.verifyFile(PAYLOAD, SIG_ED, fixtureText('minisign.pub'))).valid).toBe(true)
    expect((await api.verifyFile(PAYLOAD, SIG_ED, lineOf(fixtureText('minisign.pub'), 2))).valid).toBe(true)
  })

  it('our signatures (fixture key, prehashed and legacy) verify with `minisign -V`', async () => {
    const sk = await api.parseMinisignSecretKey(fixtureText('minisign.key'))
    const sig = await api.signFile(PAYLOAD, sk, { trustedComment: 'our comment: ünïcödé ✓' })
    expect(parseMinisignSignature(sig).algorithm).toBe('ED')
    expect(minisignVerify(PAYLOAD, sig, fixtureText('minisign.pub'))).toBe('our comment: ünïcödé ✓')
    expect(await api.verifyFile(PAYLOAD, sig, PUB)).toMatchObject({ valid: true, trustedComment: 'our comment: ünïcödé ✓' })

    const legacy = await api.signFile(PAYLOAD, sk, { prehash: false, trustedComment: 'legacy by us' })
    expect(parseMinisignSignature(legacy).algorithm).toBe('Ed')
    expect(minisignVerify(PAYLOAD, legacy, PUB)).toBe('legacy by us')
    expect(() => minisignVerify(PAYLOAD, legacy, PUB, ['-H'])).toThrow() // -H: prehashed only
    expect(await api.verifyFile(PAYLOAD, legacy, PUB, { requirePrehash: true })).toMatchObject({ valid: false, reason: 'prehash-required' })
  })

  it('a generated key signs; minisign verifies with our .pub file and prints our key id', async () => {
    const { publicKey, secretKey } = await api.generateKeyPair()
    const data = noblePrimitives.randomBytes(1000)
    const sig = await api.signFile(data, secretKey, { fileName: 'data.bin', timestamp: 1700000000 })
    expect(parseMinisignSignature(sig).trustedComment).toBe('timestamp:1700000000\tfile:data.bin\thashed')
    expect(minisignVerify(data, sig, publicKey)).toBe('timestamp:1700000000\tfile:data.bin\thashed')
    const out = new TextDecoder().decode(runTool('minisign', ['-V', '-p', temp(formatMinisignPublicKey(publicKey)), '-m', temp(data), '-x', temp(sig)]))
    expect(out).toContain('Signature and comment signature verified')
    expect(parseMinisignSignature(sig).keyId).toBe(publicKey.keyId)
    expect(await api.verifyFile(data, sig, publicKey)).toMatchObject({ valid: true, keyId: publicKey.keyId })
  })

  it('`minisign -V` rejects our signature once the data, the signature or the trusted comment changes', async () => {
    const sk = await fixtureSecretKey()
    const sig = await api.signFile(PAYLOAD, sk, { trustedComment: 'to be tampered' })
    expect(() => minisignVerify(flipped(PAYLOAD, 1000), sig, PUB)).toThrow()
    expect(() => minisignVerify(PAYLOAD, flipDecoded(sig, 2, 40), PUB)).toThrow()
    expect(() => minisignVerify(PAYLOAD, withLine(sig, 3, 'trusted comment: to be tampereD'), PUB)).toThrow()
    expect(() => minisignVerify(PAYLOAD, flipDecoded(sig, 4, 5), PUB)).toThrow()
    // and so do we, with the reason
    expect(await api.verifyFile(flipped(PAYLOAD, 1000), sig, PUB)).toMatchObject({ valid: false, reason: 'bad-signature' })
    expect(await api.verifyFile(PAYLOAD, withLine(sig, 3, 'trusted comment: to be tampereD'), PUB)).toMatchObject({ valid: false, reason: 'bad-global-signature' })
  })

  it('signing is deterministic: the same input as bytes, ArrayBuffer or stream gives the same .minisig', async () => {
    const sk = await fixtureSecretKey()
    const opts = { trustedComment: 'same' }
    const fromBytes = await api.signFile(PAYLOAD, sk, opts)
    const ab = PAYLOAD.buffer.slice(PAYLOAD.byteOffset, PAYLOAD.byteOffset + PAYLOAD.byteLength)
    expect(await api.signFile(ab, sk, opts)).toBe(fromBytes)
    expect(await api.signFile(new Blob([PAYLOAD]).stream(), sk, opts)).toBe(fromBytes)
    expect(await api.signFile(chunked(PAYLOAD, 7777), sk, opts)).toBe(fromBytes)
    expect(await api.verifyFile(chunked(PAYLOAD, 1), SIG_ED, PUB)).toMatchObject({ valid: true })
  })
})

/** An async iterable over `data` in chunks of `size` (the last shorter). */
async function* chunked(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, Math.min(data.length, at + size))
}

describe('tampering (fixture signatures, node primitives)', () => {
  const api = nodeIndex

  it('every sampled payload byte flipped: bad-signature, for ED and for legacy Ed', async () => {
    for (const [data, sig, samples] of [
      [PAYLOAD, SIG_ED, 1500],
      [LEGACY_PAYLOAD, SIG_LEGACY, 150], // pure Ed25519 over 200 KB each time: fewer samples
    ] as const) {
      for (const at of samplePositions(data.length, samples)) {
        const r = await api.verifyFile(flipped(data, at), sig, PUB)
        expect(r, `byte ${at}`).toMatchObject({ valid: false, reason: 'bad-signature' })
        expect(r.trustedComment).toBeUndefined()
      }
      // one byte more or less
      expect(await api.verifyFile(data.subarray(0, data.length - 1), sig, PUB)).toMatchObject({ valid: false, reason: 'bad-signature' })
      expect(await api.verifyFile(new Uint8Array([...data, 0]), sig, PUB)).toMatchObject({ valid: false, reason: 'bad-signature' })
    }
  })

  it('every byte of the signature line flipped: the reason says which part', async () => {
    for (const sig of [SIG_ED, SIG_LEGACY]) {
      const data = sig === SIG_ED ? PAYLOAD : LEGACY_PAYLOAD
      for (let i = 0; i < 74; i++) {
        const r = await api.verifyFile(data, flipDecoded(sig, 2, i), PUB)
        const expected = i < 2 ? 'unsupported-algorithm' : i < 10 ? 'key-id-mismatch' : 'bad-signature'
        expect(r, `signature byte ${i}`).toMatchObject({ valid: false, reason: expected })
      }
    }
    // 'ED' <-> 'Ed' (bit 0x20 of the second byte): the other algorithm, which does not match
    expect(await api.verifyFile(PAYLOAD, flipDecoded(SIG_ED, 2, 1, 0x20), PUB)).toMatchObject({ valid: false, algorithm: 'Ed', reason: 'bad-signature' })
    expect(await api.verifyFile(LEGACY_PAYLOAD, flipDecoded(SIG_LEGACY, 2, 1, 0x20), PUB)).toMatchObject({ valid: false, algorithm: 'ED', reason: 'bad-signature' })
  })

  it('every character of the signature line replaced in the text: never valid, never a throw', async () => {
    const line = lineOf(SIG_ED, 2)
    for (let i = 0; i < line.length; i++) {
      for (const c of [line[i] === 'A' ? 'B' : 'A', '*', ' ']) {
        const r = await api.verifyFile(PAYLOAD, withLine(SIG_ED, 2, line.slice(0, i) + c + line.slice(i + 1)), PUB)
        expect(r.valid, `char ${i} -> ${c}`).toBe(false)
        expect(r.reason).toMatch(/^(malformed|unsupported-algorithm|key-id-mismatch|bad-signature)$/)
      }
    }
  })

  it('the trusted comment changed in any way: bad-global-signature', async () => {
    const comment = lineOf(SIG_ED, 3).slice('trusted comment: '.length)
    const variants = [comment + ' ', comment.slice(0, -1), '', comment.toUpperCase(), `${comment}\ttimestamp:0`]
    for (let i = 0; i < comment.length; i++) variants.push(comment.slice(0, i) + String.fromCharCode(comment.charCodeAt(i) ^ 1) + comment.slice(i + 1))
    for (const v of variants) {
      const r = await api.verifyFile(PAYLOAD, withLine(SIG_ED, 3, `trusted comment: ${v}`), PUB)
      expect(r, JSON.stringify(v)).toMatchObject({ valid: false, reason: 'bad-global-signature' })
      expect(r.trustedComment).toBeUndefined()
    }
    for (let i = 0; i < 64; i++) {
      expect(await api.verifyFile(PAYLOAD, flipDecoded(SIG_ED, 4, i), PUB), `global byte ${i}`).toMatchObject({ valid: false, reason: 'bad-global-signature' })
    }
  })

  it('the untrusted comment is not signed: changing it keeps the signature valid', async () => {
    const r = await api.verifyFile(PAYLOAD, withLine(SIG_ED, 1, 'untrusted comment: anything at all'), PUB)
    expect(r).toMatchObject({ valid: true, untrustedComment: 'anything at all' })
  })

  it('a wrong public key: key-id-mismatch; the right id on other key bytes: bad-signature', async () => {
    const { publicKey } = await api.generateKeyPair()
    expect(await api.verifyFile(PAYLOAD, SIG_ED, publicKey)).toMatchObject({ valid: false, reason: 'key-id-mismatch', keyId: FIXTURE_KEY_ID })
    const impostor = api.publicKeyFromBytes(publicKey.bytes, { keyId: FIXTURE_KEY_ID })
    expect(await api.verifyFile(PAYLOAD, SIG_ED, impostor)).toMatchObject({ valid: false, reason: 'bad-signature' })
    expect(await api.verifyFile(LEGACY_PAYLOAD, SIG_LEGACY, impostor)).toMatchObject({ valid: false, reason: 'bad-signature' })
  })
})

describe('malformed signatures and arguments', () => {
  const api = nodeIndex
  const malformed = async (minisig: string | Uint8Array, reason = 'malformed') => {
    const r = await api.verifyFile(PAYLOAD, minisig, PUB)
    expect(r).toMatchObject({ valid: false, reason, keyId: expect.any(String) })
    expect(r.message).toEqual(expect.any(String))
    return r
  }

  it('CRLF line endings verify, as with minisign 0.11 (checked below)', async () => {
    const crlf = SIG_ED.replace(/\n/g, '\r\n')
    expect(await api.verifyFile(PAYLOAD, crlf, PUB)).toMatchObject({ valid: true, trustedComment: 'trusted: fixture small' })
    expect(minisignVerify(PAYLOAD, crlf, fixtureText('minisign.pub').replace(/\n/g, '\r\n'))).toBe('trusted: fixture small')
    // bytes instead of text, without the final newline
    expect((await api.verifyFile(PAYLOAD, new TextEncoder().encode(SIG_ED.trimEnd()), PUB)).valid).toBe(true)
  })

  it('structure: missing, extra, reordered and unprefixed lines; truncated base64; wrong lengths', async () => {
    const lines = SIG_ED.trimEnd().split('\n')
    expect((await malformed('')).message).toMatch(/untrusted comment \(line 1\) is missing/)
    expect((await malformed(lines.slice(0, 3).join('\n'))).message).toMatch(/global signature \(line 4\) is missing/)
    expect((await malformed(`${SIG_ED}extra line\n`)).message).toMatch(/5 lines/)
    await malformed([lines[0], lines[2], lines[1], lines[3]].join('\n'))
    await malformed(withLine(SIG_ED, 1, 'comment: x'))
    await malformed(withLine(SIG_ED, 3, 'trusted: x'))
    expect((await malformed(withLine(SIG_ED, 2, lines[1]!.slice(0, 96)))).message).toMatch(/line 2 .*100 characters, got 96/)
    await malformed(withLine(SIG_ED, 2, lines[1]!.slice(0, -1))) // padding gone
    await malformed(withLine(SIG_ED, 2, `${lines[1]!}AAAA`))
    await malformed(withLine(SIG_ED, 4, lines[3]!.slice(0, 80)))
    await malformed(withLine(SIG_ED, 4, lines[3]!.replace(/==$/, 'A=')))
    await malformed(withLine(SIG_ED, 2, ` ${lines[1]!.slice(1)}`))
  })

  it('non-canonical base64 (stray bits under the padding) is refused', async () => {
    const line = lineOf(SIG_ED, 4) // 64 bytes: 86 characters + '=='
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.indexOf(line[85]!)
    const stray = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'[last ^ 1]!
    const r = await malformed(withLine(SIG_ED, 4, line.slice(0, 85) + stray + '=='))
    expect(r.message).toMatch(/line 4/)
  })

  it('wrong algorithm bytes: unsupported-algorithm, with the algorithm named', async () => {
    const bytes = tryBase64Decode(lineOf(SIG_ED, 2))!
    bytes.set([0x58, 0x58], 0) // 'XX'
    const r = await malformed(withLine(SIG_ED, 2, base64Encode(bytes)), 'unsupported-algorithm')
    expect(r.message).toMatch(/"XX"/)
  })

  it('overlong lines and oversized files are refused before any decoding', async () => {
    // 8190 characters is minisign's own longest trusted-comment line; one more is refused
    const atLimit = withLine(SIG_ED, 3, `trusted comment: ${'x'.repeat(8190 - 17)}`)
    expect(await api.verifyFile(PAYLOAD, atLimit, PUB)).toMatchObject({ reason: 'bad-global-signature' })
    const r = await malformed(withLine(SIG_ED, 3, `trusted comment: ${'x'.repeat(8190 - 16)}`))
    expect(r.message).toMatch(/line 3 is 8191 characters/)
    await malformed(withLine(SIG_ED, 1, `untrusted comment: ${'u'.repeat(9000)}`))
    await malformed('x'.repeat(16385))
    await malformed(new Uint8Array(1 << 20))
    await malformed('\n'.repeat(10000) + SIG_ED)
  })

  it('bytes that are not UTF-8 are malformed', async () => {
    const bytes = new TextEncoder().encode(SIG_ED)
    const at = SIG_ED.indexOf('fixture')
    bytes[at] = 0xff
    expect((await malformed(bytes)).message).toMatch(/UTF-8/)
  })

  it('wrong argument types throw E_ARGUMENT; strings are not signed implicitly', async () => {
    const sk = await fixtureSecretKey()
    const code = async (f: () => Promise<unknown>) => {
      try {
        await f()
      } catch (e) {
        expect(e).toBeInstanceOf(CryptoError)
        return (e as CryptoError).code
      }
      throw new Error('did not throw')
    }
    expect(await code(() => api.verifyFile('text' as never, SIG_ED, PUB))).toBe('E_ARGUMENT')
    expect(await code(() => api.verifyFile(PAYLOAD, 42 as never, PUB))).toBe('E_ARGUMENT')
    expect(await code(() => api.verifyFile(PAYLOAD, SIG_ED, { algorithm: 'ed25519', keyId: 'x', bytes: PAYLOAD } as never))).toBe('E_ARGUMENT')
    expect(await code(() => api.verifyFile(PAYLOAD, SIG_ED, 'not a key'))).toBe('E_FORMAT')
    expect(await code(() => api.signFile('text' as never, sk))).toBe('E_ARGUMENT')
    expect(await code(() => api.signFile(PAYLOAD, { ...sk, seed: sk.seed.subarray(1) }))).toBe('E_ARGUMENT')
    expect(await code(() => api.signFile(PAYLOAD, sk, { trustedComment: 'two\nlines' }))).toBe('E_ARGUMENT')
    expect(await code(() => api.signFile(PAYLOAD, sk, { trustedComment: 'x'.repeat(4078) }))).toBe('E_ARGUMENT')
    expect(await code(() => api.signFile(PAYLOAD, sk, { untrustedComment: 'é'.repeat(502) }))).toBe('E_ARGUMENT') // 1004 bytes
    expect(await code(() => api.signFile(PAYLOAD, sk, { timestamp: -1 }))).toBe('E_ARGUMENT')
    expect(await code(() => api.signFile(chunked(PAYLOAD, 100), sk, { prehash: false }))).toBe('E_UNSUPPORTED')
  })

  it('signFile takes the promise parseMinisignSecretKey returns, as well as the key', async () => {
    const keyText = readFileSync(new URL('fixtures/minisign/minisign.key', import.meta.url), 'utf8')
    const minisig = await api.signFile(PAYLOAD, api.parseMinisignSecretKey(keyText), { trustedComment: 'from a promise' })
    expect(await api.verifyFile(PAYLOAD, minisig, PUB)).toMatchObject({ valid: true, trustedComment: 'from a promise' })
  })

  it('legacy signing refuses a DSSE pre-authentication encoding: its signature would verify as a DSSE envelope', async () => {
    const sk = await fixtureSecretKey()
    const body = new TextEncoder().encode(JSON.stringify({ digest: 'sha256:' + '0'.repeat(64) }))
    const message = nodeIndex.pae('application/vnd.torshpkg.signature.v1+json', body)
    await expect(api.signFile(message, sk, { prehash: false })).rejects.toMatchObject({ name: 'CryptoError', code: 'E_ARGUMENT' })
    // What it would have produced: the raw signature of the PAE is a valid DSSE signature.
    const raw = await noblePrimitives.ed25519.sign(message, sk.seed)
    expect(await noblePrimitives.ed25519.verify(raw, message, sk.publicKey.bytes)).toBe(true)
    // Prehashed signing of the same bytes signs a BLAKE2b digest, never the PAE itself: allowed.
    expect((await api.verifyFile(message, await api.signFile(message, sk), sk.publicKey)).valid).toBe(true)
  })

  it('a secret key whose public half is not its seed’s is refused (E_KEY) before signing', async () => {
    const sk = await fixtureSecretKey()
    const other = await api.generateKeyPair()
    const forged = { ...sk, publicKey: { ...other.publicKey, keyId: sk.keyId } }
    await expect(api.signFile(PAYLOAD, forged)).rejects.toMatchObject({ code: 'E_KEY' })
  })
})

describe('minisign writes, we verify', () => {
  it('minisign -S (prehashed, legacy -l, custom and default comments) verifies with us', async () => {
    const key = temp(fixtureText('minisign.key'))
    const data = noblePrimitives.randomBytes(5000)
    const file = temp(data, 'some-file.bin')
    runTool('minisign', ['-S', '-W', '-s', key, '-m', file, '-x', `${file}.a`, '-t', 'trusted ✓ by minisign', '-c', 'untrusted by minisign'])
    const a = readFileSync(`${file}.a`, 'utf8')
    expect(await nodeIndex.verifyFile(data, a, PUB)).toEqual({
      valid: true,
      keyId: FIXTURE_KEY_ID,
      algorithm: 'ED',
      trustedComment: 'trusted ✓ by minisign',
      untrustedComment: 'untrusted by minisign',
    })
    runTool('minisign', ['-S', '-W', '-l', '-s', key, '-m', file, '-x', `${file}.b`])
    const b = readFileSync(`${file}.b`, 'utf8')
    expect(await nodeIndex.verifyFile(data, b, PUB)).toMatchObject({ valid: true, algorithm: 'Ed', trustedComment: expect.stringMatching(/^timestamp:\d+\tfile:some-file\.bin$/) })
    expect(await nodeIndex.verifyFile(data, b, PUB, { requirePrehash: true })).toMatchObject({ valid: false, reason: 'prehash-required' })
    runTool('minisign', ['-S', '-W', '-s', key, '-m', file, '-x', `${file}.c`])
    const c = readFileSync(`${file}.c`, 'utf8')
    const ours = await nodeIndex.signFile(data, await fixtureSecretKey(), { fileName: 'some-file.bin', timestamp: Number(/timestamp:(\d+)/.exec(c)![1]) })
    // Same key, data and comment: Ed25519 is deterministic, so our file is minisign's, byte for byte.
    expect(ours).toBe(c)
  })
})

describe('streams and large inputs', () => {
  it('a 64 MiB file streamed from disk: signed by us, verified by minisign and by us (ReadableStream too)', async () => {
    const size = 64 << 20
    const big = new Uint8Array(size)
    for (let at = 0; at < size; at += 65536) big.set(noblePrimitives.randomBytes(65536), at)
    const path = temp(big, 'big.bin')
    const sk = await fixtureSecretKey()
    const sig = await nodeIndex.signFile(createReadStream(path, { highWaterMark: 1 << 20 }), sk, { fileName: 'big.bin', timestamp: 1 })
    const sigPath = temp(sig, 'big.bin.minisig')
    const out = new TextDecoder().decode(runTool('minisign', ['-V', '-Q', '-p', temp(fixtureText('minisign.pub')), '-m', path, '-x', sigPath]))
    expect(out.trim()).toBe('timestamp:1\tfile:big.bin\thashed')
    expect(await nodeIndex.verifyFile(createReadStream(path), sig, PUB)).toMatchObject({ valid: true })
    expect(await nodeIndex.verifyFile(new Blob([big]).stream(), sig, PUB)).toMatchObject({ valid: true })
    big[size - 1]! ^= 1
    expect(await nodeIndex.verifyFile(chunked(big, 1 << 20), sig, PUB)).toMatchObject({ valid: false, reason: 'bad-signature' })
  })

  it('legacy signatures over a stream are buffered up to maxLegacyBytes, then too-large', async () => {
    expect(await nodeIndex.verifyFile(chunked(LEGACY_PAYLOAD, 4096), SIG_LEGACY, PUB)).toMatchObject({ valid: true })
    let read = 0
    async function* counting() {
      for await (const c of chunked(LEGACY_PAYLOAD, 4096)) {
        read += c.length
        yield c
      }
    }
    expect(await nodeIndex.verifyFile(counting(), SIG_LEGACY, PUB, { maxLegacyBytes: 100_000 })).toMatchObject({ valid: false, reason: 'too-large' })
    expect(read).toBeLessThanOrEqual(100_000 + 4096) // stopped reading at the limit
    // bytes in memory are not limited
    expect(await nodeIndex.verifyFile(LEGACY_PAYLOAD, SIG_LEGACY, PUB, { maxLegacyBytes: 10 })).toMatchObject({ valid: true })
  })

  it('a malformed signature does not read the stream at all', async () => {
    let pulled = false
    // highWaterMark 0: the stream pulls only when someone reads, not to fill a queue
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled = true
          controller.close()
        },
      },
      { highWaterMark: 0 },
    )
    expect(await nodeIndex.verifyFile(stream, 'garbage', PUB)).toMatchObject({ valid: false, reason: 'malformed' })
    expect(pulled).toBe(false)
  })

  it('a stream chunk that is not bytes is an argument error', async () => {
    async function* strings() {
      yield 'text'
    }
    await expect(nodeIndex.verifyFile(strings() as never, SIG_ED, PUB)).rejects.toMatchObject({ code: 'E_ARGUMENT', details: { field: 'data', chunk: 0 } })
  })
})
