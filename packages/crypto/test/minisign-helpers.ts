// Shared by the minisign and key tests (not a test file itself): the APIs under test, temporary
// files for the CLI, and catching the CryptoError a call throws.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect } from 'vitest'
import { createCryptoApi } from '../src/api'
import { CryptoError } from '../src/errors'
import * as browserIndex from '../src/index'
import * as nodeIndex from '../src/index.node'
import { noblePrimitives } from '../src/primitives/noble'
import { nodePrimitives } from '../src/primitives/node'

/** The key and minisign functions four ways: over each Primitives, and as each build exports them. */
export const APIS = [
  ['noble primitives', createCryptoApi(noblePrimitives)],
  ['node primitives', createCryptoApi(nodePrimitives)],
  ['index.node exports', nodeIndex],
  ['index (browser) exports', browserIndex],
] as const

/**
 * A temporary directory, removed after the test file, and `temp`, which writes `content` to a
 * fresh file in it (or to `name`) and returns the path.
 */
export function tempDir(prefix: string): { dir: string; temp: (content: string | Uint8Array, name?: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  let fileNo = 0
  const temp = (content: string | Uint8Array, name = `f${fileNo++}`): string => {
    const path = join(dir, name)
    writeFileSync(path, content)
    return path
  }
  return { dir, temp }
}

/** The CryptoError a call throws (sync or async); fails the test when it throws nothing else. */
export async function thrown(f: () => unknown): Promise<CryptoError> {
  try {
    await f()
  } catch (e) {
    expect(e).toBeInstanceOf(CryptoError)
    return e as CryptoError
  }
  throw new Error('expected a CryptoError')
}
