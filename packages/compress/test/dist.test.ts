import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { runNode } from '../../../scripts/dist-check'

const dir = fileURLToPath(new URL('..', import.meta.url))
const roundTrip = `
  const data = new TextEncoder().encode('torshpkg '.repeat(1000))
  const packed = await m.compress(data, { codec: 'deflate' })
  const back = await m.decompress(packed, { codec: 'deflate', maxOutputSize: data.length })
  console.log(packed.length < data.length / 10, new TextDecoder().decode(back) === 'torshpkg '.repeat(1000), m.detectCodec(Uint8Array.of(0x1f, 0x8b, 8)))`

describe('built @torshpkg/compress', () => {
  it('ESM (node build and browser build) round trips', () => {
    expect(runNode(dir, `import * as m from '@torshpkg/compress'; ${roundTrip}`, { type: 'module' })).toBe('true true gzip')
    const which = `console.log(import.meta.resolve('@torshpkg/compress').split('/').pop())`
    expect(runNode(dir, `import * as m from '@torshpkg/compress'; ${which}; ${roundTrip}`, { type: 'module', conditions: ['browser'] })).toBe('index.js\ntrue true gzip')
    expect(runNode(dir, which, { type: 'module' })).toBe('index.node.js')
  })

  it('CJS (node build and browser build) round trips', () => {
    for (const target of ["'@torshpkg/compress'", "'./dist/index.cjs'"]) {
      expect(runNode(dir, `const m = require(${target}); (async () => { ${roundTrip} })()`, { type: 'commonjs' })).toBe('true true gzip')
    }
  })
})
