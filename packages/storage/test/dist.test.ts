import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { runNode } from '../../../scripts/dist-check'

const dir = fileURLToPath(new URL('..', import.meta.url))
// A blob and a ref through a cached manager over memory, then gc; the same through every entry.
const roundTrip = (m: string) => `
  const store = new ${m}.ContentStore(new ${m}.StorageManager(${m}.memoryBackend(), { cache: { maxBytes: 1 << 20 } }))
  store.add('bert', '1.0.0', new TextEncoder().encode('weights')).then(async (ref) => {
    await store.put(new TextEncoder().encode('orphan'))
    const gc = await store.gc({ graceMs: 0 })
    const back = new TextDecoder().decode(await store.get(ref.digest))
    let code = 'none'
    try { await store.get('sha256:' + '0'.repeat(64)) } catch (e) { code = e instanceof ${m}.StorageError ? e.code : 'other' }
    console.log(ref.digest.slice(0, 15), back, gc.deleted.length, code)
  })`
const expected = 'sha256:9a129038 weights 1 E_NOT_FOUND' // sha256("weights") = 9a129038...: printf weights | sha256sum

describe('built @torshpkg/storage', () => {
  it('ESM, CJS and browser entries store, verify and collect the same', () => {
    expect(runNode(dir, `import * as m from '@torshpkg/storage'; ${roundTrip('m')}`, { type: 'module' })).toBe(expected)
    expect(runNode(dir, `const m = require('@torshpkg/storage'); ${roundTrip('m')}`, { type: 'commonjs' })).toBe(expected)
    expect(runNode(dir, `import * as m from '@torshpkg/storage'; ${roundTrip('m')}`, { type: 'module', conditions: ['browser'] })).toBe(expected)
  })

  it('fsBackend is real in the Node build and a clear E_UNSUPPORTED in the browser build', () => {
    const probe = (m: string) => `try { ${m}.fsBackend('/tmp'); console.log('fs ok') } catch (e) { console.log(e.code) }`
    expect(runNode(dir, `import * as m from '@torshpkg/storage'; ${probe('m')}`, { type: 'module' })).toBe('fs ok')
    expect(runNode(dir, `const m = require('@torshpkg/storage'); ${probe('m')}`, { type: 'commonjs' })).toBe('fs ok')
    expect(runNode(dir, `import * as m from '@torshpkg/storage'; ${probe('m')}`, { type: 'module', conditions: ['browser'] })).toBe('E_UNSUPPORTED')
  })

  it('the browser build imports nothing from node:', async () => {
    const out = await build({ entryPoints: [`${dir}/dist/index.js`], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' })
    expect(out.outputFiles[0]!.text).not.toMatch(/from ["']node:/)
  })
})
