import { describe, expect, it } from 'vitest'
import {
  generateLockfile,
  LOCKFILE_VERSION,
  LockfileError,
  lockedVersions,
  parseLockfile,
  stringifyLockfile,
  toLockfile,
  validateLockfile,
  type Lockfile,
} from '@torshpkg/resolve'
import { entry, lockText, pkg, resolutionOf, SMALL, SMALL_TEXT, sri } from './lockfile-fixtures'

function thrown(f: () => unknown): LockfileError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(LockfileError)
    return e as LockfileError
  }
  throw new Error('expected a LockfileError')
}

describe('generateLockfile', () => {
  it('writes the documented layout, byte for byte', () => {
    expect(generateLockfile(SMALL)).toBe(SMALL_TEXT)
  })

  it('gives the same bytes whatever order the resolution lists things in', () => {
    const reversed = resolutionOf(
      Object.values(SMALL.graph)
        .reverse()
        .map((p) => ({
          ...p,
          dependencies: Object.fromEntries(Object.entries(p.dependencies).reverse()),
          ...(p.platform ? { platform: { arch: ['x64'], os: ['linux', 'linux'] } } : {}),
        })),
      {
        dependencies: Object.fromEntries(Object.entries(SMALL.root.dependencies).reverse()),
        optionalDependencies: SMALL.root.optionalDependencies,
      },
    )
    expect(Object.keys(reversed.graph)).not.toEqual(Object.keys(SMALL.graph))
    expect(generateLockfile(reversed)).toBe(SMALL_TEXT)
    expect(generateLockfile(SMALL)).toBe(generateLockfile(SMALL))
  })

  it('writes an empty resolution', () => {
    expect(generateLockfile(resolutionOf([], {}))).toBe('{\n  "lockfileVersion": 1,\n  "packages": {},\n  "root": {"dependencies":{}}\n}\n')
  })

  it('keeps every entry on one line, whatever its strings hold', () => {
    const source = 'https://example.org/a "quoted" \u2028 path/é\u{1F600}'
    const text = generateLockfile(resolutionOf([pkg('a', '1.0.0', { source })], { dependencies: { a: '1.0.0' } }))
    expect(text.split('\n')).toHaveLength(8)
    expect(parseLockfile(text).packages.a?.source).toBe(source)
  })

  it('drops what carries no information: empty maps, optional: false, empty marker lists', () => {
    const lock = toLockfile(
      resolutionOf([pkg('a', '1.0.0', { platform: { os: [], arch: ['arm64', 'x64', 'arm64'] } }), pkg('b', '1.0.0', { platform: { os: [] } })], {
        dependencies: { a: '*', b: '*' },
      }),
    )
    expect(lock.packages.a).toEqual({ integrity: sri('a-1.0.0'), platform: { arch: ['arm64', 'x64'] }, version: '1.0.0' })
    expect(lock.packages.b).toEqual({ integrity: sri('b-1.0.0'), version: '1.0.0' })
    expect(lock.root).toEqual({ dependencies: { a: '*', b: '*' } })
  })

  it('refuses a resolution a lockfile cannot hold, naming the field', () => {
    const e = thrown(() => generateLockfile(resolutionOf([pkg('a', 'latest')], { dependencies: { a: '*' } })))
    expect(e.code).toBe('E_LOCKFILE_SCHEMA')
    expect(e.path).toBe('packages.a.version')
    expect(e.issues).toEqual([{ code: 'E_LOCKFILE_BAD_VERSION', path: 'packages.a.version', message: expect.stringContaining('"latest"') }])
    expect(thrown(() => toLockfile(resolutionOf([pkg('Bad Name', '1.0.0')], {}))).path).toBe('packages.Bad Name')
  })

  it('with { validate }, throws E_LOCKFILE_INVALID listing the errors', () => {
    const noHash = resolutionOf([pkg('a', '1.0.0', { integrity: undefined, dependencies: { b: '^2' } })], { dependencies: { a: '^1' } })
    const e = thrown(() => generateLockfile(noHash, { validate: true }))
    expect(e.code).toBe('E_LOCKFILE_INVALID')
    expect(e.issues.map((i) => i.code)).toEqual(['E_LOCKFILE_MISSING_INTEGRITY', 'E_LOCKFILE_MISSING_DEPENDENCY'])
    expect(e.message).toMatch(/^the generated torshpkg\.lock is invalid: packages\.a\.integrity: .*; packages\.a\.dependencies\.b: a@1\.0\.0 requires b \^2/)
    // Without validation the same resolution is written (and validation options pass through).
    expect(generateLockfile(noHash)).toContain('"a": {"dependencies":{"b":"^2"},"version":"1.0.0"}')
    const onlyHash = resolutionOf([pkg('a', '1.0.0', { integrity: undefined })], { dependencies: { a: '^1' } })
    expect(() => generateLockfile(onlyHash, { validate: true })).toThrow(LockfileError)
    expect(generateLockfile(onlyHash, { validate: { missingIntegrity: 'warning' } })).toContain('"a": {"version":"1.0.0"}')
    expect(generateLockfile(SMALL, { validate: true })).toBe(SMALL_TEXT)
  })
})

describe('parseLockfile and stringifyLockfile', () => {
  it('round-trips text and objects exactly', () => {
    const lock = parseLockfile(SMALL_TEXT)
    expect(lock).toEqual(toLockfile(SMALL))
    expect(stringifyLockfile(lock)).toBe(SMALL_TEXT)
    expect(lock.lockfileVersion).toBe(LOCKFILE_VERSION)
    expect(lock.packages.model).toEqual({
      dependencies: { '@acme/vocab': '^0.9.0', tokenizer: '^3.0.0' },
      integrity: sri('model-2.1.0'),
      optionalDependencies: { 'cuda-kernels': '^1.4.0-beta.0' },
      source: 'https://registry.torshpkg.dev/model/2.1.0',
      version: '2.1.0',
    })
    expect(Object.keys(lock.packages)).toEqual(['@acme/vocab', 'cuda-kernels', 'model', 'tokenizer'])
  })

  it('reads any JSON layout and writes the canonical one', () => {
    const pretty = JSON.stringify(JSON.parse(SMALL_TEXT), null, 4)
    expect(pretty).not.toBe(SMALL_TEXT)
    expect(stringifyLockfile(parseLockfile(pretty))).toBe(SMALL_TEXT)
    expect(stringifyLockfile(parseLockfile(`\uFEFF${SMALL_TEXT}`))).toBe(SMALL_TEXT)
    const verbose = lockText({ a: entry('a', '1.0.0', { dependencies: {}, optional: false, platform: {} }) }, { dependencies: {}, optionalDependencies: {} })
    expect(parseLockfile(verbose)).toEqual({ lockfileVersion: 1, packages: { a: entry('a', '1.0.0') }, root: { dependencies: {} } })
  })

  it('throws E_LOCKFILE_PARSE for text that is not JSON', () => {
    for (const text of ['', '{', SMALL_TEXT.slice(0, -10), "{'lockfileVersion': 1}"]) {
      const e = thrown(() => parseLockfile(text))
      expect(e.code).toBe('E_LOCKFILE_PARSE')
      expect(e.path).toBe('')
      expect(e.message).toMatch(/^invalid torshpkg\.lock: not valid JSON: /)
    }
  })

  it('throws E_LOCKFILE_SCHEMA naming the field and why', () => {
    const bad = SMALL_TEXT.replace(sri('tokenizer-3.1.0'), 'md5-rL0Y20zC+Fzt72VPzMSk2A==')
    const e = thrown(() => parseLockfile(bad))
    expect(e.code).toBe('E_LOCKFILE_SCHEMA')
    expect(e.path).toBe('packages.tokenizer.integrity')
    expect(e.message).toBe(
      'invalid torshpkg.lock: packages.tokenizer.integrity: must be an SRI hash such as "sha256-<44 base64 characters>" (sha384, sha512 also accepted), got "md5-rL0Y20zC+Fzt72VPzMSk2A=="',
    )
    expect(e.issues).toEqual([{ code: 'E_LOCKFILE_BAD_INTEGRITY', path: 'packages.tokenizer.integrity', message: expect.any(String) }])

    const typo = thrown(() => parseLockfile(SMALL_TEXT.replace('"source":"https://registry.torshpkg.dev/model', '"sorce":"https://registry.torshpkg.dev/model')))
    expect(typo.path).toBe('packages.model.sorce')
    expect(typo.message).toMatch(/packages\.model\.sorce: unknown field: .* \(did you mean "source"\?\)$/)
  })

  it('lists every problem in issues and the first few in the message', () => {
    const packages = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`p${i}`, { version: `1.0.${i}.0` }]))
    const e = thrown(() => parseLockfile(lockText(packages)))
    expect(e.issues).toHaveLength(8)
    expect(e.issues.every((i) => i.code === 'E_LOCKFILE_BAD_VERSION')).toBe(true)
    expect(e.message).toMatch(/packages\.p4\.version: .*\(and 3 more\)$/)
    expect(e.message).not.toContain('p5')
  })

  it('throws E_LOCKFILE_UNSUPPORTED_VERSION for a format it does not read', () => {
    const e = thrown(() => parseLockfile(SMALL_TEXT.replace('"lockfileVersion": 1', '"lockfileVersion": 2')))
    expect(e.code).toBe('E_LOCKFILE_UNSUPPORTED_VERSION')
    expect(e.path).toBe('lockfileVersion')
    expect(e.message).toMatch(/lockfileVersion 2 is newer than this version of @torshpkg\/resolve reads \(it reads lockfileVersion 1\)/)
  })

  it('stringifyLockfile checks the object it is given', () => {
    const lock = parseLockfile(SMALL_TEXT)
    const broken = { ...lock, packages: { ...lock.packages, tokenizer: { version: '3.1.0', integrity: 'sha256-short' } } } as Lockfile
    expect(thrown(() => stringifyLockfile(broken)).path).toBe('packages.tokenizer.integrity')
    expect(thrown(() => stringifyLockfile({ ...lock, lockfileVersion: 7 })).code).toBe('E_LOCKFILE_UNSUPPORTED_VERSION')
  })

  it('parsed objects pass validateLockfile and serialize the same', () => {
    const lock = parseLockfile(SMALL_TEXT)
    expect(validateLockfile(lock)).toEqual({ valid: true, errors: [], warnings: [], lockfile: lock })
  })
})

describe('lockedVersions', () => {
  it('maps each locked package to its version, from text or an object', () => {
    const expected = { '@acme/vocab': '0.9.1', 'cuda-kernels': '1.4.0-beta.2', model: '2.1.0', tokenizer: '3.1.0' }
    expect(lockedVersions(SMALL_TEXT)).toEqual(expected)
    expect(lockedVersions(parseLockfile(SMALL_TEXT))).toEqual(expected)
    expect(Object.keys(lockedVersions(SMALL_TEXT))).toEqual(Object.keys(expected))
  })

  it('has no inherited keys: names like "constructor" are only there when locked', () => {
    const versions = lockedVersions(SMALL_TEXT)
    expect(versions['constructor']).toBeUndefined()
    expect(versions['tostring']).toBeUndefined()
    expect('hasOwnProperty' in versions).toBe(false)
    const withCtor = lockedVersions(lockText({ constructor: entry('constructor', '1.0.0') }, { dependencies: { constructor: '1' } }))
    expect(withCtor['constructor']).toBe('1.0.0')
  })

  it('throws LockfileError for a lockfile it cannot read', () => {
    expect(thrown(() => lockedVersions('{"lockfileVersion":1}')).code).toBe('E_LOCKFILE_SCHEMA')
    expect(thrown(() => lockedVersions('nope')).code).toBe('E_LOCKFILE_PARSE')
  })
})
