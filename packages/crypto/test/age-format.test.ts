// The building blocks of the age format, each against its specification: Bech32 (BIP-173
// vectors), the header grammar and its limits, stanza wrapping, ASCII armor as
// age writes and reads it, and the STREAM size arithmetic.
import { describe, expect, it } from 'vitest'
import { ArmorDecoder, ArmorEncoder, armor, dearmor } from '../src/age/armor'
import { base64Encode } from '../src/encoding/base64'
import { bech32Decode, bech32DecodeWords, bech32Encode, bech32EncodeWords } from '../src/age/bech32'
import { encodeHeader, parseHeader } from '../src/age/header'
import { AGE_LIMITS } from '../src/age/limits'
import { AGE_DETECT_BYTES, detectAgeFile } from '../src/age/detect'
import { encodeStanza } from '../src/age/stanza'
import { chunkNonce, encryptedPayloadSize, payloadLayout } from '../src/age/stream'
import { decodeIdentity, decodeRecipient, encodeIdentity, encodeRecipient } from '../src/age/x25519'
import { CryptoError } from '../src/errors'
import { noblePrimitives } from '../src/primitives/noble'
import { BACKENDS, concat, expectBytes, expectCryptoError, fixture, pseudoRandom, rejection, runTransform } from './age-helpers'

const ascii = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)
const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  throw new Error('expected an exception')
}

describe('Bech32 (BIP-173 test vectors)', () => {
  const VALID = [
    'A12UEL5L',
    'a12uel5l',
    'an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs',
    'abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw',
    '11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j',
    'split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w',
    '?1ezyfcl',
  ]
  it.each(VALID)('accepts %s and re-encodes it', (s) => {
    const { hrp, words } = bech32DecodeWords(s)
    expect(bech32EncodeWords(hrp, words)).toBe(s.toLowerCase())
  })

  const INVALID: [string, string][] = [
    ['\x201nwldj5', 'HRP character out of range'],
    ['\x7f1axkwrx', 'HRP character out of range'],
    ['\x801eym55h', 'HRP character out of range'],
    ['pzry9x0s0muk', 'no separator'],
    ['1pzry9x0s0muk', 'empty HRP'],
    ['x1b4n0q5v', 'invalid data character'],
    ['li1dgmt3', 'too short checksum'],
    ['de1lg7wt\xff', 'invalid character in checksum'],
    ['A1G7SGD8', 'checksum computed over the uppercase HRP'],
    ['10a06t8', 'empty HRP'],
    ['1qzzfhee', 'empty HRP'],
    ['A12uEL5L', 'mixed case'],
    ['A12UEL5M', 'corrupted checksum'],
    // BIP-350 (Bech32m) vectors: age uses the original constant, so these must fail.
    ['A1LQFN3A', 'a Bech32m string'],
    ['abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx', 'a Bech32m string'],
  ]
  it.each(INVALID)('rejects %j (%s) with E_KEY', (s) => {
    expectCryptoError(thrown(() => bech32DecodeWords(s)), 'E_KEY', 'bech32')
  })

  it("has no 90-character limit (age's rule): BIP-173's only over-length vector decodes", () => {
    const s = 'an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx'
    expect(bech32DecodeWords(s).hrp).toHaveLength(84)
  })

  it('round-trips bytes, and refuses non-zero padding bits', () => {
    for (let n = 0; n < 70; n++) {
      const data = pseudoRandom(n, n)
      expect(bech32Decode(bech32Encode('age', data)).bytes).toEqual(data)
    }
    // 10 bits: one byte and 2 padding bits, here not zero; 5 bits: a whole excess group.
    expectCryptoError(thrown(() => bech32Decode(bech32EncodeWords('x', [0, 1]))), 'E_KEY')
    expectCryptoError(thrown(() => bech32Decode(bech32EncodeWords('x', [0]))), 'E_KEY')
    expect(bech32Decode(bech32EncodeWords('x', [0, 0])).bytes).toEqual(new Uint8Array([0]))
  })
})

describe('age keys', () => {
  // The examples of the age specification (C2SP age.md, "The X25519 recipient type").
  const SPEC_IDENTITY = 'AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX'
  const SPEC_RECIPIENT = 'age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj'

  it.each(BACKENDS)("derive the spec's example recipient from its identity (%s)", async (_, api) => {
    expect(await api.ageRecipientOf(SPEC_IDENTITY)).toBe(SPEC_RECIPIENT)
    expect(encodeIdentity(decodeIdentity(SPEC_IDENTITY))).toBe(SPEC_IDENTITY)
    expect(encodeRecipient(decodeRecipient(SPEC_RECIPIENT))).toBe(SPEC_RECIPIENT)
  })

  it('agree with the fixture made by age-keygen, including its comment lines', async () => {
    for (const [, api] of BACKENDS) expect(await api.ageRecipientOf(text(fixture('identity.txt')))).toBe(text(fixture('recipient.txt')).trim())
  })

  it('generate identities in age-keygen spelling', async () => {
    for (const [, api] of BACKENDS) {
      const { identity, recipient } = await api.generateAgeIdentity()
      expect(identity).toMatch(/^AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}$/)
      expect(recipient).toMatch(/^age1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}$/)
      expect(await api.ageRecipientOf(identity)).toBe(recipient)
    }
  })

  it('tell malformed keys (E_KEY) from unsupported kinds (E_UNSUPPORTED)', async () => {
    const [, api] = BACKENDS[1]
    const data = ascii('x')
    const bad = async (recipient: string) => rejection(api.ageEncrypt(data, { recipients: [recipient] }))
    expectCryptoError(await bad(SPEC_RECIPIENT.slice(0, -1) + 'q'), 'E_KEY', 'recipient') // checksum
    expectCryptoError(await bad(SPEC_RECIPIENT.toUpperCase().slice(0, 10) + SPEC_RECIPIENT.slice(10)), 'E_KEY', 'recipient') // mixed case
    expectCryptoError(await bad(bech32Encode('age', new Uint8Array(31))), 'E_KEY', 'recipient') // 31 bytes
    expectCryptoError(await bad(bech32Encode('agx', new Uint8Array(32))), 'E_KEY', 'recipient')
    expectCryptoError(await bad('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN'), 'E_UNSUPPORTED', 'recipient')
    expectCryptoError(await bad(bech32Encode('age1yubikey', new Uint8Array(33))), 'E_UNSUPPORTED', 'recipient')
    expectCryptoError(await bad(bech32Encode('age1pq', new Uint8Array(40))), 'E_UNSUPPORTED', 'recipient')
    expectCryptoError(await rejection(api.ageEncrypt(data, { recipients: [] })), 'E_KEY', 'recipient')

    const file = await api.ageEncrypt(data, { recipients: [SPEC_RECIPIENT] })
    const key = async (identity: string | string[]) => rejection(api.ageDecrypt(file, { identity }))
    expectCryptoError(await key(SPEC_IDENTITY.slice(0, -1) + 'Q'), 'E_KEY', 'identity')
    expectCryptoError(await key('# only a comment\n\n'), 'E_KEY', 'identity')
    const e = expectCryptoError(await key(`# created: today\n${SPEC_IDENTITY}\nAGE-SECRET-KEY-1NOTAKEY\n`), 'E_KEY', 'identity')
    expect(e.details.line).toBe(3)
    expectCryptoError(await key('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----'), 'E_UNSUPPORTED', 'identity')
    expectCryptoError(await key('AGE-PLUGIN-YUBIKEY-1QQQQQQ'), 'E_UNSUPPORTED', 'identity')
    // The right identity among others, in an array or a file, opens the file.
    const other = (await api.generateAgeIdentity()).identity
    expect(await api.ageDecrypt(file, { identity: [other, SPEC_IDENTITY] })).toEqual(data)
    expect(await api.ageDecrypt(file, { identity: `# two keys\n${other}\r\n\n${SPEC_IDENTITY}\r\n` })).toEqual(data)
    expect(await api.ageRecipientOf(`# c\n${SPEC_IDENTITY}\n`)).toBe(SPEC_RECIPIENT)
    expectCryptoError(await rejection(api.ageRecipientOf(`${other}\n${SPEC_IDENTITY}`)), 'E_KEY')
  })
})

describe('age header', () => {
  const p = noblePrimitives
  const fileKey = new Uint8Array(16).fill(7)
  const stanza = (type: string, args: string[], body: Uint8Array) => ({ type, args, body })

  it('encodes stanza bodies in 64-column lines with a short (possibly empty) last line', () => {
    expect(text(encodeStanza(stanza('t', ['a'], new Uint8Array(0))))).toBe('-> t a\n\n')
    expect(text(encodeStanza(stanza('t', [], new Uint8Array(32))))).toBe(`-> t\n${'A'.repeat(43)}\n`)
    // 48 bytes = exactly one full line, so an empty line must follow.
    expect(text(encodeStanza(stanza('t', [], new Uint8Array(48))))).toBe(`-> t\n${'A'.repeat(64)}\n\n`)
    expect(text(encodeStanza(stanza('t', [], new Uint8Array(49))))).toBe(`-> t\n${'A'.repeat(64)}\nAA\n`)
  })

  it('round-trips through parseHeader, which also finds where the payload starts', async () => {
    const stanzas = [stanza('X25519', [base64Encode(new Uint8Array(32).fill(1), { padding: false })], pseudoRandom(32, 1)), stanza('example.com/x', ['a', 'b'], pseudoRandom(96, 2)), stanza('e', [], new Uint8Array(0))]
    const header = await encodeHeader(p, stanzas, fileKey)
    const file = concat([header, ascii('PAYLOAD')])
    const parsed = parseHeader(file, true)!
    expect(parsed.length).toBe(header.length)
    expect(parsed.stanzas).toEqual(stanzas)
    expect(text(parsed.macInput)).toBe(text(header).slice(0, text(header).lastIndexOf('---') + 3))
    // Every proper prefix is "need more" when incomplete, "truncated" (E_FORMAT) when complete.
    for (let n = 1; n < header.length; n++) {
      expect(parseHeader(header.subarray(0, n), false), `prefix ${n}`).toBeUndefined()
      expectCryptoError(thrown(() => parseHeader(header.subarray(0, n), true)), 'E_FORMAT')
    }
  })

  it('reports malformed lines with their line number', () => {
    const e = expectCryptoError(thrown(() => parseHeader(ascii('age-encryption.org/v1\n-> a\nAAAA\n->  b\n\n--- ' + 'A'.repeat(43) + '\n'), true)), 'E_FORMAT', 'stanza')
    expect(e.details.line).toBe(4)
    expectCryptoError(thrown(() => parseHeader(ascii('age-encryption.org/v1\n--- ' + 'A'.repeat(43) + '\n'), true)), 'E_FORMAT', 'mac')
    expectCryptoError(thrown(() => parseHeader(ascii('PK\x03\x04 not age'), true)), 'E_FORMAT', 'version')
    expectCryptoError(thrown(() => parseHeader(ascii('age-encryption.org/v2\n'), true)), 'E_UNSUPPORTED', 'version')
    expectCryptoError(thrown(() => parseHeader(ascii('age-encryption.org/v1\r\n-> a\n\n'), true)), 'E_FORMAT', 'version')
  })

  it('enforces AGE_LIMITS while parsing, and quickly', () => {
    const start = performance.now()
    const mac = '--- ' + 'A'.repeat(43) + '\n'
    const many = 'age-encryption.org/v1\n' + '-> X25519 AAAA\nAAAA\n'.repeat(10_000) + mac
    expectCryptoError(thrown(() => parseHeader(ascii(many), true)), 'E_LIMIT', 'stanza')
    expect(parseHeader(ascii('age-encryption.org/v1\n' + '-> s\n\n'.repeat(AGE_LIMITS.maxStanzas) + mac), true)!.stanzas).toHaveLength(AGE_LIMITS.maxStanzas)
    const longLine = 'age-encryption.org/v1\n-> a ' + 'b'.repeat(1 << 20) + '\n\n' + mac
    expectCryptoError(thrown(() => parseHeader(ascii(longLine), true)), 'E_LIMIT', 'stanza')
    // A line without a newline is refused once it passes the limit, not buffered until the end.
    expectCryptoError(thrown(() => parseHeader(ascii('age-encryption.org/v1\n-> ' + 'a'.repeat(AGE_LIMITS.maxArgumentLine + 10)), false)), 'E_LIMIT')
    const args = 'age-encryption.org/v1\n-> t' + ' a'.repeat(AGE_LIMITS.maxArguments) + '\n\n' + mac
    expectCryptoError(thrown(() => parseHeader(ascii(args), true)), 'E_LIMIT', 'stanza')
    const bigBody = 'age-encryption.org/v1\n' + ('-> t\n' + ('A'.repeat(64) + '\n').repeat(2000) + '\n').repeat(10) + mac
    expectCryptoError(thrown(() => parseHeader(ascii(bigBody), true)), 'E_LIMIT', 'header')
    expect(performance.now() - start).toBeLessThan(10_000) // refused while parsing, before any key work
  })

  it('checks the MAC against the unwrapped file key (E_DECRYPT, field mac)', async () => {
    const [, api] = BACKENDS[0]
    const { identity, recipient } = await api.generateAgeIdentity()
    const file = await api.ageEncrypt(ascii('hello'), { recipients: [recipient] })
    const macAt = text(file).indexOf('--- ') + 4
    const changed = file.slice()
    changed[macAt] = changed[macAt] === 0x41 ? 0x42 : 0x41
    expectCryptoError(await rejection(api.ageDecrypt(changed, { identity })), 'E_DECRYPT', 'mac')
  })
})

describe('ASCII armor', () => {
  it('is byte for byte what age -a wrote (the fixture re-armors identically)', () => {
    const asc = fixture('payload.bin.age.asc')
    const binary = dearmor(asc)
    expect(text(binary.subarray(0, 22))).toBe('age-encryption.org/v1\n')
    expectBytes(armor(binary), asc)
  })

  it('encodes incrementally the same as in one piece, for every tail length', () => {
    for (const n of [0, 1, 47, 48, 49, 95, 96, 97, 1000]) {
      const data = pseudoRandom(n, n + 1)
      const whole = armor(data)
      const lines = text(whole).split('\n')
      expect(lines[0]).toBe('-----BEGIN AGE ENCRYPTED FILE-----')
      expect(lines.at(-2)).toBe('-----END AGE ENCRYPTED FILE-----')
      expect(lines.at(-1)).toBe('')
      for (const l of lines.slice(1, -3)) expect(l).toHaveLength(64)
      const e = new ArmorEncoder()
      const parts: Uint8Array[] = []
      for (let at = 0; at < n; at += 5) parts.push(e.push(data.subarray(at, at + 5)))
      parts.push(e.finish())
      expect(concat(parts)).toEqual(whole)
      // And decodes incrementally in any split, with CRLF too.
      const d = new ArmorDecoder()
      const crlf = ascii(text(whole).replaceAll('\n', '\r\n'))
      const out: Uint8Array[] = []
      for (let at = 0; at < crlf.length; at += 3) out.push(d.push(crlf.subarray(at, at + 3)))
      out.push(d.finish())
      expect(concat(out)).toEqual(data)
    }
  })

  it('is strict: one spelling of the content, whitespace only outside', () => {
    const good = text(armor(pseudoRandom(100, 3)))
    expect(dearmor(ascii(` \t\r\n${good}\n \r\n`))).toEqual(pseudoRandom(100, 3))
    const lines = good.split('\n')
    const bad = [
      good.replace('-----BEGIN AGE ENCRYPTED FILE-----', '-----BEGIN AGE ENCRYPTED FILE----- '),
      good.replace('\n', '\n\n'),
      lines.slice(0, 2).join('\n') + '\n' + lines[2]!.slice(0, 10) + '\n' + lines[2]!.slice(10) + '\n' + lines.slice(3).join('\n'),
      good.replace('-----END AGE ENCRYPTED FILE-----', '').trimEnd(),
      good + 'x',
      good.replace(/=*\n-----END/, '\n-----END'),
      good.replace('-----BEGIN AGE ENCRYPTED FILE-----', '-----BEGIN AGE ENCRYPTED FILE-----\nComment: hi\n'),
      lines.slice(0, 1).join('\n') + '\n ' + lines.slice(1).join('\n'),
    ]
    for (const b of bad) expectCryptoError(thrown(() => dearmor(ascii(b))), 'E_FORMAT', 'armor')
    // A hostile endless line fails as soon as it is too long.
    expectCryptoError(thrown(() => new ArmorDecoder().push(ascii('-----BEGIN AGE ENCRYPTED FILE-----\n' + 'A'.repeat(1000)))), 'E_FORMAT', 'armor')
  })
})

describe('STREAM arithmetic', () => {
  it('builds nonces as an 11-byte big-endian counter and a final flag', () => {
    expect([...chunkNonce(0, false)]).toEqual(new Array(12).fill(0))
    expect([...chunkNonce(1, true)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1])
    expect([...chunkNonce(2 ** 40 + 258, false)]).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 2, 0])
  })

  it('derives the plaintext size from the ciphertext size, rejecting impossible sizes', () => {
    for (const n of [0, 1, 65535, 65536, 65537, 131072, 3 * 65536 + 5]) {
      expect(payloadLayout(encryptedPayloadSize(n)).plaintextSize).toBe(n)
    }
    expect(encryptedPayloadSize(0)).toBe(16)
    expect(encryptedPayloadSize(65536)).toBe(65552)
    for (const impossible of [0, 5, 15, 65552 + 15, 65552 + 16, 2 * 65552 + 1]) {
      const e = expectCryptoError(thrown(() => payloadLayout(impossible)), 'E_DECRYPT', 'payload')
      expect(e).toBeInstanceOf(CryptoError)
    }
  })
})

describe('streams', () => {
  it.each(BACKENDS)('round-trip in any piece size, releasing each chunk before the input ends (%s)', async (_, api) => {
    const { identity, recipient } = await api.generateAgeIdentity()
    for (const [size, piece] of [[0, 1], [65536, 1000], [3 * 65536 + 7, 65536], [200_000, 4099]] as const) {
      const data = pseudoRandom(size, size)
      const enc = api.ageEncryptStream({ recipients: [recipient] })
      const w = enc.writable.getWriter()
      const parts: Uint8Array[] = []
      const reading = (async () => {
        for (const r = enc.readable.getReader(); ; ) {
          const { done, value } = await r.read()
          if (done) return
          parts.push(value)
        }
      })()
      for (let at = 0; at < size; at += piece) await w.write(data.slice(at, at + piece))
      await w.close()
      await reading
      expectBytes(await api.ageDecrypt(concat(parts), { identity }), data)
    }

    // Decryption releases chunk 0 once chunk 1 starts arriving, without waiting for the end.
    const data = pseudoRandom(3 * 65536, 1)
    const file = await api.ageEncrypt(data, { recipients: [recipient] })
    const dec = api.ageDecryptStream({ identity })
    const w = dec.writable.getWriter()
    const r = dec.readable.getReader()
    void w.write(file.slice(0, file.length - 70_000))
    const first = await r.read()
    expectBytes(first.value!, data.subarray(0, 65536))
    void w.write(file.slice(file.length - 70_000)).then(() => w.close())
    const rest: Uint8Array[] = [first.value!]
    for (;;) {
      const { done, value } = await r.read()
      if (done) break
      rest.push(value)
    }
    expectBytes(concat(rest), data)
  })

  it('check their arguments when created', async () => {
    const [, api] = BACKENDS[1]
    expectCryptoError(thrown(() => api.ageEncryptStream({ recipients: ['age1nope'] })), 'E_KEY', 'recipient')
    expectCryptoError(thrown(() => api.ageEncryptStream({ passphrase: 'x' }, { workFactor: 0 })), 'E_ARGUMENT')
    // A bad identity errors the decrypting stream before any input is consumed.
    const { error } = await runTransform(api.ageDecryptStream({ identity: 'AGE-SECRET-KEY-1X' }), new Uint8Array(10))
    expectCryptoError(error, 'E_KEY', 'identity')
  })
})

describe('detectAgeFile', () => {
  it('tells binary and armored age files (from the age CLI) from anything else, by their first bytes', () => {
    const ascii = (s: string) => new TextEncoder().encode(s)
    expect(detectAgeFile(fixture('payload.bin.age').subarray(0, AGE_DETECT_BYTES))).toBe('binary')
    expect(detectAgeFile(fixture('secret.txt.age').subarray(0, AGE_DETECT_BYTES))).toBe('binary')
    expect(detectAgeFile(fixture('payload.bin.age.asc').subarray(0, AGE_DETECT_BYTES))).toBe('armored')
    expect(detectAgeFile(concat([ascii(' \r\n\t'), fixture('payload.bin.age.asc')]).subarray(0, AGE_DETECT_BYTES))).toBe('armored')
    expect(detectAgeFile(fixture('payload.bin'))).toBeUndefined()
    expect(detectAgeFile(ascii('-----BEGIN PGP MESSAGE-----\n'))).toBeUndefined()
    expect(detectAgeFile(ascii('age-encryption.org/v2\n'))).toBeUndefined()
    expect(detectAgeFile(ascii(' age-encryption.org/v1\n'))).toBeUndefined() // whitespace only before armor
    expect(detectAgeFile(new Uint8Array(0))).toBeUndefined()
  })
})
