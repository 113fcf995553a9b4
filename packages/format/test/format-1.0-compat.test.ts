import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createPackage, openPackage, type CreatePackageOptions } from '@torshpkg/format'

// Format 1.1 added encryption without changing what a writer makes when there is none: these
// hashes are of the bytes the format 1.0 writer (commit 20bff2c) produced for the same input.
// Only codecs implemented in this repository (none, lz4) are used, so that the bytes do not
// depend on the zlib or zstd that Node was built with.

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
// Integer-derived floats: no Math.* in the data, so it is the same on every platform.
const weights = Float32Array.from({ length: 6000 }, (_, i) => (((i * 7919) % 97) - 48) / 64)

const cases: [string, CreatePackageOptions, boolean, number, string][] = [
  ['raw, 64-byte alignment', { compression: 'none' }, false, 60830, '01f2b1adc91533e8a03e150dd6fa13e95ceb3bb3f9abd45a1dd1b911cd065f04'],
  ['lz4, 4 KiB chunks, 4 KiB alignment', { compression: 'lz4', chunkSize: 4096, alignment: 4096 }, false, 8609, 'bc03fddfa26a1ee92caa887f15ccae0c17fd544f935cacbd9e46895fab8c6cfb'],
  ['lz4 with byte shuffle, streamed (no tail locator)', { compression: { codec: 'lz4', shuffle: 4 }, chunkSize: 8192 }, true, 2230, '00d574113088fe04a404f7e396dedd59c35d201f2e913e18c991d3343eaa8428'],
]

describe('packages without encryption are byte for byte what the 1.0 writer made', () => {
  it.each(cases)('%s', async (_, options, streamed, size, hash) => {
    const parts: Uint8Array[] = []
    const sink = streamed ? new WritableStream<Uint8Array>({ write: (c) => void parts.push(c.slice()) }) : 'memory'
    const w = createPackage(sink, { name: 'compat', version: '1.0.0', lineage: { derivedFrom: 'base@1.0.0' }, metadata: { k: [1, 'x'] } }, options)
    await w.add('config.json', '{"layers":2}', { type: 'config' })
    await w.add('w/fc1.weight', weights, { tensor: { dtype: 'float32', shape: [6000] } })
    await w.add('w/fc1.copy', weights) // deduplicated
    await w.add('empty.bin', new Uint8Array(0))
    await w.add('text.txt', 'hello world\n'.repeat(3000))
    const result = await w.finish()
    const bytes = streamed ? new Uint8Array(Buffer.concat(parts)) : result.bytes!
    expect(bytes.length).toBe(size)
    expect(sha(bytes)).toBe(hash)
    expect((await openPackage(bytes)).formatVersion).toBe('1.0')
  })
})
