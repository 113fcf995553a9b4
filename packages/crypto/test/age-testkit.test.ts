// The age testkit (C2SP/CCTV age/testdata, see fixtures/age/README.md): every vector through the
// one-shot and the streaming decryption, on each backend. A vector expects success with a
// payload hash, or one failure class, which must map to the right CryptoError: decrypting the
// wrong way round (a parse error reported as a MAC failure, say) fails the test.
import { readdirSync, readFileSync } from 'node:fs'
import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { CryptoErrorCode } from '../src/errors'
import { createAgeApi } from '../src/age/api'
import { webPrimitives } from '../src/primitives/web'
import { BACKENDS, FIXTURES, expectCryptoError, rejection, runTransform, sha256 } from './age-helpers'

interface Vector {
  name: string
  expect: 'success' | 'no match' | 'HMAC failure' | 'header failure' | 'payload failure' | 'armor failure'
  payload?: string
  identities: string[]
  passphrases: string[]
  armored: boolean
  file: Uint8Array
}

const dir = new URL('testkit/', FIXTURES)

function loadVector(name: string): Vector {
  const raw = readFileSync(new URL(name, dir))
  const split = raw.indexOf('\n\n')
  const fields = raw.subarray(0, split).toString('latin1').split('\n').map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)] as const)
  const get = (k: string) => fields.filter(([key]) => key === k).map(([, v]) => v)
  const body = raw.subarray(split + 2)
  const file = get('compressed')[0] === 'zlib' ? inflateSync(body) : body
  return {
    name,
    expect: get('expect')[0] as Vector['expect'],
    payload: get('payload')[0],
    identities: get('identity'),
    passphrases: get('passphrase'),
    armored: get('armored')[0] === 'yes',
    file: new Uint8Array(file.buffer, file.byteOffset, file.byteLength),
  }
}

const vectors = readdirSync(dir).filter((n) => !n.startsWith('.') && n !== 'README.md').sort().map(loadVector)

/** The error each failure class maps to (code, and details.field where it identifies the class). */
function expected(v: Vector): { code: CryptoErrorCode; field?: string } {
  switch (v.expect) {
    case 'no match':
      return { code: 'E_DECRYPT', field: v.passphrases.length ? 'passphrase' : 'identity' }
    case 'HMAC failure':
      return { code: 'E_DECRYPT', field: 'mac' }
    case 'payload failure':
      return { code: 'E_DECRYPT', field: 'payload' }
    case 'armor failure':
      // Text before the BEGIN line makes the input neither armored nor binary: not an age file.
      return { code: 'E_FORMAT', field: v.name === 'armor_garbage_leading' ? 'version' : 'armor' }
    case 'header failure':
      // The work factor above our default cap (22) is a limit, not a syntax error; a version
      // other than v1 is well-formed but unsupported. Everything else is malformed.
      if (v.name === 'scrypt_work_factor_23' || v.name === 'scrypt_work_factor_overflow') return { code: 'E_LIMIT', field: 'workFactor' }
      if (v.name === 'version_unsupported') return { code: 'E_UNSUPPORTED', field: 'version' }
      return { code: 'E_FORMAT' }
    default:
      throw new Error(`unexpected class ${v.expect}`)
  }
}

// Vectors that fail before any key is needed name none: any identity will do (the spec's example).
const ANY_IDENTITY = 'AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX'
const keyOf = (v: Vector) => (v.passphrases.length ? { passphrase: v.passphrases[0]! } : { identity: v.identities.length ? v.identities : ANY_IDENTITY })

describe('the vector set', () => {
  it('holds the classes we map, and enough of each', () => {
    const classes = new Map<string, number>()
    for (const v of vectors) classes.set(v.expect, (classes.get(v.expect) ?? 0) + 1)
    expect(vectors.length).toBeGreaterThanOrEqual(120)
    for (const c of ['success', 'no match', 'HMAC failure', 'header failure', 'payload failure', 'armor failure']) expect(classes.get(c), c).toBeGreaterThan(0)
  })
})

// The browser build's primitives too (WebCrypto where it has the algorithm, noble otherwise).
const ALL_BACKENDS = [...BACKENDS, ['web', createAgeApi(webPrimitives)] as const]

describe.each(ALL_BACKENDS)('age testkit via %s', (_, api) => {
  it.each(vectors.map((v) => [v.name, v] as const))('ageDecrypt: %s', async (_, v) => {
    if (v.expect === 'success') {
      const plain = await api.ageDecrypt(v.file, keyOf(v))
      expect(sha256(plain)).toBe(v.payload)
      return
    }
    const { code, field } = expected(v)
    expectCryptoError(await rejection(api.ageDecrypt(v.file, keyOf(v))), code, field)
  })

  it.each(vectors.map((v) => [v.name, v] as const))('ageDecryptStream: %s', async (_, v) => {
    // Uneven pieces, so header, nonce and chunk boundaries fall inside writes.
    const { output, error } = await runTransform(api.ageDecryptStream(keyOf(v)), v.file, v.file.length > 100_000 ? 40_000 : 7)
    if (v.expect === 'success') {
      expect(error).toBeUndefined()
      expect(sha256(output)).toBe(v.payload)
      return
    }
    const { code, field } = expected(v)
    expectCryptoError(error, code, field)
    // The testkit's rule for streaming: what was released before the failure hashes to `payload`
    // (every chunk released had authenticated); header-level failures release nothing.
    if (v.payload) expect(sha256(output)).toBe(v.payload)
    else expect(output.length).toBe(0)
  })
})
