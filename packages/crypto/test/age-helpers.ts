import { concatBytes } from '../src/bytes'
// Shared helpers of the age tests (not a test file itself).
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import { createAgeApi } from '../src/age/api'
import { CryptoError, type CryptoErrorCode } from '../src/errors'
import { noblePrimitives } from '../src/primitives/noble'
import { nodePrimitives } from '../src/primitives/node'

export const FIXTURES = new URL('./fixtures/age/', import.meta.url)

export function fixture(name: string): Uint8Array {
  const b = readFileSync(new URL(name, FIXTURES))
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

export const fixtureText = (name: string) => new TextDecoder().decode(fixture(name))

/** The age API over each backend the package ships for Node. */
export const BACKENDS = [
  ['noble', createAgeApi(noblePrimitives)],
  ['node', createAgeApi(nodePrimitives)],
] as const
export type AgeApi = ReturnType<typeof createAgeApi>

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

export function pseudoRandom(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) out[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24
  return out
}

export const concat = (parts: Uint8Array[]): Uint8Array => concatBytes(parts)

/** Push `input` through `transform` in pieces of `piece` bytes; what came out, and the error if it failed. */
export async function runTransform(transform: TransformStream<Uint8Array, Uint8Array>, input: Uint8Array, piece = 65536): Promise<{ output: Uint8Array; error?: unknown }> {
  const writer = transform.writable.getWriter()
  const chunks: Uint8Array[] = []
  const reading = (async () => {
    const reader = transform.readable.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      chunks.push(value)
    }
  })()
  const writing = (async () => {
    for (let at = 0; at < input.length; at += piece) await writer.write(input.slice(at, at + piece))
    await writer.close()
  })()
  const [r, w] = await Promise.allSettled([reading, writing])
  const error = r.status === 'rejected' ? r.reason : w.status === 'rejected' ? w.reason : undefined
  return error === undefined ? { output: concat(chunks) } : { output: concat(chunks), error }
}

/** `error` is a CryptoError with `code` (and `details.field` when given). */
export function expectCryptoError(error: unknown, code: CryptoErrorCode, field?: string): CryptoError {
  expect(error, `expected CryptoError ${code}, got ${String(error)}`).toBeInstanceOf(CryptoError)
  const e = error as CryptoError
  expect(e.code, e.message).toBe(code)
  if (field !== undefined) expect(e.details.field, e.message).toBe(field)
  return e
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (e) {
    return e
  }
  throw new Error('expected a rejection, but the promise resolved')
}

/** Byte equality without vitest's element-by-element deep equality (slow on large arrays). */
export function expectBytes(actual: Uint8Array, expected: Uint8Array, message?: string): void {
  const same = actual.length === expected.length && Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.length))
  if (same) return
  let i = 0
  while (i < Math.min(actual.length, expected.length) && actual[i] === expected[i]) i++
  expect.fail(`${message ? message + ': ' : ''}bytes differ (lengths ${actual.length} / ${expected.length}, first difference at ${i})`)
}
