import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { runNode } from '../../../scripts/dist-check'

const dir = fileURLToPath(new URL('..', import.meta.url))
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'

describe('built @torshpkg/crypto', () => {
  it('ESM import resolves the node build and hashes', () => {
    const out = runNode(dir, `import { sha256 } from '@torshpkg/crypto'; console.log(await sha256(new TextEncoder().encode('abc')))`, { type: 'module' })
    expect(out).toBe(ABC)
  })

  it('CJS require works, including the browser build that loads ESM-only @noble/hashes (require(esm))', () => {
    const out = runNode(
      dir,
      `const a = require('@torshpkg/crypto'); const b = require('./dist/index.cjs');
       const x = new TextEncoder().encode('abc');
       Promise.all([a.sha256(x), b.sha256(x)]).then(([p, q]) => console.log(p, q, b.toHex(b.hashSync('sha256', x))))`,
      { type: 'commonjs' },
    )
    expect(out).toBe(`${ABC} ${ABC} ${ABC}`)
  })

  it('the browser condition selects the portable build, which gives the same digests', () => {
    const out = runNode(
      dir,
      `import * as m from '@torshpkg/crypto'
       console.log(import.meta.resolve('@torshpkg/crypto').split('/').pop(), m.toHex(m.hashSync('sha256', new TextEncoder().encode('abc'))))`,
      { type: 'module', conditions: ['browser'] },
    )
    expect(out).toBe(`index.js ${ABC}`)
    expect(runNode(dir, `console.log(import.meta.resolve('@torshpkg/crypto').split('/').pop())`, { type: 'module' })).toBe('index.node.js')
  })

  it('the /node subpath (ESM and CJS) uses the main entry: one CryptoError class', () => {
    const esm = runNode(
      dir,
      `import { CryptoError } from '@torshpkg/crypto'; import { ageEncryptFile } from '@torshpkg/crypto/node'
       const e = await ageEncryptFile(42, 'x', { passphrase: 'p' }).catch((e) => e)
       console.log(e instanceof CryptoError, e.code)`,
      { type: 'module' },
    )
    expect(esm).toBe('true E_ARGUMENT')
    const cjs = runNode(
      dir,
      `const { CryptoError } = require('@torshpkg/crypto'); const { ageEncryptFile } = require('@torshpkg/crypto/node')
       ageEncryptFile(42, 'x', { passphrase: 'p' }).catch((e) => console.log(e instanceof CryptoError, e.code))`,
      { type: 'commonjs' },
    )
    expect(cjs).toBe('true E_ARGUMENT')
  })
})
