import { describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as portable from '../src/index'
import { runTool } from '../../../scripts/test-tools'
import { fixture, random, same } from './helpers'

/**
 * Zstandard compression exists only where node:zlib has zstd (Node >= 22.15). This machine's
 * Node is 20, so the built package runs under a real Node 22 (fetched by `npm test` from the
 * npm registry into .cache/node22, or NODE22_PATH), and its output is checked with the zstd
 * CLI and with our portable decoder.
 */
const NODE22 = process.env.NODE22_PATH ?? fileURLToPath(new URL('../../../.cache/node22/package/bin/node', import.meta.url))
const packageDir = fileURLToPath(new URL('..', import.meta.url))

function node22(script: string, input: Uint8Array): Uint8Array {
  if (!existsSync(NODE22)) {
    throw new Error(`these tests need Node >= 22.15 at ${NODE22}: run \`npm test\` (it fetches one) or set NODE22_PATH`)
  }
  const dir = mkdtempSync(join(tmpdir(), 'zstd22-'))
  writeFileSync(join(dir, 'in.bin'), input)
  execFileSync(NODE22, ['--input-type=module', '-e', script, join(dir, 'in.bin'), join(dir, 'out.bin')], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] })
  return new Uint8Array(readFileSync(join(dir, 'out.bin')))
}

const HEADER = `import * as m from '@torshpkg/compress'; import { readFileSync, writeFileSync } from 'node:fs'
  const [input, output] = process.argv.slice(1); const data = new Uint8Array(readFileSync(input))`

describe('zstd compression under Node 22', () => {
  const data = new Uint8Array(Buffer.concat([fixture('config.json'), random(100_000), fixture('code.py'), new Uint8Array(1 << 20)]))

  it('is available there, at every preset, and zstd -d and our decoder read it', () => {
    for (const level of ['fast', 'balanced', 'max', 7] as const) {
      const packed = node22(`${HEADER}
        if (!m.codecs.zstd.canCompress) throw new Error('zstd should be writable on ' + process.version)
        writeFileSync(output, m.compressSync(data, { codec: 'zstd', level: ${JSON.stringify(level)} }))`, data)
      expect(portable.detectCodec(packed)).toBe('zstd')
      same(runTool('zstd', ['-dc'], packed), data)
      same(portable.decompressSync(packed, { codec: 'zstd', maxOutputSize: data.length }), data)
    }
  })

  it('streams, and round trips natively with the content checksum checked', () => {
    const packed = node22(`${HEADER}
      const out = await new Response(new Blob([data]).stream().pipeThrough(m.compressStream({ codec: 'zstd' }))).arrayBuffer()
      const back = m.decompressSync(new Uint8Array(out), { codec: 'zstd', maxOutputSize: data.length })
      if (Buffer.compare(back, data) !== 0) throw new Error('native round trip failed')
      const bad = new Uint8Array(out).slice(); bad[bad.length - 2] ^= 1
      let code = ''; try { m.decompressSync(bad, { codec: 'zstd' }) } catch (e) { code = e.code }
      if (code !== 'E_CORRUPT') throw new Error('a corrupt checksum was not caught: ' + code)
      writeFileSync(output, new Uint8Array(out))`, data)
    same(runTool('zstd', ['-dc'], packed), data)
    same(portable.decompressSync(packed, { codec: 'zstd', maxOutputSize: data.length }), data)
  })

  it('decodes natively as the portable decoder does: limits past 4 GiB, garbage after the last frame refused', () => {
    const packed = fixture('code.py.zst')
    const out = node22(`${HEADER}
      const codeOf = (f) => { try { f(); return 'ok' } catch (e) { return e.code } }
      const big = m.decompressSync(data, { codec: 'zstd', maxOutputSize: 2 ** 40 })
      const results = [
        codeOf(() => m.decompressSync(new Uint8Array([...data, 1, 2, 3]), { codec: 'zstd' })),
        codeOf(() => m.decompressSync(data, { codec: 'zstd', maxOutputSize: 1000 })),
        codeOf(() => m.decompressSync(data, { codec: 'zstd', expectedSize: big.length + 1 })),
      ]
      writeFileSync(output, JSON.stringify({ sha: (await import('node:crypto')).createHash('sha256').update(big).digest('hex'), results }))`, packed)
    const { sha, results } = JSON.parse(new TextDecoder().decode(out))
    expect(sha).toBe(createHash('sha256').update(fixture('code.py')).digest('hex'))
    expect(results).toEqual(['E_CORRUPT', 'E_LIMIT', 'E_SIZE_MISMATCH'])
    // The portable decoder answers alike.
    expect(() => portable.decompressSync(new Uint8Array([...packed, 1, 2, 3]), { codec: 'zstd' })).toThrow(expect.objectContaining({ code: 'E_CORRUPT' }))
  })
})
