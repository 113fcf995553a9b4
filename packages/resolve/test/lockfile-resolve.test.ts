// The lockfile of a real resolution: resolve() -> generateLockfile -> validateLockfile -> resolve({ lockfile }).
import { describe, expect, it } from 'vitest'
import { diffLockfiles, generateLockfile, lockedVersions, resolve, validateLockfile, type IndexVersion } from '@torshpkg/resolve'
import { sri } from './lockfile-fixtures'

const registry: Record<string, IndexVersion[]> = {
  model: [
    { version: '2.0.0', dependencies: { tokenizer: '^3.0.0' } },
    { version: '2.1.0', dependencies: { tokenizer: '^3.0.0', '@acme/vocab': '~0.9.0' }, optionalDependencies: { 'cuda-kernels': '^1' } },
  ],
  tokenizer: [{ version: '3.0.0' }, { version: '3.1.0' }, { version: '4.0.0' }],
  '@acme/vocab': [{ version: '0.9.0' }, { version: '0.9.3' }],
  'cuda-kernels': [{ version: '1.2.0', platform: { os: ['linux'] } }],
}
const withHashes = (reg: Record<string, IndexVersion[]>) => ({
  versions: (name: string) =>
    reg[name]?.map((v) => ({ ...v, integrity: sri(`${name}-${v.version}`), source: `https://registry.example/${name}/${v.version}` })),
})

describe('lockfiles of resolve() results', () => {
  it('are valid, and resolving again with the lockfile keeps its versions', async () => {
    const root = { dependencies: { model: '^2.0.0' } }
    const text = generateLockfile(await resolve(root, withHashes(registry)), { validate: true })
    expect(validateLockfile(text)).toMatchObject({ valid: true, errors: [], warnings: [] })
    expect(lockedVersions(text)).toEqual({ '@acme/vocab': '0.9.3', 'cuda-kernels': '1.2.0', model: '2.1.0', tokenizer: '3.1.0' })
    expect(text).toContain('"cuda-kernels": {"integrity":')
    expect(text).toContain('"optional":true,"platform":{"os":["linux"]}')

    // A newer tokenizer is published: the lockfile keeps 3.1.0; without it, 3.2.0 is picked.
    const newer = withHashes({ ...registry, tokenizer: [...registry.tokenizer!, { version: '3.2.0' }] })
    const kept = generateLockfile(await resolve(root, newer, { lockfile: text }))
    expect(kept).toBe(text)
    const fresh = generateLockfile(await resolve(root, newer))
    expect(diffLockfiles(text, fresh)).toEqual({
      added: [],
      removed: [],
      upgraded: [{ name: 'tokenizer', from: '3.1.0', to: '3.2.0' }],
      downgraded: [],
      changed: [],
    })
  })
})
