import { describe, expect, it } from 'vitest'
import { resolve, ResolutionError, type IndexVersion, type PackageIndex, type ResolveOptions, type RootRequirements } from '@torshpkg/resolve'
import { checkResolution } from './check-resolution'
import { rng } from './helpers'
import { eagerSat } from './universes-sat'
import type { IndexData } from './universes'

type Registry = Record<string, IndexVersion[]>

const dataOf = (reg: Registry): IndexData => new Map(Object.entries(reg))

/** An async index over `reg` that records which names were asked for. */
function indexOf(reg: Registry): PackageIndex & { asked: string[] } {
  const asked: string[] = []
  return {
    asked,
    versions: async (name: string) => {
      asked.push(name)
      return Object.hasOwn(reg, name) ? reg[name] : undefined
    },
  }
}

const v = (version: string, dependencies?: Record<string, string>, more: Partial<IndexVersion> = {}): IndexVersion => ({ version, dependencies, ...more })

async function ok(root: RootRequirements, reg: Registry, options: ResolveOptions = {}): Promise<Record<string, string>> {
  const r = await resolve(root, indexOf(reg), options)
  expect(checkResolution(root, dataOf(reg), r.packages, { platform: options.platform, graph: r.graph })).toEqual([])
  return r.packages
}

async function fails(root: RootRequirements, reg: Registry, options: ResolveOptions = {}): Promise<ResolutionError> {
  const e = await resolve(root, indexOf(reg), options).then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(ResolutionError)
  return e as ResolutionError
}

// The issue's own story: model-a 2.x needs tokenizer ^3, which needs runtime >= 2.
const story: Registry = {
  'model-a': [v('1.0.0', { tokenizer: '^2.0.0' }), v('2.0.0', { tokenizer: '^3.0.0' }), v('2.1.0', { tokenizer: '^3.1.0' })],
  tokenizer: [v('2.0.0', { runtime: '^1.0.0' }), v('3.0.0', { runtime: '>=2.0.0' }), v('3.1.0', { runtime: '>=2.1.0' })],
  runtime: [v('1.4.0'), v('2.0.0'), v('2.1.0')],
}

describe('resolve: scenarios', () => {
  it('picks the newest versions that work together', async () => {
    expect(await ok({ dependencies: { 'model-a': '*' } }, story)).toEqual({ 'model-a': '2.1.0', runtime: '2.1.0', tokenizer: '3.1.0' })
  })

  it('backtracks from the newest when a pin rules it out', async () => {
    expect(await ok({ dependencies: { 'model-a': '*', runtime: '1.4.0' } }, story)).toEqual({ 'model-a': '1.0.0', runtime: '1.4.0', tokenizer: '2.0.0' })
  })

  it('diamond: both sides agree on the shared dependency', async () => {
    const reg: Registry = {
      app: [v('1.0.0', { left: '^1', right: '^1' })],
      left: [v('1.0.0', { shared: '^1.0.0' }), v('1.1.0', { shared: '^1.2.0' })],
      right: [v('1.0.0', { shared: '~1.1.0' }), v('1.1.0', { shared: '>=1.3.0' })],
      shared: [v('1.1.0'), v('1.1.5'), v('1.2.0'), v('1.3.0'), v('2.0.0')],
    }
    expect(await ok({ dependencies: { app: '1' } }, reg)).toEqual({ app: '1.0.0', left: '1.1.0', right: '1.1.0', shared: '1.3.0' })
  })

  it('finds the one combination that needs deep backtracking', async () => {
    // Only a@1 + b@1 + c@1 works; every newer choice fails two levels down.
    const reg: Registry = {
      a: [v('1.0.0', { b: '*' }), v('2.0.0', { b: '*', x: '^2' }), v('3.0.0', { b: '^3' })],
      b: [v('1.0.0', { c: '^1' }), v('2.0.0', { c: '^2' }), v('3.0.0', { c: '^3', x: '^1' })],
      c: [v('1.0.0'), v('2.0.0', { x: '^3' }), v('3.0.0', { x: '^2' })],
      x: [v('1.0.0', { c: '^2' }), v('2.0.0', { c: '^2' }), v('3.0.0', { b: '^3' })],
    }
    const got = await ok({ dependencies: { a: '*' } }, reg)
    expect(got).toEqual({ a: '1.0.0', b: '1.0.0', c: '1.0.0' })
  })

  it('cycles are fine', async () => {
    const reg: Registry = { a: [v('1.0.0', { b: '^1' })], b: [v('1.0.0', { a: '^1' }), v('1.1.0', { a: '^2' })] }
    expect(await ok({ dependencies: { a: '^1' } }, reg)).toEqual({ a: '1.0.0', b: '1.0.0' })
  })

  it('a package that depends on itself in range is fine, out of range is not', async () => {
    const reg: Registry = { a: [v('1.0.0', { a: '^1' }), v('2.0.0', { a: '^1' })] }
    expect(await ok({ dependencies: { a: '*' } }, reg)).toEqual({ a: '1.0.0' })
  })

  it('prereleases only when a range names them (or includePrerelease)', async () => {
    const reg: Registry = { m: [v('1.0.0'), v('1.1.0-rc.1'), v('2.0.0-beta.2')] }
    expect(await ok({ dependencies: { m: '^1.0.0' } }, reg)).toEqual({ m: '1.0.0' })
    expect(await ok({ dependencies: { m: '>=1.1.0-rc.0 <1.2.0' } }, reg)).toEqual({ m: '1.1.0-rc.1' })
    expect(await ok({ dependencies: { m: '>=2.0.0-beta.1' } }, reg)).toEqual({ m: '2.0.0-beta.2' })
    expect((await resolve({ dependencies: { m: '^1.0.0' } }, indexOf(reg), { includePrerelease: true })).packages).toEqual({ m: '1.1.0-rc.1' })
  })

  it('huge fan-out: 3,000 direct dependencies', async () => {
    const reg: Registry = { root: [v('1.0.0', Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`p${i}`, '^1'])))] }
    for (let i = 0; i < 3000; i++) reg[`p${i}`] = [v('1.0.0'), v('1.2.0', { [`p${(i + 1) % 3000}`]: '^1.2.0' }), v('2.0.0')]
    const got = await ok({ dependencies: { root: '*' } }, reg)
    expect(Object.keys(got)).toHaveLength(3001)
    expect(got.p0).toBe('1.2.0')
  })

  it('conflicts: name@range strings and maps', async () => {
    const reg: Registry = {
      a: [v('1.0.0'), v('2.0.0', {}, { conflicts: ['legacy@<2'] })],
      legacy: [v('1.0.0'), v('2.0.0', { a: '^1' })],
      b: [v('1.0.0', {}, { conflicts: { a: '^2' } })],
    }
    expect(await ok({ dependencies: { a: '*', legacy: '*' } }, reg)).toEqual({ a: '1.0.0', legacy: '2.0.0' })
    expect(await ok({ dependencies: { a: '*', legacy: '^1' } }, reg)).toEqual({ a: '1.0.0', legacy: '1.0.0' })
    expect(await ok({ dependencies: { a: '*', b: '*' } }, reg)).toEqual({ a: '1.0.0', b: '1.0.0' })
    // A conflict with a package nobody installs holds trivially (and it is not fetched).
    const idx = indexOf(reg)
    expect((await resolve({ dependencies: { a: '2' } }, idx)).packages).toEqual({ a: '2.0.0' })
    expect(idx.asked).toEqual(['a'])
  })

  it('fetches only what the search reaches, each name once', async () => {
    const reg: Registry = {
      a: [v('1.0.0', { old: '*' }), v('2.0.0', { b: '^1', c: '^1' })],
      b: [v('1.0.0', { c: '^1' })],
      c: [v('1.0.0', { b: '^1' })],
      old: [v('1.0.0')],
    }
    const idx = indexOf(reg)
    await resolve({ dependencies: { a: '*' } }, idx)
    expect([...idx.asked].sort()).toEqual(['a', 'b', 'c'])
  })

  it('an index answering synchronously works the same', async () => {
    const r = await resolve({ dependencies: { 'model-a': '*' } }, { versions: (n) => story[n] })
    expect(r.packages).toEqual({ 'model-a': '2.1.0', runtime: '2.1.0', tokenizer: '3.1.0' })
  })
})

describe('resolve: optional dependencies and platforms', () => {
  const reg: Registry = {
    app: [v('1.0.0', { core: '^1' }, { optionalDependencies: { cuda: '^12', 'fast-tok': '^1' } })],
    core: [v('1.0.0'), v('1.1.0', {}, { platform: { os: ['linux'] } })],
    cuda: [v('11.0.0'), v('12.0.0', {}, { platform: { os: ['linux'], arch: ['x64'] } }), v('12.1.0', { driver: '^500' }, { platform: { os: ['linux'], arch: ['x64'] } })],
    driver: [v('400.0.0')],
    'fast-tok': [v('1.0.0', { core: '^1.1.0' })],
  }
  const linux = { os: 'linux', arch: 'x64', runtime: 'node' }
  const mac = { os: 'darwin', arch: 'arm64', runtime: 'node' }

  it('installs an optional dependency when it fits, newest that resolves', async () => {
    const r = await resolve({ dependencies: { app: '*' } }, indexOf(reg), { platform: linux })
    expect(r.packages).toEqual({ app: '1.0.0', core: '1.1.0', cuda: '12.0.0', 'fast-tok': '1.0.0' })
    expect(r.graph.cuda!.optional).toBe(true)
    expect(r.graph.core!.optional).toBe(false)
    expect(checkResolution({ dependencies: { app: '*' } }, dataOf(reg), r.packages, { platform: linux })).toEqual([])
  })

  it('skips optional dependencies that cannot be installed on the platform', async () => {
    const r = await resolve({ dependencies: { app: '*' } }, indexOf(reg), { platform: mac })
    // cuda 12 is linux-only; cuda 11 is out of ^12; core 1.1.0 is linux-only so fast-tok cannot work either.
    expect(r.packages).toEqual({ app: '1.0.0', core: '1.0.0' })
  })

  it('without a platform, markers are not checked', async () => {
    expect((await resolve({ dependencies: { app: '*' } }, indexOf(reg))).packages.cuda).toBe('12.0.0')
  })

  it('exclusions with "!"', async () => {
    const r2: Registry = { t: [v('1.0.0'), v('2.0.0', {}, { platform: { os: ['!win32'] } })] }
    expect(await ok({ dependencies: { t: '*' } }, r2, { platform: { os: 'win32' } })).toEqual({ t: '1.0.0' })
    expect(await ok({ dependencies: { t: '*' } }, r2, { platform: { os: 'linux' } })).toEqual({ t: '2.0.0' })
  })

  it('root optional dependencies', async () => {
    const r = await resolve({ dependencies: { core: '*' }, optionalDependencies: { cuda: '^12', nothere: '*' } }, indexOf(reg), { platform: mac })
    expect(r.packages).toEqual({ core: '1.0.0' })
  })

  it('explains a platform that rules everything out', async () => {
    const e = await fails({ dependencies: { cuda: '^12' } }, reg, { platform: mac })
    expect(e.code).toBe('E_UNSATISFIABLE')
    expect(e.explanation).toContain('cuda')
    expect(e.explanation).toMatch(/do not support this platform/)
  })
})

describe('resolve: preferences and lockfiles', () => {
  const reg: Registry = {
    a: [v('1.0.0', { b: '^1' }), v('1.1.0', { b: '^1' }), v('1.2.0', { b: '^1.1.0' })],
    b: [v('1.0.0'), v('1.1.0'), v('1.2.0')],
  }

  it('lowest', async () => {
    expect(await ok({ dependencies: { a: '^1' } }, reg, { preference: 'lowest' })).toEqual({ a: '1.0.0', b: '1.0.0' })
  })

  it('keeps what the lockfile has while it still satisfies the requirements', async () => {
    const lock = { a: '1.1.0', b: '1.0.0' }
    expect(await ok({ dependencies: { a: '^1' } }, reg, { lockfile: lock })).toEqual(lock)
    // A lockfile object (or its text) works too; a locked version out of range is replaced (by the newest).
    const text = JSON.stringify({ lockfileVersion: 1, root: { dependencies: {} }, packages: { a: { version: '1.1.0' }, b: { version: '1.0.0' } } })
    expect(await ok({ dependencies: { a: '>=1.2.0' } }, reg, { lockfile: text })).toEqual({ a: '1.2.0', b: '1.2.0' })
  })

  it('is deterministic whatever order the index lists versions in', async () => {
    const random = rng(7)
    const shuffled: Registry = {}
    for (const [k, list] of Object.entries(story)) shuffled[k] = [...list].sort(() => random() - 0.5)
    for (let i = 0; i < 5; i++) {
      expect((await resolve({ dependencies: { 'model-a': '*', runtime: '1.4.0' } }, indexOf(shuffled))).packages).toEqual({
        'model-a': '1.0.0',
        runtime: '1.4.0',
        tokenizer: '2.0.0',
      })
    }
  })
})

describe('resolve: the returned value', () => {
  // `graph` and `root` are made when first read (result.ts); to every reader they must look like
  // the plain data properties they were.
  const reg: Registry = { app: [v('1.0.0', { lib: '^2' })], lib: [v('2.1.0'), v('2.0.0')], '334': [v('1.0.0')] }
  const plain = {
    packages: { app: '1.0.0', lib: '2.1.0' },
    graph: {
      app: { name: 'app', version: '1.0.0', dependencies: { lib: '^2' }, optionalDependencies: {}, optional: false },
      lib: { name: 'lib', version: '2.1.0', dependencies: {}, optionalDependencies: {}, optional: false },
    },
    root: { dependencies: { app: '*' }, optionalDependencies: {} },
  }

  it('has packages, graph and root as enumerable own properties: keys, spread, JSON, structuredClone, deep equality', async () => {
    const r = await resolve({ dependencies: { app: '*' } }, indexOf(reg))
    expect(Object.keys(r)).toEqual(['packages', 'graph', 'root'])
    expect(r).toEqual(plain)
    expect(r).toStrictEqual(plain)
    expect({ ...r }).toStrictEqual(plain)
    expect(JSON.parse(JSON.stringify(r))).toEqual(plain)
    expect(structuredClone(r)).toStrictEqual(plain)
    expect(r.graph).toBe(r.graph) // made once
    expect(Object.isFrozen(r.graph.app)).toBe(true)
  })

  it('prints as data in Node (no [Getter]), integer-like names included', async () => {
    const { inspect } = await import('node:util')
    const r = await resolve({ dependencies: { app: '*', '334': '1' } }, indexOf(reg))
    const copy = structuredClone(r) // a plain object with the same data
    for (const depth of [0, 1, 2, 4]) expect(inspect(r, { depth }), `depth ${depth}`).toBe(inspect(copy, { depth }))
    expect(inspect(r)).not.toContain('Getter')
    expect(inspect(r, { depth: 4 })).toContain("root: { dependencies: { '334': '1', app: '*' }, optionalDependencies: {} }")
  })
})

describe('resolve: unsatisfiable inputs are explained', () => {
  it('the issue story: model-a 2.x needs tokenizer ^3, which needs runtime >= 2, but runtime is pinned', async () => {
    const e = await fails({ dependencies: { 'model-a': '^2', runtime: '1.4.0', unrelated: '*' } }, { ...story, unrelated: [v('1.0.0')] })
    expect(e.code).toBe('E_UNSATISFIABLE')
    expect(e.conflictingRoots).toEqual({ 'model-a': '^2', runtime: '1.4.0' })
    const text = e.explanation
    expect(text).toContain('You require model-a ^2')
    expect(text).toContain('You require runtime 1.4.0')
    expect(text).toMatch(/tokenizer 3\.0\.0 needs runtime >=2\.0\.0, but runtime must be 1\.4\.0, so tokenizer 3\.0\.0 cannot be used/)
    expect(text).toMatch(/model-a 2\.0\.0 needs tokenizer \^3\.0\.0, but .*so model-a 2\.0\.0 cannot be used/)
    expect(text).not.toContain('unrelated')
    expect(e.derivation.length).toBeGreaterThanOrEqual(4)
    expect(e.message).toContain(text)
  })

  it('a missing package and a range nothing matches', async () => {
    let e = await fails({ dependencies: { ghost: '^1' } }, story)
    expect(e.explanation).toBe('You require ghost ^1, but no package ghost exists.')
    e = await fails({ dependencies: { runtime: '^9' } }, story)
    expect(e.explanation).toBe('You require runtime ^9, but no version of runtime matches ^9.')
    e = await fails({ dependencies: { x: '*' } }, { x: [v('1.0.0', { ghost: '^1' })] })
    expect(e.explanation).toContain('x 1.0.0 needs ghost ^1, but no package ghost exists, so x 1.0.0 cannot be used.')
  })

  it('two pins on one package', async () => {
    const e = await fails({ dependencies: { a: '*', b: '*' } }, { a: [v('1.0.0', { c: '1.0.0' })], b: [v('1.0.0', { c: '2.0.0' })], c: [v('1.0.0'), v('2.0.0')] })
    expect(e.conflictingRoots).toEqual({ a: '*', b: '*' })
    expect(e.explanation).toMatch(/c/)
  })

  it('a conflict declaration', async () => {
    const e = await fails({ dependencies: { a: '*', b: '^1' } }, { a: [v('1.0.0', {}, { conflicts: ['b@^1'] })], b: [v('1.0.0')] })
    expect(e.explanation).toContain('a 1.0.0 conflicts with b ^1, but b must be ^1, so a 1.0.0 cannot be used.')
  })

  it('the minimal set of conflicting roots leaves out requirements that are not involved', async () => {
    const reg: Registry = { p: [v('1.0.0'), v('2.0.0')], q: [v('1.0.0', { p: '^1' })], r: [v('1.0.0', { p: '^2' })], s: [v('1.0.0')] }
    const e = await fails({ dependencies: { s: '*', q: '*', p: '*', r: '*' } }, reg)
    expect(Object.keys(e.conflictingRoots).sort()).toEqual(['q', 'r'])
    // Each of them alone resolves (minimality).
    for (const name of Object.keys(e.conflictingRoots)) await ok({ dependencies: { [name]: '*' } }, reg)
  })
})

describe('resolve: errors', () => {
  it('malformed index data names the package, version and field', async () => {
    const cases: [unknown, RegExp][] = [
      [[{ version: 'one' }], /package "m" entry 0: version "one" is not valid semver/],
      [[{ version: '1.0.0', dependencies: { x: 'not a range!' } }], /m"@1\.0\.0: dependencies\.x is not a valid semver range/],
      [[{ version: '1.0.0' }, { version: '1.0.0' }], /m"@1\.0\.0: is listed twice/],
      [{ version: '1.0.0' }, /versions\(\) must return an array/],
      [[{ version: '1.0.0', dependencies: ['x'] }], /dependencies must be an object/],
      [[{ version: '1.0.0', conflicts: [3] }], /conflicts\[0\] must be a "name@range" string/],
      [[{ version: '1.0.0', platform: { os: 'linux' } }], /platform\.os must be an array of strings/],
    ]
    for (const [list, message] of cases) {
      const e = await resolve({ dependencies: { m: '*' } }, { versions: async () => list as IndexVersion[] }).catch((x: unknown) => x)
      expect(e, String(message)).toBeInstanceOf(ResolutionError)
      expect((e as ResolutionError).code).toBe('E_INDEX')
      expect((e as ResolutionError).message).toMatch(message)
    }
  })

  it('an index that throws gives E_INDEX with the cause', async () => {
    const boom = new Error('registry down')
    const e = (await resolve({ dependencies: { m: '*' } }, { versions: async () => { throw boom } }).catch((x: unknown) => x)) as ResolutionError
    expect(e.code).toBe('E_INDEX')
    expect(e.cause).toBe(boom)
  })

  it('bad root requirements and options: E_INVALID', async () => {
    const idx = indexOf(story)
    for (const [root, opts] of [
      [{ dependencies: { a: '>>>1' } }, {}],
      [{ dependencies: { '': '*' } }, {}],
      [{ dependencies: { a: 1 } }, {}],
      [{ dependencies: { a: '*' } }, { preference: 'oldest' }],
      [{ dependencies: { a: '*' } }, { maxPackages: -1 }],
    ] as [RootRequirements, ResolveOptions][]) {
      const e = (await resolve(root, idx, opts).catch((x: unknown) => x)) as ResolutionError
      expect(e.code, JSON.stringify([root, opts])).toBe('E_INVALID')
    }
  })

  it('root maps are read like Object.entries reads them: own enumerable names only, integer-like ones too', async () => {
    const reg: Registry = { '7': [v('1.0.0')], '12': [v('2.0.0')], zed: [v('3.0.0')] }
    const dependencies: Record<string, string> = Object.create({ inherited: '*' })
    dependencies.zed = '*'
    dependencies['12'] = '^2'
    dependencies['7'] = '1'
    Object.defineProperty(dependencies, 'hidden', { value: '>>>bad', enumerable: false })
    const r = await resolve({ dependencies }, indexOf(reg))
    expect(r.packages).toEqual({ '7': '1.0.0', '12': '2.0.0', zed: '3.0.0' })
    expect(Object.keys(r.root.dependencies)).toEqual(['7', '12', 'zed'])
  })

  it('limits and cancellation', async () => {
    const ctl = new AbortController()
    ctl.abort(new Error('stop'))
    expect(((await resolve({ dependencies: { 'model-a': '*' } }, indexOf(story), { signal: ctl.signal }).catch((x: unknown) => x)) as ResolutionError).code).toBe('E_ABORTED')
    // Aborted while the index is answering.
    const later = new AbortController()
    const slow: PackageIndex = { versions: async (n) => { later.abort(); return story[n] } }
    expect(((await resolve({ dependencies: { 'model-a': '*' } }, slow, { signal: later.signal }).catch((x: unknown) => x)) as ResolutionError).code).toBe('E_ABORTED')
    expect(((await resolve({ dependencies: { 'model-a': '*' } }, indexOf(story), { maxPackages: 2 }).catch((x: unknown) => x)) as ResolutionError).code).toBe('E_LIMIT')
    expect(((await resolve({ dependencies: { m: '*' } }, { versions: () => Array.from({ length: 11 }, (_, i) => v(`1.0.${i}`)) }, { maxVersionsPerPackage: 10 }).catch((x: unknown) => x)) as ResolutionError).code).toBe('E_LIMIT')
  })
})

/** A random universe: `n` packages with a few versions each, dependencies on later packages plus some back edges, conflicts and optional deps. */
function randomUniverse(seed: number, n: number): Registry {
  const random = rng(seed)
  const pick = (k: number) => Math.floor(random() * k)
  const reg: Registry = {}
  for (let p = 0; p < n; p++) {
    const count = 1 + pick(4)
    reg[`p${p}`] = Array.from({ length: count }, (_, i): IndexVersion => {
      const deps: Record<string, string> = {}
      const opt: Record<string, string> = {}
      const conflicts: string[] = []
      for (let d = 0; d < pick(3); d++) {
        const q = random() < 0.85 ? p + 1 + pick(Math.max(1, n - p - 1)) : pick(n)
        if (q >= n || q === p) continue
        const lo = pick(4)
        const range = random() < 0.5 ? `^${lo}.0.0` : random() < 0.5 ? `>=${lo}.0.0 <${lo + 2}.0.0` : `${lo}.x || ${lo + 2}.x`
        if (random() < 0.15) opt[`p${q}`] = range
        else deps[`p${q}`] = range
      }
      if (random() < 0.1) conflicts.push(`p${pick(n)}@^${pick(3)}.0.0`)
      return { version: `${i}.0.0`, dependencies: deps, optionalDependencies: opt, conflicts }
    })
  }
  return reg
}

describe('resolve: property test against an independent SAT encoding', () => {
  it('400 random universes: same satisfiability as logic-solver, and every resolution checks', async () => {
    let sat = 0
    let unsat = 0
    for (let seed = 1; seed <= 400; seed++) {
      const reg = randomUniverse(seed, 6 + (seed % 25))
      const root: RootRequirements = { dependencies: { p0: '*', [`p${seed % 5}`]: `^${seed % 3}.0.0` } }
      const oracle = await eagerSat(root, indexOf(reg))
      const got = await resolve(root, indexOf(reg)).then(
        (r) => ({ sat: true as const, r }),
        (e: unknown) => {
          if (!(e instanceof ResolutionError) || e.code !== 'E_UNSATISFIABLE') throw e
          return { sat: false as const, e }
        },
      )
      expect(got.sat, `seed ${seed}`).toBe(oracle.sat)
      if (got.sat) {
        sat++
        expect(checkResolution(root, dataOf(reg), got.r.packages, { graph: got.r.graph }), `seed ${seed}`).toEqual([])
      } else {
        unsat++
        expect(got.e.explanation.length).toBeGreaterThan(0)
        // The conflicting roots alone are unsatisfiable too.
        expect((await eagerSat({ dependencies: got.e.conflictingRoots }, indexOf(reg))).sat, `seed ${seed}`).toBe(false)
      }
    }
    // Both outcomes are well represented (else the test says little).
    expect(sat).toBeGreaterThan(80)
    expect(unsat).toBeGreaterThan(80)
  })
})

describe('resolve: explanations on a real universe', () => {
  it('large_case: every failure is explained by a derivation, never the fallback list', async () => {
    const { largeCase } = await import('./universes')
    const lc = largeCase()
    let explained = 0
    for (const p of lc.problems) {
      const e = await resolve(p.root, lc.index).then(() => undefined, (x: unknown) => x as ResolutionError)
      if (e === undefined) continue
      expect(e.code).toBe('E_UNSATISFIABLE')
      expect(e.explanation).not.toMatch(/^These requirements/)
      expect(e.conflictingRoots).toEqual(p.root.dependencies)
      explained++
    }
    expect(explained).toBe(48)
    const e = (await resolve({ dependencies: { '334': '=1.0.0' } }, lc.index).catch((x: unknown) => x)) as ResolutionError
    expect(e.derivation).toEqual([
      'You require 334 =1.0.0.',
      '334 1.0.0 needs 491 >=18.0.0.',
      '334 1.0.0 needs 662 >=3.0.0 <8.0.0.',
      '491 18.0.0 needs 662 >=17.0.0.',
      'Only one version of 662 can be installed, and none satisfies >=3.0.0 <8.0.0 and >=17.0.0.',
    ])
  })
})
