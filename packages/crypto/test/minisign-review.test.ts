// Regression tests from the review of src/keys and src/minisign: text given as bytes must be read
// as the same text given as a string, and secrets we decode or derive must not outlive their use
// (while the caller's own bytes are never touched).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createCryptoApi } from '../src/api'
import { parseMinisignPublicKey, parseMinisignSignature } from '../src/index.node'
import { nodePrimitives } from '../src/primitives/node'
import type { Primitives } from '../src/primitives/types'
import { runTool } from '../../../scripts/test-tools'
import { tempDir } from './minisign-helpers'

const FIX = new URL('./fixtures/minisign/', import.meta.url)
const PAYLOAD = new Uint8Array(readFileSync(new URL('payload.bin', FIX)))
const SIG = readFileSync(new URL('payload.bin.minisig', FIX), 'utf8')
const PUB_TEXT = readFileSync(new URL('minisign.pub', FIX), 'utf8')
const PUB = parseMinisignPublicKey(PUB_TEXT)
const api = createCryptoApi(nodePrimitives)
const { temp } = tempDir('torshpkg-minisign-review-')

describe('a .minisig with a byte-order mark', () => {
  const withBom = '\ufeff' + SIG

  it('is refused as bytes exactly as as a string (TextDecoder used to drop the BOM from bytes only), as minisign refuses it', async () => {
    const asString = await api.verifyFile(PAYLOAD, withBom, PUB)
    const asBytes = await api.verifyFile(PAYLOAD, new TextEncoder().encode(withBom), PUB)
    expect(asString).toMatchObject({ valid: false, reason: 'malformed' })
    expect(asBytes).toEqual(asString)
    expect(() => parseMinisignSignature(new TextEncoder().encode(withBom))).toThrow(expect.objectContaining({ code: 'E_FORMAT', details: { field: 'untrustedComment', line: 1 } }))
    expect(() => runTool('minisign', ['-V', '-p', temp(PUB_TEXT), '-m', temp(PAYLOAD), '-x', temp(withBom)])).toThrow()
    // without the BOM, all three accept it
    expect(await api.verifyFile(PAYLOAD, new TextEncoder().encode(SIG), PUB)).toMatchObject({ valid: true })
  })
})

/** `base` with the passwords scrypt receives and the key streams it returns recorded. */
function recordingScrypt(base: Primitives) {
  const passwords: Uint8Array[] = []
  const streams: Uint8Array[] = []
  const p: Primitives = {
    ...base,
    scrypt: async (password, salt, params) => {
      passwords.push(password)
      const out = await base.scrypt(password, salt, params)
      streams.push(out)
      return out
    },
  }
  return { p, passwords, streams }
}

describe('encrypted secret keys and their passwords', () => {
  const CHEAP = { opslimit: 32768, memlimit: 2 ** 24 } // N = 2^10: milliseconds

  it('a password given as text is encoded into a copy that is wiped after scrypt, both ways; the key stream too', async () => {
    const { secretKey } = await api.generateKeyPair()
    const writing = recordingScrypt(nodePrimitives)
    const text = await createCryptoApi(writing.p).encryptMinisignSecretKey(secretKey, 'pass ✓', CHEAP)
    const reading = recordingScrypt(nodePrimitives)
    expect(await createCryptoApi(reading.p).parseMinisignSecretKey(text, { password: 'pass ✓' })).toEqual(secretKey)
    for (const r of [writing, reading]) {
      expect(r.passwords).toHaveLength(1)
      expect(r.passwords[0]!.every((b) => b === 0)).toBe(true)
      expect(r.streams[0]!.every((b) => b === 0)).toBe(true)
    }
  })

  it('a password given as bytes is the caller’s, and stays as it was', async () => {
    const { secretKey } = await api.generateKeyPair()
    const password = new TextEncoder().encode('pass ✓')
    const text = await api.encryptMinisignSecretKey(secretKey, password, CHEAP)
    expect(await api.parseMinisignSecretKey(text, { password })).toEqual(secretKey)
    expect(new TextDecoder().decode(password)).toBe('pass ✓')
  })
})

describe('secretKeyFromSeed', () => {
  it('wipes the seed it decoded from hex once the key holds its copy; a seed given as bytes is left alone', async () => {
    const seen: Uint8Array[] = []
    const p: Primitives = { ...nodePrimitives, ed25519: { ...nodePrimitives.ed25519, publicKey: async (seed) => (seen.push(seed), nodePrimitives.ed25519.publicKey(seed)) } }
    const hex = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'
    const fromHex = await createCryptoApi(p).secretKeyFromSeed(hex)
    expect(seen[0]!.every((b) => b === 0)).toBe(true)
    const bytes = Uint8Array.from(Buffer.from(hex, 'hex'))
    expect(await createCryptoApi(p).secretKeyFromSeed(bytes)).toEqual(fromHex)
    expect(Buffer.from(bytes).toString('hex')).toBe(hex)
  })
})
