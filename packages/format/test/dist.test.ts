import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { runNode } from '../../../scripts/dist-check'

const dir = fileURLToPath(new URL('..', import.meta.url))
const roundTrip = `
  const w = m.createPackage('memory', { name: 'dist', version: '1.0.0' })
  await w.add('w.bin', new Float32Array([1, 2, 3]), { tensor: { dtype: 'float32', shape: [3] } })
  const { bytes, digest } = await w.finish()
  const pkg = await m.openPackage(bytes)
  const t = await pkg.readTensor('w.bin')
  const report = await pkg.verify()
  let code = ''
  try { await m.openPackage(bytes.subarray(0, 100)) } catch (e) { code = e instanceof m.PackageError && e.code }
  console.log(Array.from(t.data).join(','), report.ok, digest === pkg.digest, code)`

describe('built @torshpkg/format', () => {
  it('ESM import: node build (with file paths) and browser build', () => {
    const fileCode = `
      const { mkdtempSync } = await import('node:fs'); const { join } = await import('node:path'); const { tmpdir } = await import('node:os')
      const file = join(mkdtempSync(join(tmpdir(), 'dist-')), 'x.torshpkg')
      const fw = m.createPackage(file, { name: 'f', version: '1.0.0' }); await fw.add('a', 'b'); await fw.finish()
      const fp = await m.openPackage(file); console.log((await fp.read('a')).length); await fp.close()`
    expect(runNode(dir, `import * as m from '@torshpkg/format'; ${roundTrip}; ${fileCode}`, { type: 'module' })).toBe('1,2,3 true true E_TRUNCATED\n1')
    const which = `console.log(import.meta.resolve('@torshpkg/format').split('/').pop())`
    expect(runNode(dir, `import * as m from '@torshpkg/format'; ${which}; ${roundTrip}`, { type: 'module', conditions: ['browser'] })).toBe('index.js\n1,2,3 true true E_TRUNCATED')
    // The browser build has no file system: it says so with a typed error.
    expect(
      runNode(dir, `import * as m from '@torshpkg/format'; await m.openPackage('/tmp/x.torshpkg').catch((e) => console.log(e.code, e.message))`, {
        type: 'module',
        conditions: ['browser'],
      }),
    ).toMatch(/^E_ARGUMENT opening a file path needs Node/)
  })

  it('CJS require: node build and browser build', () => {
    for (const target of ["'@torshpkg/format'", "'./dist/index.cjs'"]) {
      expect(runNode(dir, `const m = require(${target}); (async () => { ${roundTrip} })()`, { type: 'commonjs' })).toBe('1,2,3 true true E_TRUNCATED')
    }
  })

  it('bundles for the browser with no node: imports anywhere in the graph', async () => {
    const result = await build({
      stdin: {
        contents: `export * from '@torshpkg/format'; export * as compress from '@torshpkg/compress'; export * as crypto from '@torshpkg/crypto'`,
        resolveDir: dir,
      },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      metafile: true,
    })
    const inputs = Object.keys(result.metafile!.inputs)
    expect(inputs.some((p) => p.includes('format/dist/index.js'))).toBe(true)
    expect(inputs.some((p) => p.includes('crypto/dist/index.js'))).toBe(true)
    expect(inputs.filter((p) => p.includes('.node.'))).toEqual([])
    expect(result.outputFiles[0]!.text).not.toMatch(/from\s*["']node:|require\(["']node:/)
  })
})
