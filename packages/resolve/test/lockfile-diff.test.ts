import { describe, expect, it } from 'vitest'
import { diffLockfiles, generateLockfile, LockfileError, parseLockfile } from '@torshpkg/resolve'
import { entry, lockText, pkg, resolutionOf, SMALL, SMALL_TEXT, sri } from './lockfile-fixtures'

const none = { added: [], removed: [], upgraded: [], downgraded: [], changed: [] }

describe('diffLockfiles', () => {
  it('finds nothing between a lockfile and itself, or the same content laid out differently', () => {
    expect(diffLockfiles(SMALL_TEXT, SMALL_TEXT)).toEqual(none)
    expect(diffLockfiles(SMALL_TEXT, parseLockfile(SMALL_TEXT))).toEqual(none)
    expect(diffLockfiles(SMALL_TEXT, JSON.stringify(JSON.parse(SMALL_TEXT), null, 2))).toEqual(none)
    // Key order, empty maps and optional: false carry no meaning.
    const a = lockText({ z: entry('z', '1.0.0', { dependencies: { y: '1', x: '1' } }) })
    const b = lockText({ z: { dependencies: { x: '1', y: '1' }, optionalDependencies: {}, optional: false, ...entry('z', '1.0.0') } })
    expect(diffLockfiles(a, b)).toEqual(none)
  })

  it('sorts additions, removals, upgrades, downgrades and same-version changes by name', () => {
    const before = generateLockfile(
      resolutionOf(
        [
          ...Object.values(SMALL.graph),
          pkg('zeta', '1.0.0'),
          pkg('alpha', '1.0.0'),
          pkg('beta-old', '0.1.0'),
        ],
        SMALL.root,
      ),
    )
    const after = generateLockfile(
      resolutionOf(
        [
          pkg('model', '2.1.0', { ...SMALL.graph.model!, integrity: sri('model-2.1.0-rebuilt') }),
          pkg('tokenizer', '3.2.0'),
          pkg('@acme/vocab', '0.9.1', { source: 'https://mirror.example/@acme/vocab/0.9.1' }),
          pkg('cuda-kernels', '1.4.0-beta.1', { optional: true, platform: { os: ['linux'], arch: ['x64'] } }),
          pkg('zeta', '1.0.0', { dependencies: { alpha: '^2' } }),
          pkg('alpha', '2.0.0'),
          pkg('new-b', '1.0.0'),
          pkg('new-a', '0.0.1-dev.3'),
        ],
        SMALL.root,
      ),
    )
    expect(diffLockfiles(before, after)).toEqual({
      added: [
        { name: 'new-a', version: '0.0.1-dev.3' },
        { name: 'new-b', version: '1.0.0' },
      ],
      removed: [{ name: 'beta-old', version: '0.1.0' }],
      upgraded: [
        { name: 'alpha', from: '1.0.0', to: '2.0.0' },
        { name: 'tokenizer', from: '3.1.0', to: '3.2.0' },
      ],
      downgraded: [{ name: 'cuda-kernels', from: '1.4.0-beta.2', to: '1.4.0-beta.1' }],
      changed: [
        { name: '@acme/vocab', version: '0.9.1', fields: ['source'] },
        { name: 'model', version: '2.1.0', fields: ['integrity'] },
        { name: 'zeta', version: '1.0.0', fields: ['dependencies'] },
      ],
    })
    // And back again: the mirror image.
    const back = diffLockfiles(after, before)
    expect(back.added.map((p) => p.name)).toEqual(['beta-old'])
    expect(back.removed.map((p) => p.name)).toEqual(['new-a', 'new-b'])
    expect(back.downgraded).toEqual([
      { name: 'alpha', from: '2.0.0', to: '1.0.0' },
      { name: 'tokenizer', from: '3.2.0', to: '3.1.0' },
    ])
    expect(back.upgraded).toEqual([{ name: 'cuda-kernels', from: '1.4.0-beta.1', to: '1.4.0-beta.2' }])
  })

  it('orders versions by semver precedence, not as text', () => {
    const at = (version: string) => lockText({ a: entry('a', version) })
    expect(diffLockfiles(at('1.9.0'), at('1.10.0')).upgraded).toEqual([{ name: 'a', from: '1.9.0', to: '1.10.0' }])
    expect(diffLockfiles(at('1.0.0-rc.1'), at('1.0.0')).upgraded).toEqual([{ name: 'a', from: '1.0.0-rc.1', to: '1.0.0' }])
    expect(diffLockfiles(at('1.0.0-rc.10'), at('1.0.0-rc.9')).downgraded).toEqual([{ name: 'a', from: '1.0.0-rc.10', to: '1.0.0-rc.9' }])
    expect(diffLockfiles(at('1.0.0+build.1'), at('1.0.0+build.2')).upgraded).toEqual([{ name: 'a', from: '1.0.0+build.1', to: '1.0.0+build.2' }])
  })

  it('names every field that changed at the same version, sorted', () => {
    const before = lockText({ a: entry('a', '1.0.0', { source: 'https://a/1', dependencies: { b: '1' } }) })
    const after = lockText({
      a: { ...entry('a', '1.0.0'), integrity: sri('other'), optional: true, optionalDependencies: { c: '1' }, platform: { os: ['linux'] } },
    })
    expect(diffLockfiles(before, after).changed).toEqual([
      { name: 'a', version: '1.0.0', fields: ['dependencies', 'integrity', 'optional', 'optionalDependencies', 'platform', 'source'] },
    ])
  })

  it('throws LockfileError for an unreadable side', () => {
    expect(() => diffLockfiles(SMALL_TEXT, '{')).toThrow(LockfileError)
    expect(() => diffLockfiles(lockText({ a: { version: '1' } }), SMALL_TEXT)).toThrow(/packages\.a\.version/)
  })
})
