import { describe, expect, it } from 'vitest'
import { parseLockfile, validateLockfile, type LockfileIssue, type LockfileIssueCode, type ValidateLockfileOptions } from '@torshpkg/resolve'
import { entry, lockText, SMALL_TEXT, sri } from './lockfile-fixtures'

/** The one error of `text`: its code, path, and a message matching `message`. */
function onlyError(text: string, code: LockfileIssueCode, path: string, message: RegExp, options?: ValidateLockfileOptions): LockfileIssue {
  const result = validateLockfile(text, options)
  expect(result.valid).toBe(false)
  expect(result.errors).toHaveLength(1)
  const [e] = result.errors
  expect(e).toEqual({ code, path, message: expect.stringMatching(message) })
  return e!
}

const swap = (from: string, to: string) => {
  expect(SMALL_TEXT).toContain(from)
  return SMALL_TEXT.replace(from, to)
}

describe('validateLockfile: a good lockfile', () => {
  it('is valid, with no warnings, and returns the lockfile', () => {
    const result = validateLockfile(SMALL_TEXT)
    expect(result).toEqual({ valid: true, errors: [], warnings: [], lockfile: parseLockfile(SMALL_TEXT) })
  })

  it('lets optional dependencies be absent', () => {
    const text = swap('    "cuda-kernels": {"integrity":"sha256-YcbQ0DUU2cv7QhYlLlhUi1peJHu4R35/RpQafs9saiQ=","optional":true,"platform":{"arch":["x64"],"os":["linux"]},"version":"1.4.0-beta.2"},\n', '')
    expect(validateLockfile(text)).toMatchObject({ valid: true, errors: [], warnings: [] })
  })

  it('lets ranges match prereleases they do not name, unless includePrerelease is false', () => {
    // node-semver's default would reject 1.4.0-beta.2 for ">=1.0.0" (and "2.0.0-rc.1" for "*").
    const text = lockText(
      { a: entry('a', '1.4.0-beta.2'), b: entry('b', '2.0.0-rc.1', { dependencies: { a: '>=1.0.0 <2' } }) },
      { dependencies: { a: '>=1.0.0', b: '*' } },
    )
    expect(validateLockfile(text)).toMatchObject({ valid: true, errors: [], warnings: [] })
    // Checked as the resolver does by default instead: ranges match only prereleases they name.
    expect(validateLockfile(text, { includePrerelease: false }).errors.map((e) => [e.code, e.path])).toEqual([
      ['E_LOCKFILE_CONFLICT', 'root.dependencies.a'],
      ['E_LOCKFILE_CONFLICT', 'root.dependencies.b'],
      ['E_LOCKFILE_CONFLICT', 'packages.b.dependencies.a'],
    ])
  })

  it('accepts sha384 and sha512 integrity', () => {
    const text = lockText(
      {
        a: { version: '1.0.0', integrity: 'sha512-pKvURIxJVi2CgRXROh/M6pJ/UrTVRZKX+LQ+QtqJI4vBNibkPcs43bCCSIkn7JBPtCBXRDmD6IWFF51QVRr+Yg==' },
        b: { version: '1.0.0', integrity: 'sha384-11LCxR+6DimqGQVwqdQlPkQHegWNMpf6OlYw1b0BJiL5fCisrtMTtcg7uZDKp9qF' },
      },
      { dependencies: { a: '1', b: '1' } },
    )
    expect(validateLockfile(text).valid).toBe(true)
  })
})

describe('validateLockfile: every error code', () => {
  it('E_LOCKFILE_PARSE: not JSON', () => {
    onlyError(SMALL_TEXT.replace('},\n  "root"', '}\n  "root"'), 'E_LOCKFILE_PARSE', '', /^not valid JSON: /)
    onlyError('', 'E_LOCKFILE_PARSE', '', /^not valid JSON/)
  })

  it('E_LOCKFILE_SCHEMA: fields missing, unknown, or of the wrong type', () => {
    onlyError(swap('"version":"3.1.0"', '"version":3.1'), 'E_LOCKFILE_SCHEMA', 'packages.tokenizer.version', /^must be a string, got number 3.1$/)
    onlyError(swap(',"version":"3.1.0"', ''), 'E_LOCKFILE_SCHEMA', 'packages.tokenizer.version', /^is required$/)
    onlyError(swap('"optional":true', '"optional":"yes"'), 'E_LOCKFILE_SCHEMA', 'packages.cuda-kernels.optional', /^must be true or false, got "yes"$/)
    onlyError(swap('"os":["linux"]', '"os":"linux"'), 'E_LOCKFILE_SCHEMA', 'packages.cuda-kernels.platform.os', /must be an array of strings/)
    onlyError(swap('"os":["linux"]', '"os":["linux",""]'), 'E_LOCKFILE_SCHEMA', 'packages.cuda-kernels.platform.os[1]', /must not be empty/)
    onlyError(swap('"os":["linux"]', '"oss":["linux"]'), 'E_LOCKFILE_SCHEMA', 'packages.cuda-kernels.platform.oss', /unknown field: .*\(did you mean "os"\?\)/)
    onlyError(swap('"integrity":"sha256-xuU', '"integrty":"sha256-xuU'), 'E_LOCKFILE_SCHEMA', 'packages.tokenizer.integrty', /did you mean "integrity"/)
    onlyError(swap('"lockfileVersion": 1,', '"lockfileVersion": 1, "extra": true,'), 'E_LOCKFILE_SCHEMA', 'extra', /^unknown field: a lockfile has "lockfileVersion", "packages", "root"$/)
    onlyError(swap('"lockfileVersion": 1', '"lockfileVersion": "1"'), 'E_LOCKFILE_SCHEMA', 'lockfileVersion', /^must be the number 1, got "1"$/)
    onlyError(swap('"source":"https://registry.torshpkg.dev/model/2.1.0"', '"source":"a\\nb"'), 'E_LOCKFILE_SCHEMA', 'packages.model.source', /control characters/)
    // Renamed: the entry's name is invalid, and model's dependency on "tokenizer" is now missing.
    expect(validateLockfile(swap('"tokenizer": {', '"Tokenizer": {')).errors.map((e) => [e.code, e.path])).toEqual([
      ['E_LOCKFILE_SCHEMA', 'packages.Tokenizer'],
      ['E_LOCKFILE_MISSING_DEPENDENCY', 'packages.model.dependencies.tokenizer'],
    ])
    onlyError(swap('"tokenizer":"^3.0.0"', '"tokenizer":3'), 'E_LOCKFILE_SCHEMA', 'packages.model.dependencies.tokenizer', /must be a string, got number 3/)
    onlyError(swap('"model":"^2.0.0"', '"Model!":"^2.0.0"'), 'E_LOCKFILE_SCHEMA', 'root.dependencies.Model!', /must be a package name/)
  })

  it('E_LOCKFILE_SCHEMA: the document and its sections of the wrong shape', () => {
    for (const text of ['null', '42', '"torshpkg.lock"', '[]', 'true']) onlyError(text, 'E_LOCKFILE_SCHEMA', '', /^a lockfile must be a JSON object, got /)
    const noRoot = validateLockfile(lockText({}, undefined).replace(',"root":{"dependencies":{}}', ''))
    expect(noRoot.errors).toEqual([{ code: 'E_LOCKFILE_SCHEMA', path: 'root', message: 'is required' }])
    onlyError(lockText([] as unknown as Record<string, unknown>), 'E_LOCKFILE_SCHEMA', 'packages', /^must be an object of \{ name: package \}, got an array$/)
    onlyError(lockText({}, { dependencies: [] }), 'E_LOCKFILE_SCHEMA', 'root.dependencies', /must be an object of \{ name: range \}, got an array/)
    onlyError(lockText({}, {}), 'E_LOCKFILE_SCHEMA', 'root.dependencies', /^is required$/)
    onlyError('{"packages":{},"root":{"dependencies":{}}}', 'E_LOCKFILE_SCHEMA', 'lockfileVersion', /^is required$/)
  })

  it('E_LOCKFILE_UNSUPPORTED_VERSION: a lockfileVersion this library does not read, and nothing else checked', () => {
    const newer = swap('"lockfileVersion": 1', '"lockfileVersion": 2').replace('"version":"3.1.0"', '"version":"nonsense"')
    onlyError(newer, 'E_LOCKFILE_UNSUPPORTED_VERSION', 'lockfileVersion', /^lockfileVersion 2 is newer than this version/)
    onlyError(lockText({}, undefined, 0.5), 'E_LOCKFILE_UNSUPPORTED_VERSION', 'lockfileVersion', /^lockfileVersion 0.5 is not a lockfile format version/)
  })

  it('E_LOCKFILE_BAD_VERSION: a version that is not semver', () => {
    for (const v of ['3.1', 'v3.1.0', '03.1.0', '3.1.0 ', 'latest', `3.1.0-${'x'.repeat(300)}`, '99999999999999999999.0.0']) {
      onlyError(swap('"version":"3.1.0"', `"version":${JSON.stringify(v)}`), 'E_LOCKFILE_BAD_VERSION', 'packages.tokenizer.version', /^must be a semantic version such as "1.2.3"/)
    }
  })

  it('E_LOCKFILE_BAD_RANGE: a dependency range that is not a range', () => {
    onlyError(swap('"tokenizer":"^3.0.0"', '"tokenizer":"^^3"'), 'E_LOCKFILE_BAD_RANGE', 'packages.model.dependencies.tokenizer', /^must be a semver range .*, got "\^\^3"$/)
    onlyError(swap('"model":"^2.0.0"', '"model":""'), 'E_LOCKFILE_BAD_RANGE', 'root.dependencies.model', /must be a semver range/)
    onlyError(swap('"optionalDependencies":{"cuda-kernels":"^1.4.0-beta.0"}}', '"optionalDependencies":{"cuda-kernels":"one"}}'), 'E_LOCKFILE_BAD_RANGE', 'root.optionalDependencies.cuda-kernels', /must be a semver range/)
  })

  it('E_LOCKFILE_BAD_INTEGRITY: integrity that is not one well-formed SRI hash', () => {
    const good = sri('tokenizer-3.1.0')
    const bad = [
      'md5-rL0Y20zC+Fzt72VPzMSk2A==', // unsupported algorithm
      good.slice(0, -2) + '=', // a character short
      good.replace('sha256-', 'sha512-'), // length of the wrong digest
      good.replace('sha256-', 'SHA256-'),
      good.slice(0, -2) + 'F=', // stray bits in the last character: not canonical base64
      good.replace('+', '-'), // base64url alphabet
      `${good} ${good}`,
      '',
    ]
    for (const integrity of bad) {
      onlyError(swap(good, integrity), 'E_LOCKFILE_BAD_INTEGRITY', 'packages.tokenizer.integrity', /^must be an SRI hash/)
    }
  })

  it('E_LOCKFILE_MISSING_INTEGRITY: an error by default, a warning on request', () => {
    const text = swap(`"integrity":"${sri('tokenizer-3.1.0')}",`, '')
    onlyError(text, 'E_LOCKFILE_MISSING_INTEGRITY', 'packages.tokenizer.integrity', /^tokenizer@3.1.0 has no integrity hash/)
    const lenient = validateLockfile(text, { missingIntegrity: 'warning' })
    expect(lenient.valid).toBe(true)
    expect(lenient.errors).toEqual([])
    expect(lenient.warnings.map((w) => [w.code, w.path])).toEqual([['E_LOCKFILE_MISSING_INTEGRITY', 'packages.tokenizer.integrity']])
  })

  it('E_LOCKFILE_MISSING_DEPENDENCY: a required dependency of the root or of a package not locked', () => {
    const noTokenizer = swap(`,\n    "tokenizer": {"integrity":"${sri('tokenizer-3.1.0')}","version":"3.1.0"}`, '')
    onlyError(noTokenizer, 'E_LOCKFILE_MISSING_DEPENDENCY', 'packages.model.dependencies.tokenizer', /^model@2.1.0 requires tokenizer \^3.0.0, but tokenizer is not in packages$/)
    const rootWants = lockText({ a: entry('a', '1.0.0') }, { dependencies: { a: '^1', b: '^2' } })
    onlyError(rootWants, 'E_LOCKFILE_MISSING_DEPENDENCY', 'root.dependencies.b', /^the root requires b \^2, but b is not in packages$/)
  })

  it('E_LOCKFILE_CONFLICT: a range the locked version does not satisfy, with who wants what', () => {
    const text = lockText(
      {
        a: entry('a', '1.0.0', { dependencies: { shared: '^3.0.0' } }),
        b: entry('b', '1.0.0', { dependencies: { shared: '~2.4.0' } }),
        shared: entry('shared', '2.4.1'),
      },
      { dependencies: { a: '^1', b: '^1', shared: '^2.0.0' } },
    )
    onlyError(text, 'E_LOCKFILE_CONFLICT', 'packages.a.dependencies.shared', /^a@1.0.0 wants shared \^3.0.0, but shared is locked at 2.4.1 \(the root wants \^2.0.0, b@1.0.0 wants ~2.4.0\)$/)
  })

  it('E_LOCKFILE_CONFLICT: lists the first five other dependents of a popular package', () => {
    const others = Array.from({ length: 7 }, (_, i) => `p${i + 1}`)
    const text = lockText(
      {
        a: entry('a', '1.0.0', { dependencies: { shared: '^2' } }),
        ...Object.fromEntries(others.map((n) => [n, entry(n, '1.0.0', { dependencies: { shared: '^1' } })])),
        shared: entry('shared', '1.3.0'),
      },
      { dependencies: Object.fromEntries(['a', ...others].map((n) => [n, '1'])) },
    )
    onlyError(text, 'E_LOCKFILE_CONFLICT', 'packages.a.dependencies.shared', /^a@1.0.0 wants shared \^2, but shared is locked at 1.3.0 \(p1@1.0.0 wants \^1, p2@1.0.0 wants \^1, p3@1.0.0 wants \^1, p4@1.0.0 wants \^1, p5@1.0.0 wants \^1, and 2 more\)$/)
  })

  it('E_LOCKFILE_CONFLICT: an optional dependency that is present must be in range too', () => {
    onlyError(
      swap('"cuda-kernels":"^1.4.0-beta.0"}}', '"cuda-kernels":"^2"}}'),
      'E_LOCKFILE_CONFLICT',
      'root.optionalDependencies.cuda-kernels',
      /^the root wants cuda-kernels \^2 \(optional\), but cuda-kernels is locked at 1.4.0-beta.2 \(model@2.1.0 wants \^1.4.0-beta.0 \(optional\)\)$/,
    )
    // A prerelease below the range's floor is still out of range.
    onlyError(swap('"version":"3.1.0"', '"version":"3.0.0-rc.1"'), 'E_LOCKFILE_CONFLICT', 'packages.model.dependencies.tokenizer', /locked at 3.0.0-rc.1/)
  })

  it('E_LOCKFILE_CYCLE: reports the cycle path, unless cycles are allowed', () => {
    const two = lockText({ a: entry('a', '1.0.0', { dependencies: { b: '1' } }), b: entry('b', '1.0.0', { dependencies: { a: '1' } }) }, { dependencies: { a: '1' } })
    onlyError(two, 'E_LOCKFILE_CYCLE', 'packages.b.dependencies.a', /^dependency cycle: a -> b -> a$/)
    expect(validateLockfile(two, { allowCycles: true })).toMatchObject({ valid: true, errors: [], warnings: [] })

    const self = lockText({ a: entry('a', '1.0.0', { optionalDependencies: { a: '1' } }) }, { dependencies: { a: '1' } })
    onlyError(self, 'E_LOCKFILE_CYCLE', 'packages.a.optionalDependencies.a', /^dependency cycle: a -> a$/)
  })

  it('E_LOCKFILE_CYCLE: one cycle per group of mutually dependent packages, the shortest through its first name', () => {
    const text = lockText(
      {
        m: entry('m', '1.0.0', { dependencies: { n: '1', x: '1' } }),
        n: entry('n', '1.0.0', { dependencies: { o: '1' } }),
        o: entry('o', '1.0.0', { optionalDependencies: { m: '1' }, dependencies: { p: '1' } }),
        p: entry('p', '1.0.0', { dependencies: { n: '1', q: '1' } }), // n -> o -> p -> n: same group
        q: entry('q', '1.0.0', { dependencies: { r: '1' } }),
        r: entry('r', '1.0.0', { dependencies: { q: '1' } }),
        x: entry('x', '1.0.0'),
      },
      { dependencies: { m: '1' } },
    )
    const { errors } = validateLockfile(text)
    expect(errors).toEqual([
      { code: 'E_LOCKFILE_CYCLE', path: 'packages.o.optionalDependencies.m', message: 'dependency cycle: m -> n -> o -> m' },
      { code: 'E_LOCKFILE_CYCLE', path: 'packages.r.dependencies.q', message: 'dependency cycle: q -> r -> q' },
    ])
  })

  it('E_LOCKFILE_UNREACHABLE: a warning for packages nothing from the root leads to', () => {
    const text = lockText(
      { a: entry('a', '1.0.0'), orphan: entry('orphan', '1.0.0', { dependencies: { leaf: '1' } }), leaf: entry('leaf', '1.0.0') },
      { dependencies: { a: '1' } },
    )
    const result = validateLockfile(text)
    expect(result.valid).toBe(true)
    expect(result.warnings).toEqual([
      { code: 'E_LOCKFILE_UNREACHABLE', path: 'packages.leaf', message: 'leaf@1.0.0 is locked but nothing from the root depends on it, directly or indirectly' },
      { code: 'E_LOCKFILE_UNREACHABLE', path: 'packages.orphan', message: 'orphan@1.0.0 is locked but nothing from the root depends on it, directly or indirectly' },
    ])
  })
})

describe('validateLockfile: reporting', () => {
  it('reports every problem at once, and one bad entry does not hide the others', () => {
    const text = lockText(
      {
        a: entry('a', '1.0.0', { dependencies: { b: '^2', gone: '1' } }),
        b: { version: 'two', integrity: sri('b') }, // invalid entry: present, so no "missing" for it
        c: entry('c', '1.0.0', { integrity: undefined }),
      },
      { dependencies: { a: '^2', c: '1' } },
    )
    const result = validateLockfile(text)
    expect(result.lockfile).toBeUndefined()
    expect(result.errors.map((e) => [e.code, e.path])).toEqual([
      ['E_LOCKFILE_BAD_VERSION', 'packages.b.version'],
      ['E_LOCKFILE_CONFLICT', 'root.dependencies.a'],
      ['E_LOCKFILE_MISSING_DEPENDENCY', 'packages.a.dependencies.gone'],
      ['E_LOCKFILE_MISSING_INTEGRITY', 'packages.c.integrity'],
    ])
    // Reachability needs the whole graph, so it is not judged when an entry is unreadable.
    expect(result.warnings).toEqual([])
  })

  it('returns the lockfile when it matches the schema, even if other checks fail', () => {
    const text = lockText({ a: entry('a', '1.0.0') }, { dependencies: { a: '^2' } })
    const result = validateLockfile(text)
    expect(result.valid).toBe(false)
    expect(result.lockfile?.packages.a?.version).toBe('1.0.0')
  })

  it('issues have exactly code, path and message', () => {
    const { errors } = validateLockfile(swap('"version":"3.1.0"', '"version":"3.1"'))
    expect(Object.keys(errors[0]!).sort()).toEqual(['code', 'message', 'path'])
  })
})
