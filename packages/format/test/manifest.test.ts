import { describe, expect, it } from 'vitest'
import { canonicalJson, createPackage, openPackage, PackageError, validateManifest } from '@torshpkg/format'

function issues(manifest: unknown) {
  try {
    validateManifest(manifest)
  } catch (e) {
    expect(e).toBeInstanceOf(PackageError)
    expect((e as PackageError).code).toBe('E_MANIFEST')
    return (e as PackageError).details.issues as { field: string; message: string }[]
  }
  throw new Error('manifest was accepted')
}

describe('manifest', () => {
  it('accepts a full manifest and normalises references', () => {
    const m = validateManifest({
      name: '@acme/tiny-llm',
      version: '2.1.0-rc.1+build.5',
      description: 'A tiny model',
      authors: ['Ada', { name: 'Grace', email: 'grace@example.com', url: 'https://example.com' }],
      license: 'Apache-2.0',
      tags: ['llm', 'int8'],
      created: '2026-11-20T10:00:00Z',
      dependencies: { '@acme/tokenizer': '^3.1.0', runtime: '>=2 <4 || 5.x' },
      lineage: {
        derivedFrom: '@acme/base@1.0.0',
        quantizedFrom: { name: '@acme/tiny-llm', version: '2.0.0' },
        mergedFrom: ['a@1.0.0', `b@sha256:${'ab'.repeat(32)}`],
      },
      metadata: { params: 124_000_000, arch: { layers: 12 }, nothing: null },
    })
    expect(m.lineage!.derivedFrom).toEqual({ name: '@acme/base', version: '1.0.0' })
    expect(m.lineage!.mergedFrom).toEqual([{ name: 'a', version: '1.0.0' }, { name: 'b', digest: `sha256:${'ab'.repeat(32)}` }])
  })

  it('names each bad field and says why', () => {
    expect(issues({ version: '1.0.0' })).toEqual([{ path: ['name'], field: 'name', message: 'is required' }])
    expect(issues({ name: 'x', version: '1.0' })[0]).toMatchObject({ field: 'version', message: expect.stringContaining('semantic version') })
    expect(issues({ name: 'Has Spaces', version: '1.0.0' })[0]).toMatchObject({ field: 'name', message: expect.stringContaining('lowercase') })
    expect(issues({ name: 'x', version: '1.0.0', dependencies: { tok: 'not a range!' } })[0]).toMatchObject({
      field: 'dependencies.tok',
      message: expect.stringContaining('semver range'),
    })
    expect(issues({ name: 'x', version: '1.0.0', dependencies: { 'Bad Name': '^1' } })[0]).toMatchObject({ field: 'dependencies["Bad Name"]' })
    expect(issues({ name: 'x', version: '1.0.0', lineage: { derivedFrom: 'base' } })[0]).toMatchObject({
      field: 'lineage.derivedFrom',
      message: expect.stringContaining('version or a digest'),
    })
    expect(issues({ name: 'x', version: '1.0.0', lineage: { derivedFrom: 'base@sha256:zz' } })[0]).toMatchObject({ field: 'lineage.derivedFrom.digest' })
    expect(issues({ name: 'x', version: '1.0.0', created: 'yesterday' })[0]).toMatchObject({ field: 'created', message: expect.stringContaining('ISO 8601') })
    expect(issues({ name: 'x', version: '1.0.0', tags: ['ok', ''] })[0]).toMatchObject({ field: 'tags[1]', message: 'must not be empty' })
    expect(issues({ name: 'x', version: '1.0.0', authors: [7] })[0]).toMatchObject({ field: 'authors[0]' })
    expect(issues({ name: 'x', version: '1.0.0', metadata: { f: () => 1 } })[0]).toMatchObject({ field: 'metadata.f' })
    expect(issues({ name: 'x', version: '1.0.0', licence: 'MIT' })[0]).toMatchObject({ field: '', message: 'unknown field "licence" (did you mean "license"?)' })
    expect(issues('nope')[0]).toMatchObject({ field: '', message: expect.stringContaining('an object') })
    // All problems at once, not just the first.
    expect(issues({ name: 1, version: 2, tags: 3 })).toHaveLength(3)
  })

  it('the error message lists the fields for humans', () => {
    expect(() => createPackage('memory', { name: 'x', version: 'one' } as never)).toThrow(/invalid manifest: version: must be a semantic version/)
  })

  it('is stored as canonical JSON and read back equal', async () => {
    const manifest = { version: '1.0.0', name: 'canon', metadata: { z: 1, a: { y: [3, { b: 1, a: 2 }] } } }
    expect(canonicalJson(manifest)).toBe('{"metadata":{"a":{"y":[3,{"a":2,"b":1}]},"z":1},"name":"canon","version":"1.0.0"}')
    const w = createPackage('memory', manifest)
    const { bytes } = await w.finish()
    const pkg = await openPackage(bytes!)
    expect(pkg.manifest).toEqual(manifest)
    expect(Buffer.from(bytes!).includes(Buffer.from(canonicalJson(manifest)))).toBe(true)
  })
})
