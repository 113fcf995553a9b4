import { Range, SemVer } from 'semver'
import { expect, it } from 'vitest'
import { compilePackage, matching } from '../src/resolver/compile'
import { rng } from './helpers'

// `matching` finds versions in a range by binary search per comparator set; semver's own
// Range#test on every version is the reference.
it('range matching agrees with semver on random versions and ranges (prereleases included)', () => {
  const random = rng(42)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!
  const num = () => Math.floor(random() * 4)
  const pre = () => (random() < 0.3 ? `-${pick(['alpha', 'beta', 'rc', '0', '1'])}${random() < 0.5 ? `.${num()}` : ''}` : '')
  const version = () => `${num()}.${num()}.${num()}${pre()}`
  const partial = () => pick([`${num()}`, `${num()}.${num()}`, version(), `${num()}.x`, `${num()}.${num()}.x`])
  const range = (): string => {
    const one = () =>
      pick([
        () => `^${partial()}`,
        () => `~${partial()}`,
        () => `>=${version()}`,
        () => `>${partial()}`,
        () => `<${version()}`,
        () => `<=${partial()}`,
        () => `=${version()}`,
        () => version(),
        () => `${partial()} - ${partial()}`,
        () => `>=${version()} <${version()}`,
        () => '*',
        () => partial(),
      ])()
    return Array.from({ length: 1 + Math.floor(random() * 3) }, one).join(' || ')
  }
  let compared = 0
  for (let round = 0; round < 300; round++) {
    const versions = [...new Set(Array.from({ length: 1 + Math.floor(random() * 40) }, version))]
    const pkg = compilePackage(`pkg${round}`, versions.map((v) => ({ version: v })), 1000)
    for (let k = 0; k < 20; k++) {
      const text = range()
      for (const includePrerelease of [false, true]) {
        const r = new Range(text, { includePrerelease })
        const want = pkg.versions.flatMap((v, i) => (r.test(new SemVer(v.version)) ? [i] : []))
        expect(Array.from(matching(pkg, text, includePrerelease)), `${text} over ${versions.join(' ')}`).toEqual(want)
        compared += pkg.versions.length
      }
    }
  }
  expect(compared).toBeGreaterThan(100_000)
})
