import { expect } from 'vitest'
import { PackageError, type PackageErrorCode } from '@torshpkg/format'

/**
 * Expect `p` to reject with a PackageError of `code` (and a message matching `message`);
 * resolves to the error so a test can check its details. Fails the test if `p` resolves.
 */
export async function rejects(p: Promise<unknown>, code: PackageErrorCode, message?: RegExp): Promise<PackageError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(PackageError)
  expect((e as PackageError).code, (e as Error).message).toBe(code)
  if (message) expect((e as Error).message).toMatch(message)
  return e as PackageError
}
