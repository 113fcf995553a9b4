import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runTool } from '../../../scripts/test-tools'
import { createCryptoApi } from '../src/api'
import { base64Encode, tryBase64Decode } from '../src/encoding/base64'
import * as nodeIndex from '../src/index.node'
import { parseMinisignPublicKey, toHex, type PublicKey } from '../src/index.node'
import { noblePrimitives } from '../src/primitives/noble'
import { nodePrimitives } from '../src/primitives/node'
import type { Primitives, ScryptParams } from '../src/primitives/types'
import { tempDir, thrown } from './minisign-helpers'

// Password-protected minisign secret keys (scrypt). `minisign -G` and `minisign -S` read the
// password from stdin when it is not a terminal (checked with 0.11: no pty needed), so the real
// CLI makes and uses these keys here. minisign's own parameters (N = 2^20, r = 8: 1 GiB) take
// ~5 s in minisign and 3 to 8 s in JS per derivation, so they run three times only: minisign -G,
// then node:crypto and noble at once (node's scrypt runs on libuv's thread pool, noble's on this
// thread). Everything that does not depend on the cost (wrong passwords, the file layout) is
// checked on cheap keys, and cheaper parameters exercise libsodium's opslimit/memlimit -> N, r, p
// rule through minisign itself.

const PASSWORD = 'correct horse ✓ battery' // non-ASCII: both sides must use the UTF-8 bytes
const enc = new TextEncoder()
const { dir, temp } = tempDir('torshpkg-enckeys-')

/** `minisign -S` with the password on stdin; returns the .minisig text. */
function minisignSign(keyPath: string, data: Uint8Array, password: string, trusted: string): string {
  const file = temp(data)
  runTool('minisign', ['-S', '-s', keyPath, '-m', file, '-x', `${file}.minisig`, '-t', trusted], enc.encode(`${password}\n`))
  return readFileSync(`${file}.minisig`, 'utf8')
}

function minisignVerify(pub: string, data: Uint8Array, minisig: string): string {
  return new TextDecoder().decode(runTool('minisign', ['-V', '-Q', '-p', temp(pub), '-m', temp(data), '-x', temp(minisig)])).trim()
}

describe('a key encrypted by `minisign -G` (minisign’s full scrypt cost)', () => {
  let keyText: string
  let pubText: string
  let pk: PublicKey

  beforeAll(() => {
    const pubPath = join(dir, 'cli.pub')
    const keyPath = join(dir, 'cli.key')
    // minisign asks twice (password, confirmation), reading lines from stdin
    runTool('minisign', ['-G', '-p', pubPath, '-s', keyPath], enc.encode(`${PASSWORD}\n${PASSWORD}\n`))
    keyText = readFileSync(keyPath, 'utf8')
    pubText = readFileSync(pubPath, 'utf8')
    pk = parseMinisignPublicKey(pubText)
  })

  it('is really encrypted: kdf "Sc", minisign’s opslimit 2^25 and memlimit 1 GiB', () => {
    const bytes = tryBase64Decode(keyText.split('\n')[1]!)!
    expect(String.fromCharCode(bytes[2]!, bytes[3]!)).toBe('Sc')
    const view = new DataView(bytes.buffer)
    expect(view.getUint32(38, true)).toBe(2 ** 25)
    expect(view.getUint32(46, true)).toBe(2 ** 30)
  })

  // Concurrent: the two derivations overlap (see the top of the file).
  it.concurrent.for([
    ['noble', noblePrimitives],
    ['node', nodePrimitives],
  ] as const)('decrypts with the password (%s primitives) and signs what minisign verifies', async ([, p], { expect }) => {
    const api = createCryptoApi(p)
    const sk = await api.parseMinisignSecretKey(keyText, { password: PASSWORD })
    expect(sk.keyId).toBe(pk.keyId)
    expect(toHex(sk.publicKey.bytes)).toBe(toHex(pk.bytes))
    const data = noblePrimitives.randomBytes(1234)
    const minisig = await api.signFile(data, sk, { trustedComment: `decrypted by ${p.name}` })
    expect(minisignVerify(pubText, data, minisig)).toBe(`decrypted by ${p.name}`)
  })

  it('default cost: we write the kdf fields minisign -G wrote, and derive with the scrypt parameters that decrypted its key above', async () => {
    // scrypt stubbed: the derivation itself is what the tests above ran at this cost; the
    // cheaper cases below prove, through minisign, that the rest of the file is what it reads.
    const calls: ScryptParams[] = []
    const stub: Primitives = { ...nodePrimitives, scrypt: async (_pw, _salt, params) => (calls.push(params), new Uint8Array(params.dkLen)) }
    const { secretKey } = await nodeIndex.generateKeyPair()
    const ours = tryBase64Decode((await createCryptoApi(stub).encryptMinisignSecretKey(secretKey, PASSWORD)).split('\n')[1]!)!
    const theirs = tryBase64Decode(keyText.split('\n')[1]!)!
    // algorithms "Ed" "Sc" "B2" (0-6), opslimit and memlimit (38-54); the salt (6-38) is random
    expect(toHex(ours.subarray(0, 6))).toBe(toHex(theirs.subarray(0, 6)))
    expect(toHex(ours.subarray(38, 54))).toBe(toHex(theirs.subarray(38, 54)))
    expect(calls).toEqual([{ logN: 20, r: 8, p: 1, dkLen: 104 }])
    const spied: ScryptParams[] = []
    const spy: Primitives = { ...nodePrimitives, scrypt: async (_pw, _salt, params) => (spied.push(params), new Uint8Array(104)) }
    await createCryptoApi(spy).parseMinisignSecretKey(keyText, { password: PASSWORD }).catch(() => {})
    expect(spied).toEqual(calls) // the parameters the parser derives from minisign's own file
  })

  it('opslimit or memlimit raised in the file: E_LIMIT before any scrypt work', async () => {
    for (const [at, field] of [
      [38, 'kdfOpslimit'],
      [46, 'kdfMemlimit'],
      [42, 'kdfOpslimit'], // high 32 bits
    ] as const) {
      const lines = keyText.split('\n')
      const bytes = tryBase64Decode(lines[1]!)!
      bytes[at + 3]! |= 0x04 // +2^26 (opslimit 2^25 already has 0x02 there), +2^58 in the high word
      lines[1] = base64Encode(bytes)
      const start = performance.now()
      const e = await thrown(() => nodeIndex.parseMinisignSecretKey(lines.join('\n'), { password: PASSWORD }))
      expect(e).toMatchObject({ code: 'E_LIMIT', details: { field } })
      expect(performance.now() - start).toBeLessThan(2000) // the scrypt it refuses would take seconds
    }
  })
})

describe('keys we encrypt, decrypted by `minisign -S`', () => {
  // (opslimit, memlimit) pairs through both branches of libsodium's rule, cheap enough to run
  // many: if our N, r, p differed from libsodium's, minisign would say "Wrong password".
  const LIMITS: [number, number][] = [
    [0, 0], // opslimit raised to 32768; memory branch: N = 2, p = 512
    [32768, 2 ** 24], // CPU branch: N = 2^10, p = 1
    [100000, 2 ** 26], // CPU branch, opslimit not a power of two: N = 2^11, p = 1
    [2 ** 20, 2 ** 16], // memory branch: N = 2^6, p = 512
    [2 ** 19, 2 ** 24], // libsodium's "interactive" preset, exactly at the boundary: N = 2^14, p = 1
    [3_000_000, 5_000_000], // memory branch, neither a power of two: N = 2^12, p = 22
  ]

  it.each(LIMITS)('opslimit %d, memlimit %d: minisign signs with it, we verify', async (opslimit, memlimit) => {
    const { publicKey, secretKey } = await nodeIndex.generateKeyPair()
    const keyText = await nodeIndex.encryptMinisignSecretKey(secretKey, PASSWORD, { opslimit, memlimit })
    const keyPath = temp(keyText)
    const data = noblePrimitives.randomBytes(500)
    const minisig = minisignSign(keyPath, data, PASSWORD, `limits ${opslimit}/${memlimit}`)
    expect(await nodeIndex.verifyFile(data, minisig, publicKey)).toMatchObject({ valid: true, trustedComment: `limits ${opslimit}/${memlimit}` })
    // and the other way: we decrypt it again; minisign refuses a wrong password
    expect(await nodeIndex.parseMinisignSecretKey(keyText, { password: enc.encode(PASSWORD) })).toEqual(secretKey)
    // A wrong password: minisign refuses it, and so do we, as a wrong password (E_DECRYPT:
    // the checksum does not match), not as a damaged key.
    expect(() => minisignSign(keyPath, data, 'wrong', 'x')).toThrow()
    const e = await thrown(() => nodeIndex.parseMinisignSecretKey(keyText, { password: 'correct horse battery' }))
    expect(e).toMatchObject({ code: 'E_DECRYPT', details: { field: 'password', line: 2 } })
    expect(e.message).toMatch(/wrong password/)
  })

  it('costs above what we would read back are refused when writing too', async () => {
    const { secretKey } = await nodeIndex.generateKeyPair()
    await expect(nodeIndex.encryptMinisignSecretKey(secretKey, PASSWORD, { memlimit: 2 ** 31 })).rejects.toMatchObject({ code: 'E_LIMIT' })
    await expect(nodeIndex.encryptMinisignSecretKey(secretKey, 42 as never)).rejects.toMatchObject({ code: 'E_ARGUMENT' })
  })
})
