import { describe, expect, it } from 'vitest'
import { parseIntegrity, verifyIntegrity } from '@torshpkg/resolve'
import { randomBytes, sri } from './install-helpers'

const data = randomBytes(10_000, 5)
const other = randomBytes(10_000, 6)

describe('verifyIntegrity', () => {
  it('accepts the right sha256, sha384 and sha512 digests and refuses others', async () => {
    for (const algorithm of ['sha256', 'sha384', 'sha512'] as const) {
      expect(await verifyIntegrity(data, sri(data, algorithm))).toBe(true)
      expect(await verifyIntegrity(other, sri(data, algorithm))).toBe(false)
    }
  })

  it('detects a single flipped bit', async () => {
    const flipped = data.slice()
    flipped[4321]! ^= 0x10
    expect(await verifyIntegrity(flipped, sri(data, 'sha256'))).toBe(false)
  })

  it('checks only the strongest algorithm present; any of its digests passes', async () => {
    expect(await verifyIntegrity(data, `${sri(data, 'sha256')} ${sri(other, 'sha512')}`)).toBe(false)
    expect(await verifyIntegrity(data, `${sri(other, 'sha256')} ${sri(data, 'sha512')}`)).toBe(true)
    expect(await verifyIntegrity(data, `${sri(other, 'sha384')}  ${sri(data, 'sha384')}`)).toBe(true)
    expect(await verifyIntegrity(data, `${sri(data, 'sha384')}\n${sri(other, 'sha512')}`)).toBe(false)
  })

  it('ignores unknown algorithms, SRI options and malformed entries', async () => {
    expect(await verifyIntegrity(data, `md5-AAAA ${sri(data, 'sha256')}?opt sha512-notbase64!`)).toBe(true)
    // A digest of the wrong length is not a sha512 entry, so sha256 is the strongest left.
    expect(await verifyIntegrity(data, `sha512-AAAA ${sri(data, 'sha256')}`)).toBe(true)
  })

  it('accepts unpadded and base64url digests', async () => {
    const b64 = sri(data, 'sha256').slice('sha256-'.length)
    const url = b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
    expect(await verifyIntegrity(data, `sha256-${url}`)).toBe(true)
  })

  it('refuses to verify with a string that has no usable entry', async () => {
    await expect(verifyIntegrity(data, 'md5-1B2M2Y8AsgTpgAmY7PhCfg==')).rejects.toMatchObject({ code: 'E_INTEGRITY_UNSUPPORTED' })
    await expect(verifyIntegrity(data, '')).rejects.toMatchObject({ code: 'E_INTEGRITY_UNSUPPORTED' })
  })

  it('works on a view into a larger buffer', async () => {
    const big = randomBytes(1000, 9)
    const view = big.subarray(100, 600)
    expect(await verifyIntegrity(view, sri(big.slice(100, 600), 'sha512'))).toBe(true)
  })
})

describe('parseIntegrity', () => {
  it('keeps well-formed supported entries, canonical base64', () => {
    const empty = new Uint8Array()
    const s256 = sri(empty, 'sha256')
    expect(parseIntegrity(`sha1-abc ${s256.replace(/=$/, '')} SHA384-${sri(empty, 'sha384').slice(7)}`)).toEqual([
      { algorithm: 'sha256', digest: s256.slice(7) },
      { algorithm: 'sha384', digest: sri(empty, 'sha384').slice(7) },
    ])
  })
})
