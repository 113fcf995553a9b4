// Large and hostile lockfiles: thousands of packages, deep nesting, non-objects, __proto__ keys.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  diffLockfiles,
  generateLockfile,
  lockedVersions,
  LockfileError,
  parseLockfile,
  stringifyLockfile,
  validateLockfile,
  type Lockfile,
  type ResolvedPackage,
} from '@torshpkg/resolve'
import { entry, lockText, pkg, resolutionOf, SMALL_TEXT } from './lockfile-fixtures'

/** A deterministic pseudo-random generator (mulberry32). */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const name = (i: number) => `pkg-${String(i).padStart(4, '0')}`

/** `n` packages: each depends on the previous one (so all are reachable) and on up to 3 random older ones. */
function bigResolution(n: number) {
  const rand = random(42)
  const packages: ResolvedPackage[] = []
  for (let i = 0; i < n; i++) {
    const version = `${1 + (i % 7)}.${i % 13}.${i % 5}${i % 10 === 0 ? '-rc.1' : ''}`
    const dependencies: Record<string, string> = {}
    if (i > 0) dependencies[name(i - 1)] = '*'
    for (let k = 0; k < 3 && i > 1; k++) {
      const j = Math.floor(rand() * (i - 1))
      dependencies[name(j)] = `>=${1 + (j % 7)}.0.0-0 <${2 + (j % 7)}`
    }
    packages.push(pkg(name(i), version, { dependencies, source: `https://registry.example/${name(i)}/${version}` }))
  }
  return resolutionOf(packages, { dependencies: { [name(n - 1)]: '*' } })
}

describe('a 5,000-package lockfile', () => {
  it('generates, parses back byte for byte, validates and diffs', () => {
    const resolution = bigResolution(5000)
    const text = generateLockfile(resolution)
    expect(text.split('\n')).toHaveLength(5000 + 7)
    expect(createHash('sha256').update(generateLockfile(resolution)).digest('hex')).toBe(createHash('sha256').update(text).digest('hex'))
    const lock = parseLockfile(text)
    expect(Object.keys(lock.packages)).toHaveLength(5000)
    expect(stringifyLockfile(lock)).toBe(text)
    expect(validateLockfile(text)).toMatchObject({ valid: true, errors: [], warnings: [] })
    expect(lockedVersions(lock)[name(4999)]).toBe(resolution.graph[name(4999)]!.version)

    const from = resolution.graph[name(2000)]!.version
    expect(from).toBe('6.11.0-rc.1')
    const bumped = text
      .replace(`"${name(1234)}": {`, `"${name(1234)}": {"optional":true,`)
      .replace(`"version":"${from}"},\n    "${name(2001)}"`, `"version":"6.11.0"},\n    "${name(2001)}"`)
    expect(diffLockfiles(text, bumped)).toEqual({
      added: [],
      removed: [],
      upgraded: [{ name: name(2000), from, to: '6.11.0' }],
      downgraded: [],
      changed: [{ name: name(1234), version: resolution.graph[name(1234)]!.version, fields: ['optional'] }],
    })
  })

  it('finds a cycle through all of 20,000 packages without recursion, and shortens its message', () => {
    const n = 20_000
    const packages = Array.from({ length: n }, (_, i) => pkg(name(i), '1.0.0', { dependencies: { [name((i + 1) % n)]: '1' } }))
    const result = validateLockfile(generateLockfile(resolutionOf(packages, { dependencies: { [name(0)]: '1' } })))
    expect(result.errors).toHaveLength(1)
    const [cycle] = result.errors
    expect(cycle!.code).toBe('E_LOCKFILE_CYCLE')
    expect(cycle!.path).toBe(`packages.${name(n - 1)}.dependencies.${name(0)}`)
    expect(cycle!.message).toMatch(new RegExp(`^dependency cycle: ${name(0)} -> ${name(1)} -> .* -> … 19951 more … -> .* -> ${name(n - 1)} -> ${name(0)}$`))
  })
})

describe('hostile input', () => {
  const deep = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth)

  it('deep nesting anywhere is a plain schema error, not a stack overflow', () => {
    const nested = deep(100_000)
    const cases: [string, string][] = [
      [nested, ''],
      [lockText({}).replace('"packages":{}', `"packages":${nested}`), 'packages'],
      [lockText({ a: entry('a', '1.0.0') }, { dependencies: { a: '1' } }).replace('"version":"1.0.0"', `"version":"1.0.0","platform":{"os":${nested}}`), 'packages.a.platform.os[0]'],
      [lockText({}).replace('"packages":{}', `"packages":{},"junk":${nested}`), 'junk'],
      [lockText({}).replace('"dependencies":{}', `"dependencies":{"a":${nested}}`), 'root.dependencies.a'],
    ]
    for (const [text, path] of cases) {
      const result = validateLockfile(text)
      expect(result.valid).toBe(false)
      expect(result.errors[0]).toMatchObject({ code: 'E_LOCKFILE_SCHEMA', path })
      expect(() => parseLockfile(text)).toThrow(LockfileError)
    }
  })

  it('refuses __proto__ keys wherever they are, and pollutes no prototype', () => {
    const texts = [
      '{"__proto__":{"polluted":true},"lockfileVersion":1,"packages":{},"root":{"dependencies":{}}}',
      '{"lockfileVersion":1,"packages":{"__proto__":{"version":"1.0.0","polluted":true}},"root":{"dependencies":{}}}',
      '{"lockfileVersion":1,"packages":{},"root":{"dependencies":{"__proto__":"1"}}}',
      `{"lockfileVersion":1,"packages":{"a":{"version":"1.0.0","dependencies":{"__proto__":"1"}}},"root":{"dependencies":{}}}`,
      `{"lockfileVersion":1,"packages":{"a":{"version":"1.0.0","platform":{"__proto__":["x"]}}},"root":{"dependencies":{}}}`,
    ]
    const paths = ['__proto__', 'packages.__proto__', 'root.dependencies.__proto__', 'packages.a.dependencies.__proto__', 'packages.a.platform.__proto__']
    texts.forEach((text, i) => {
      expect(validateLockfile(text).errors).toEqual([{ code: 'E_LOCKFILE_SCHEMA', path: paths[i], message: 'a "__proto__" key is not allowed' }])
      const e = (() => {
        try {
          parseLockfile(text)
        } catch (err) {
          return err as LockfileError
        }
      })()
      expect(e?.code).toBe('E_LOCKFILE_SCHEMA')
      expect(() => diffLockfiles(text, text)).toThrow(LockfileError)
    })
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
  })

  it('treats names that are also Object.prototype members as ordinary packages', () => {
    const text = lockText(
      { constructor: entry('constructor', '1.0.0', { dependencies: { valueof: '^2' } }), valueof: entry('valueof', '2.0.0') },
      { dependencies: { constructor: '1' } },
    )
    expect(validateLockfile(text)).toMatchObject({ valid: true, errors: [], warnings: [] })
    // Not locked at all: "constructor" must not be found on the prototype.
    const missing = validateLockfile(lockText({ a: entry('a', '1.0.0', { dependencies: { constructor: '1' } }) }, { dependencies: { a: '1' } }))
    expect(missing.errors.map((e) => [e.code, e.path])).toEqual([['E_LOCKFILE_MISSING_DEPENDENCY', 'packages.a.dependencies.constructor']])
    expect(parseLockfile(text).packages['constructor']?.version).toBe('1.0.0')
    expect(parseLockfile(SMALL_TEXT).packages['constructor']).toBeUndefined()
  })

  it('validateLockfile never throws, whatever it is given', () => {
    const cyclic: Record<string, unknown> = { lockfileVersion: 1, root: { dependencies: {} }, packages: {} }
    ;(cyclic.packages as Record<string, unknown>).self = cyclic
    const getter = { lockfileVersion: 1, root: { dependencies: {} }, get packages(): never { throw new Error('boom') } }
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('trap') } })
    const inputs: unknown[] = [undefined, null, 0, 'null', '[]', [], new Uint8Array(4), new Map(), cyclic, getter, proxy, '\u0000', 'x'.repeat(1e6)]
    for (const input of inputs) {
      const result = validateLockfile(input as Lockfile)
      expect(result.valid).toBe(false)
      expect(result.errors.length).toBeGreaterThan(0)
      expect(result.errors.every((e) => typeof e.code === 'string' && typeof e.path === 'string' && typeof e.message === 'string')).toBe(true)
    }
    expect(validateLockfile(getter as unknown as Lockfile).errors).toEqual([
      { code: 'E_LOCKFILE_SCHEMA', path: '', message: 'the lockfile could not be read: boom' },
    ])
    expect(validateLockfile(cyclic as unknown as Lockfile).errors.map((e) => e.path)).toEqual([
      'packages.self.version',
      'packages.self.lockfileVersion',
      'packages.self.root',
      'packages.self.packages',
    ])
  })
})
