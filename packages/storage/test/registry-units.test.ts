import { describe, expect, it } from 'vitest'
import { parseChallenges } from '@torshpkg/storage'
import { nameOfRepository, repositoryOf, tagOfVersion, versionOfTag } from '../src/registry/names'
import { compareVersions } from '../src/registry/versions'

describe('WWW-Authenticate challenges (RFC 7235)', () => {
  it('reads the Bearer challenge registries send, quoted commas and escapes included', () => {
    expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/ubuntu:pull' } },
    ])
    // A mount asks for two scopes in one quoted value; an escaped quote; two challenges.
    expect(parseChallenges('Bearer realm="https://a/t",scope="repository:dst:pull,push repository:src:pull", Basic realm="say \\"hi\\""')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://a/t', scope: 'repository:dst:pull,push repository:src:pull' } },
      { scheme: 'basic', params: { realm: 'say "hi"' } },
    ])
    expect(parseChallenges('basic realm=torshpkg-test')).toEqual([{ scheme: 'basic', params: { realm: 'torshpkg-test' } }])
    expect(parseChallenges('Negotiate abc==')).toEqual([{ scheme: 'negotiate', params: { token68: 'abc==' } }])
    expect(parseChallenges('')).toEqual([])
    // Junk before a challenge does not hide it (nor throw).
    expect(parseChallenges(',,, "junk" Bearer realm="x"').find((c) => c.scheme === 'bearer')).toEqual({ scheme: 'bearer', params: { realm: 'x' } })
  })
})

describe('names, tags and versions', () => {
  it('package names become repositories, and back', () => {
    expect(repositoryOf('models', '@acme/bert-base')).toBe('models/acme/bert-base')
    expect(repositoryOf('', 'bert')).toBe('bert')
    expect(nameOfRepository('models', 'models/acme/bert-base')).toBe('@acme/bert-base')
    expect(nameOfRepository('models', 'models/bert')).toBe('bert')
    expect(nameOfRepository('models', 'other/bert')).toBeUndefined()
    for (const bad of ['Bert', 'a..b', '-x', 'a/', '']) expect(() => repositoryOf('m', bad), bad).toThrow(/name/)
  })

  it('versions become tags reversibly ("+" is not allowed in tags)', () => {
    expect(tagOfVersion('1.0.0+build.7')).toBe('1.0.0_build.7')
    expect(versionOfTag('1.0.0_build.7')).toBe('1.0.0+build.7')
    expect(tagOfVersion('2.0.0-rc.1')).toBe('2.0.0-rc.1')
    expect(() => tagOfVersion('.1')).toThrow()
    expect(() => tagOfVersion('x'.repeat(129))).toThrow()
  })

  it('semver precedence (semver.org section 11 example chain)', () => {
    const chain = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.2.0', '1.10.0', '2.0.0']
    const shuffled = [...chain].reverse()
    expect(shuffled.sort(compareVersions)).toEqual(chain)
    expect(compareVersions('1.0.0+a', '1.0.0+b')).toBe(0)
    expect(['latest', '1.0.0'].sort(compareVersions)).toEqual(['1.0.0', 'latest'])
  })
})
