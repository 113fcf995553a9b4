import { describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createPackage, openPackage } from '@torshpkg/format'

// docs/format.md is the spec; its worked example must be exactly what the code writes and reads.
const spec = readFileSync(fileURLToPath(new URL('../../../docs/format.md', import.meta.url)), 'utf8')
const example = spec.slice(spec.indexOf('## Worked example'))
const hex = /```hex\n([\s\S]*?)```/.exec(example)![1]!
const bytes = new Uint8Array(
  hex
    .trim()
    .split('\n')
    .flatMap((line) => line.trim().split(/\s+/).slice(1).map((h) => parseInt(h, 16))),
)
const statedDigest = /package digest `(sha256:[0-9a-f]{64})`/.exec(example)![1]!

describe('docs/format.md worked example', () => {
  it('is exactly what the writer produces for the code shown', async () => {
    const code = /```ts\n([\s\S]*?)```/.exec(example)![1]!
    expect(code).toContain("createPackage('memory', { name: 'tiny', version: '1.0.0' }, { compression: 'none' })")
    expect(code).toContain("await w.add('hello.txt', 'hello\\n', { type: 'docs' })")
    const w = createPackage('memory', { name: 'tiny', version: '1.0.0' }, { compression: 'none' })
    await w.add('hello.txt', 'hello\n', { type: 'docs' })
    const summary = await w.finish()
    expect(example).toContain(`is these ${bytes.length} bytes`)
    expect(Buffer.from(summary.bytes!).toString('hex')).toBe(Buffer.from(bytes).toString('hex'))
    expect(summary.digest).toBe(statedDigest)
  })

  it('opens, reads and verifies', async () => {
    const pkg = await openPackage(bytes)
    expect(pkg.digest).toBe(statedDigest)
    expect(pkg.manifest).toEqual({ name: 'tiny', version: '1.0.0' })
    expect(pkg.entries()).toEqual([
      { path: 'hello.txt', type: 'docs', mediaType: 'text/plain', size: 6, storedSize: 6, chunkSize: 1048576, chunks: 1, codecs: ['none'] },
    ])
    expect(new TextDecoder().decode(await pkg.read('hello.txt'))).toBe('hello\n')
    expect((await pkg.verify()).ok).toBe(true)
  })

  it('has the digest the prose describes, computed independently', () => {
    const preamble = Buffer.from(bytes.subarray(0, 64))
    preamble.fill(0, 0x18, 0x20)
    const lengths = Buffer.from('46000000000000002100000064000000', 'hex')
    const digest = createHash('sha256').update(preamble).update(lengths).update(bytes.subarray(70, 70 + 33 + 100)).digest('hex')
    expect(`sha256:${digest}`).toBe(statedDigest)
    // The chunk hash in the table is SHA-256 of "hello\n".
    expect(createHash('sha256').update('hello\n').digest('hex')).toBe(Buffer.from(bytes.subarray(0xab, 0xcb)).toString('hex'))
  })
})
