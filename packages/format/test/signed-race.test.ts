import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { generateKeyPair, signPackage } from '@torshpkg/crypto'
import { createPackage, openPackage, PackageError } from '@torshpkg/format'

// Signing a file appends in place, then reopens the file by its path. This file's mock runs a
// hook between the two, to play another process replacing the file in that window.
const hook: { after?: (path: string) => Promise<void> } = {}
vi.mock('../src/node/append-file.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/node/append-file.js')>()
  return {
    ...original,
    appendToFile: async (...args: Parameters<typeof original.appendToFile>) => {
      const result = await original.appendToFile(...args)
      await hook.after?.(args[0])
      return result
    },
  }
})

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'torshpkg-race-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function makePackage(name: string): Promise<Uint8Array> {
  const w = createPackage('memory', { name, version: '1.0.0' })
  await w.add('a.txt', `content of ${name}`)
  return (await w.finish()).bytes!
}

it('a file replaced between the append and the reopen is not returned as the signed package', async () => {
  const file = join(dir, 'model.torshpkg')
  await writeFile(file, await makePackage('mine'))
  const impostor = await makePackage('impostor')
  hook.after = async (path) => {
    await writeFile(`${path}.tmp`, impostor)
    await rename(`${path}.tmp`, path)
  }
  const pkg = await openPackage(file)
  try {
    const { secretKey } = await generateKeyPair()
    const error = await signPackage(pkg, secretKey).catch((e) => e)
    expect(error).toBeInstanceOf(PackageError)
    expect(error.code).toBe('E_SOURCE_CHANGED')
    expect(Buffer.from(await readFile(file)).equals(Buffer.from(impostor))).toBe(true) // left as the other process made it
  } finally {
    hook.after = undefined // the hook only wraps appendToFile: reset even when an assertion fails
    await pkg.close() // a refused signing leaves the Package open on the file it was opened from
  }
})

it('without interference the same path signs normally', async () => {
  const file = join(dir, 'plain.torshpkg')
  await writeFile(file, await makePackage('plain'))
  const pkg = await openPackage(file)
  const signed = await signPackage(pkg, (await generateKeyPair()).secretKey)
  expect(signed.digest).toBe(pkg.digest)
  expect(signed.signatures).toHaveLength(1)
  await signed.close()
})
