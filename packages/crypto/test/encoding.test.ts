// The one base64 of the package (src/encoding/base64.ts), under each rule a caller uses: the age
// header (canonical, unpadded), age armor and minisign (canonical, padded), DSSE (either
// alphabet, padding optional, trailing bits not checked), and the public defaults format uses.
import { describe, expect, it } from 'vitest'
import { base64Decode, base64DecodedLength, base64DecodeInto, base64Encode, tryBase64Decode, type Base64DecodeOptions } from '../src/encoding/base64'
import { base64Decode as publicDecode, base64Encode as publicEncode, CryptoError } from '../src/index.node'
import { pseudoRandom } from './age-helpers'

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0))
const AGE_HEADER: Base64DecodeOptions = { padding: 'forbidden' }
const DSSE: Base64DecodeOptions = { alphabet: 'either', padding: 'optional', canonical: false }

describe('base64Encode', () => {
  it('is Buffer’s standard and URL-safe base64, padded or not, for every length', () => {
    for (let n = 0; n < 100; n++) {
      const data = pseudoRandom(n, 7 * n)
      const standard = Buffer.from(data).toString('base64')
      expect(base64Encode(data)).toBe(standard)
      expect(base64Encode(data, { padding: false })).toBe(standard.replace(/=+$/, ''))
      expect(base64Encode(data, { alphabet: 'url', padding: false })).toBe(Buffer.from(data).toString('base64url'))
      expect(base64Encode(data, { alphabet: 'url' })).toBe(standard.replace(/\+/g, '-').replace(/\//g, '_'))
      // and every form decodes back under the rule that admits it
      expect(tryBase64Decode(standard)).toEqual(data)
      expect(tryBase64Decode(standard.replace(/=+$/, ''), AGE_HEADER)).toEqual(data)
      expect(tryBase64Decode(Buffer.from(data).toString('base64url'), { alphabet: 'url', padding: 'forbidden' })).toEqual(data)
    }
  })

  it('handles inputs larger than one String.fromCharCode slice', () => {
    const data = pseudoRandom(100_000, 1)
    expect(base64Encode(data)).toBe(Buffer.from(data).toString('base64'))
  })
})

describe('decoding rules', () => {
  it('default (minisign, armor, format): canonical padded standard base64 only', () => {
    expect(tryBase64Decode('RWQ=')).toEqual(Uint8Array.of(0x45, 0x64))
    expect(tryBase64Decode('')).toEqual(new Uint8Array(0))
    for (const bad of ['RWQ', 'RWR=', 'RW==', 'RWQ==', 'R===', '=RWQ', 'RW=Q', 'RWQ=\n', ' RWQ=', 'RW-_', 'RWQ\u00e9']) {
      expect(tryBase64Decode(bad), JSON.stringify(bad)).toBeUndefined()
    }
  })

  it('the age header: canonical, and a trailing "=" is an error', () => {
    expect(tryBase64Decode('AA', AGE_HEADER)).toEqual(new Uint8Array([0]))
    for (const bad of ['AA==', 'AB', 'AAB', 'A', 'AAAAA', 'AA A', 'AA\n', 'A-', 'A_', 'AA=']) expect(tryBase64Decode(bad, AGE_HEADER), bad).toBeUndefined()
  })

  it('DSSE: standard or URL-safe (even mixed), padded or not, stray trailing bits ignored', () => {
    expect(tryBase64Decode('-_8', DSSE)).toEqual(Uint8Array.of(0xfb, 0xff))
    expect(tryBase64Decode('+_8=', DSSE)).toEqual(Uint8Array.of(0xfb, 0xff))
    expect(tryBase64Decode('AB', DSSE)).toEqual(Uint8Array.of(0))
    for (const bad of ['a', 'ab=c', 'ab c', 'ab\n', '====', 'abc==', 'a===', 'ä', 'abcd=']) expect(tryBase64Decode(bad, DSSE), bad).toBeUndefined()
  })

  it('a character above U+00FF is refused, not truncated to its low byte ("Ł" is U+0141, low byte "A")', () => {
    expect(tryBase64Decode('AAA\u0141')).toBeUndefined()
    expect(tryBase64Decode('AA\u0141', AGE_HEADER)).toBeUndefined()
  })

  it('byte-level decoding into a buffer agrees, and sizes the output from the padding', () => {
    const text = ascii('xxRWQ=yy')
    expect(base64DecodedLength(text, 2, 6)).toBe(2)
    expect(base64DecodedLength(text, 2, 5)).toBe(-1) // 'RWQ' is not padded
    expect(base64DecodedLength(text, 2, 5, 'forbidden')).toBe(2)
    const out = new Uint8Array(4)
    expect(base64DecodeInto(text, 2, 6, out, 1)).toBe(3)
    expect(out).toEqual(Uint8Array.of(0, 0x45, 0x64, 0))
  })
})

describe('base64Decode (public)', () => {
  it('throws E_FORMAT naming the field and the rule', () => {
    expect(base64Decode('RWQ=')).toEqual(Uint8Array.of(0x45, 0x64))
    const e = (() => {
      try {
        base64Decode('RWQ', { field: 'publicKey' })
      } catch (error) {
        return error as CryptoError
      }
    })()
    expect(e).toBeInstanceOf(CryptoError)
    expect(e).toMatchObject({ code: 'E_FORMAT', details: { field: 'publicKey' } })
    expect(e!.message).toMatch(/canonical padded standard base64/)
    expect(() => base64Decode(42 as never, DSSE)).toThrow(expect.objectContaining({ code: 'E_FORMAT' }))
    expect(() => base64Encode('text' as never)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }))
  })

  it('is exported by the package', () => {
    expect(publicDecode).toBe(base64Decode)
    expect(publicEncode).toBe(base64Encode)
  })
})
