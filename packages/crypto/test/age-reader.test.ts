// Random access (openAgeReader): ranges equal the plaintext slices, the source is read only
// where needed (header prefix + final chunk at open, then the chunks covering each range), and
// truncated or re-flagged files fail: at open when the end is wrong, at the read when a
// middle chunk is.
import { describe, expect, it } from 'vitest'
import { encodeHeader } from '../src/age/header'
import { ENC_CHUNK_SIZE } from '../src/age/limits'
import { payloadKey, sealChunk } from '../src/age/stream'
import { decodeRecipient, wrapX25519 } from '../src/age/x25519'
import { noblePrimitives } from '../src/primitives/noble'
import { runTool } from '../../../scripts/test-tools'
import { BACKENDS, expectBytes, concat, expectCryptoError, fixture, fixtureText, pseudoRandom, rejection, type AgeApi } from './age-helpers'

const IDENTITY = fixtureText('identity.txt')
const RECIPIENT = fixtureText('recipient.txt').trim()

/** A source over `bytes` that logs every read. */
function countingSource(bytes: Uint8Array) {
  const reads: [number, number][] = []
  return {
    reads,
    total: () => reads.reduce((n, [, len]) => n + len, 0),
    source: {
      size: bytes.length,
      read: async (offset: number, length: number) => {
        reads.push([offset, length])
        return bytes.slice(offset, offset + length)
      },
    },
  }
}

/** Where the payload chunks start: file size minus ciphertext size of `plainSize` bytes. */
const payloadStartOf = (fileSize: number, plainSize: number) => fileSize - (plainSize + Math.max(1, Math.ceil(plainSize / 65536)) * 16)

/**
 * An age file to RECIPIENT whose chunks are sealed with the given final flags (the format
 * allows only "last one final"; these test that the reader checks). Built from the library's
 * own header and STREAM pieces, which the CLI tests prove interoperable.
 */
async function craft(chunks: { plain: Uint8Array; final: boolean }[]): Promise<Uint8Array> {
  const p = noblePrimitives
  const fileKey = p.randomBytes(16)
  const header = await encodeHeader(p, [await wrapX25519(p, fileKey, decodeRecipient(RECIPIENT))], fileKey)
  const nonce = p.randomBytes(16)
  const key = await payloadKey(p, fileKey, nonce)
  const sealed = await Promise.all(chunks.map((c, i) => sealChunk(p, key, i, c.final, c.plain)))
  return concat([header, nonce, ...sealed])
}

describe.each(BACKENDS)('openAgeReader via %s', (_, api: AgeApi) => {
  const files = [
    ['the 200 KB fixture', fixture('payload.bin.age'), fixture('payload.bin')],
    ['a 1 MB file from age -e', ...(() => {
      const plain = pseudoRandom(1_048_576 + 12_345, 77)
      return [runTool('age', ['-e', '-r', RECIPIENT], plain), plain] as const
    })()],
  ] as const

  it.each(files)('reads random ranges of %s, fetching only the chunks they cover', async (_, file, plain) => {
    const { source, reads, total } = countingSource(file)
    const reader = await api.openAgeReader(source, { identity: IDENTITY })
    expect(reader.size).toBe(plain.length)
    const payloadStart = payloadStartOf(file.length, plain.length)
    const chunks = Math.ceil(plain.length / 65536)
    const lastStart = payloadStart + (chunks - 1) * ENC_CHUNK_SIZE
    // Open: a 4 KiB prefix (header + nonce) and the final chunk, nothing else.
    expect(reads).toEqual([
      [0, 4096],
      [lastStart, file.length - lastStart],
    ])

    let seed = 1
    const rand = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n
    for (let t = 0; t < 60; t++) {
      const offset = rand(plain.length)
      const length = t % 10 === 0 ? rand(300_000) : rand(5000)
      // A fresh reader per range (sharing the opened one would let its cache hide reads).
      const counted = countingSource(file)
      const fresh = await api.openAgeReader(counted.source, { identity: IDENTITY })
      const atOpen = counted.total()
      const got = await fresh.read(offset, length)
      expectBytes(got, plain.subarray(offset, offset + length))
      // Exactly the covering chunks, minus the final one (verified and kept at open).
      const end = Math.min(plain.length, offset + length)
      let expected = 0
      for (let i = Math.floor(offset / 65536); end > offset && i <= Math.floor((end - 1) / 65536); i++) if (i !== chunks - 1) expected += ENC_CHUNK_SIZE
      expect(counted.total() - atOpen, `read(${offset}, ${length})`).toBe(expected)
      for (const [o] of counted.reads.slice(2)) expect((o - payloadStart) % ENC_CHUNK_SIZE).toBe(0)
      // The long-lived reader agrees.
      expectBytes(await reader.read(offset, length), plain.subarray(offset, offset + length))
    }
    expectBytes(await reader.read(0, plain.length), plain)
    // Re-reading inside a cached edge chunk costs no source read.
    await reader.read(70_000, 10)
    const before = total()
    expectBytes(await reader.read(70_005, 10), plain.subarray(70_005, 70_015))
    expect(total()).toBe(before)
  })

  it('clamps at the end and checks its arguments', async () => {
    const { source } = countingSource(fixture('payload.bin.age'))
    const plain = fixture('payload.bin')
    const reader = await api.openAgeReader(source, { identity: IDENTITY })
    expectBytes(await reader.read(plain.length - 5, 100), plain.subarray(plain.length - 5))
    expectBytes(await reader.read(plain.length, 100), new Uint8Array(0))
    expectCryptoError(await rejection(reader.read(plain.length + 1, 1)), 'E_ARGUMENT')
    expectCryptoError(await rejection(reader.read(-1, 1)), 'E_ARGUMENT')
    expectCryptoError(await rejection(reader.read(0.5, 1)), 'E_ARGUMENT')
  })

  it('handles the edge sizes: empty, exactly one full chunk', async () => {
    const exact = await api.openAgeReader(countingSource(fixture('exact64k.bin.age')).source, { identity: IDENTITY })
    expect(exact.size).toBe(65536)
    expectBytes(await exact.read(65530, 10), fixture('exact64k.bin').subarray(65530))
    const empty = await api.openAgeReader(countingSource(runTool('age', ['-e', '-r', RECIPIENT], new Uint8Array(0))).source, { identity: IDENTITY })
    expect(empty.size).toBe(0)
    expectBytes(await empty.read(0, 10), new Uint8Array(0))
  })

  it('fails at open on truncation (E_DECRYPT) and on armored input (E_UNSUPPORTED)', async () => {
    const file = fixture('payload.bin.age')
    const payloadStart = payloadStartOf(file.length, fixture('payload.bin').length)
    for (const cut of [payloadStart, payloadStart + ENC_CHUNK_SIZE, payloadStart + 2 * ENC_CHUNK_SIZE, payloadStart + 3 * ENC_CHUNK_SIZE + 10, file.length - 1]) {
      const { source, total } = countingSource(file.subarray(0, cut))
      expectCryptoError(await rejection(api.openAgeReader(source, { identity: IDENTITY })), 'E_DECRYPT', 'payload')
      expect(total()).toBeLessThanOrEqual(4096 + ENC_CHUNK_SIZE)
    }
    expectCryptoError(await rejection(api.openAgeReader(countingSource(file.subarray(0, payloadStart - 3)).source, { identity: IDENTITY })), 'E_FORMAT', 'nonce')
    expectCryptoError(await rejection(api.openAgeReader(countingSource(fixture('payload.bin.age.asc')).source, { identity: IDENTITY })), 'E_UNSUPPORTED', 'armor')
    expectCryptoError(await rejection(api.openAgeReader(countingSource(file).source, { identity: (await api.generateAgeIdentity()).identity })), 'E_DECRYPT', 'identity')
  })

  it('checks the final flag: a last chunk not marked final fails at open, a marked middle chunk at its read', async () => {
    const a = pseudoRandom(65536, 1), b = pseudoRandom(65536, 2), c = pseudoRandom(1000, 3)
    const good = await craft([{ plain: a, final: false }, { plain: b, final: false }, { plain: c, final: true }])
    expectBytes(await (await api.openAgeReader(countingSource(good).source, { identity: IDENTITY })).read(0, 200_000), concat([a, b, c]))

    const unmarkedEnd = await craft([{ plain: a, final: false }, { plain: c, final: false }])
    const e = expectCryptoError(await rejection(api.openAgeReader(countingSource(unmarkedEnd).source, { identity: IDENTITY })), 'E_DECRYPT', 'payload')
    expect(e.message).toMatch(/not marked final/)
    // Cut after a full chunk that is not final: looks like a whole file whose end is missing.
    const cutAfterFull = await craft([{ plain: a, final: false }])
    expectCryptoError(await rejection(api.openAgeReader(countingSource(cutAfterFull).source, { identity: IDENTITY })), 'E_DECRYPT', 'payload')

    const markedMiddle = await craft([{ plain: a, final: true }, { plain: b, final: false }, { plain: c, final: true }])
    const reader = await api.openAgeReader(countingSource(markedMiddle).source, { identity: IDENTITY })
    expectBytes(await reader.read(2 * 65536, 1000), c)
    expectCryptoError(await rejection(reader.read(10, 10)), 'E_DECRYPT', 'payload')
    expectCryptoError(await rejection(api.ageDecrypt(markedMiddle, { identity: IDENTITY })), 'E_DECRYPT', 'payload')

    // An empty final chunk is only valid for an empty file.
    const emptyTail = await craft([{ plain: a, final: false }, { plain: new Uint8Array(0), final: true }])
    expectCryptoError(await rejection(api.openAgeReader(countingSource(emptyTail).source, { identity: IDENTITY })), 'E_DECRYPT', 'payload')
    expectCryptoError(await rejection(api.ageDecrypt(emptyTail, { identity: IDENTITY })), 'E_DECRYPT', 'payload')
  })
})
