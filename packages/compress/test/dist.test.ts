import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { runNode } from '../../../scripts/dist-check'

const dir = fileURLToPath(new URL('..', import.meta.url))
const roundTrip = `
  const data = new TextEncoder().encode('torshpkg '.repeat(1000))
  const packed = await m.compress(data, { codec: 'deflate' })
  const back = await m.decompress(packed, { codec: 'deflate', maxOutputSize: data.length })
  const xz = await m.decompress(new Uint8Array(require('node:fs').readFileSync('test/fixtures/code.py.xz')), { maxOutputSize: 1 << 20 })
  console.log(packed.length < data.length / 10, new TextDecoder().decode(back) === 'torshpkg '.repeat(1000), m.detectCodec(Uint8Array.of(0x1f, 0x8b, 8)), xz.length)`

describe('built @torshpkg/compress', () => {
  it('ESM (node build and browser build) round trips', () => {
    const esm = `import * as m from '@torshpkg/compress'; import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);`
    expect(runNode(dir, `${esm} ${roundTrip}`, { type: 'module' })).toBe('true true gzip 51780')
    const which = `console.log(import.meta.resolve('@torshpkg/compress').split('/').pop())`
    expect(runNode(dir, `${esm} ${which}; ${roundTrip}`, { type: 'module', conditions: ['browser'] })).toBe('index.js\ntrue true gzip 51780')
    expect(runNode(dir, which, { type: 'module' })).toBe('index.node.js')
  })

  it('CJS (node build and browser build) round trips', () => {
    for (const target of ["'@torshpkg/compress'", "'./dist/index.cjs'"]) {
      expect(runNode(dir, `const m = require(${target}); (async () => { ${roundTrip} })()`, { type: 'commonjs' })).toBe('true true gzip 51780')
    }
  })
})
