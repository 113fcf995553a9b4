import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { runNode } from '../../../scripts/dist-check'

const dir = fileURLToPath(new URL('..', import.meta.url))
// (x1 or x2) and (not x1) and (not x2 or x3): the only model is x1=false, x2=true, x3=true.
const solve = (m: string) => `
  const r = ${m}.solveCnf(${m}.parseDimacs('c tiny\\np cnf 3 3\\n1 2 0\\n-1 0\\n-2 3 0\\n'))
  const u = ${m}.solveCnf(${m}.parseDimacs('p cnf 1 2\\n1 0\\n-1 0\\n'))
  console.log(r.sat, r.model.slice(1).join(','), u.sat)`

// A resolution, its lockfile validated (zod) and an install plan, through the built entry.
const pipeline = (m: string) => `
  const reg = { a: [{ version: '1.0.0', dependencies: { b: '^1' }, integrity: 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' }],
                b: [{ version: '1.2.0', integrity: 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' }] }
  ${m}.resolve({ dependencies: { a: '*' } }, { versions: async (n) => reg[n] }).then((r) => {
    const lock = ${m}.generateLockfile(r)
    const plan = ${m}.planInstall(${m}.parseLockfile(lock))
    console.log(JSON.stringify(r.packages), ${m}.validateLockfile(lock).valid, plan.levels.map((l) => l.map((p) => p.name).join('+')).join(','))
  })`
const piped = '{"a":"1.0.0","b":"1.2.0"} true b,a'

describe('built @torshpkg/resolve', () => {
  it('ESM and CJS entries resolve, lock and plan the same', () => {
    expect(runNode(dir, `import * as m from '@torshpkg/resolve'; ${pipeline('m')}`, { type: 'module' })).toBe(piped)
    expect(runNode(dir, `const m = require('@torshpkg/resolve'); ${pipeline('m')}`, { type: 'commonjs' })).toBe(piped)
    expect(runNode(dir, `import * as m from '@torshpkg/resolve'; ${pipeline('m')}`, { type: 'module', conditions: ['browser'] })).toBe(piped)
  })

  it('ESM and CJS entries solve the same', () => {
    expect(runNode(dir, `import * as m from '@torshpkg/resolve'; ${solve('m')}`, { type: 'module' })).toBe('true false,true,true false')
    expect(runNode(dir, `const m = require('@torshpkg/resolve'); ${solve('m')}`, { type: 'commonjs' })).toBe('true false,true,true false')
    expect(runNode(dir, `import * as m from '@torshpkg/resolve'; ${solve('m')}`, { type: 'module', conditions: ['browser'] })).toBe('true false,true,true false')
  })

  it('the browser build imports nothing from node:', async () => {
    const out = await build({ entryPoints: [`${dir}/dist/index.js`], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' })
    expect(out.outputFiles[0]!.text).not.toMatch(/from ["']node:/)
  })
})
