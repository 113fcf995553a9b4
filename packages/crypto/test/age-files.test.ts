import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CryptoError, generateAgeIdentity } from '@torshpkg/crypto'
import { ageDecryptFile, ageEncryptFile } from '@torshpkg/crypto/node'
import { runTool } from '../../../scripts/test-tools'

const dir = mkdtempSync(join(tmpdir(), 'crypto-age-files-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const path = (name: string) => join(dir, name)
const random = (n: number) => {
  const out = new Uint8Array(n)
  for (let at = 0; at < n; at += 65536) globalThis.crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65536)))
  return out
}
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b))
/** Files in the scratch directory that are not the test's own: temporary outputs left behind. */
const leftovers = () => readdirSync(dir).filter((f) => f.endsWith('.tmp'))

describe('ageEncryptFile / ageDecryptFile (Node)', () => {
  // 9 MiB + 1: several 4 MiB reads, many 64 KiB age chunks, a short final chunk.
  const plain = random(9 * 1024 * 1024 + 1)
  writeFileSync(path('plain.bin'), plain)

  it('what ageEncryptFile writes, `age -d` reads; what `age -e` (binary and armored) writes, ageDecryptFile reads', async () => {
    const { identity, recipient } = await generateAgeIdentity()
    writeFileSync(path('key.txt'), `${identity}\n`)
    const written = await ageEncryptFile(path('plain.bin'), path('ours.age'), { recipients: [recipient] })
    expect(written.bytes).toBe(readFileSync(path('ours.age')).length)
    expect(same(runTool('age', ['-d', '-i', path('key.txt'), path('ours.age')]), plain)).toBe(true)

    for (const armor of [[], ['-a']]) {
      runTool('age', ['-e', ...armor, '-r', recipient, '-o', path('cli.age'), path('plain.bin')])
      const out = await ageDecryptFile(path('cli.age'), path('back.bin'), { identity })
      expect(out.bytes).toBe(plain.length)
      expect(same(readFileSync(path('back.bin')), plain)).toBe(true)
    }
    expect(leftovers()).toEqual([])
  })

  it('a device output (/dev/null) is written directly, never replaced by a renamed file', async () => {
    const { identity, recipient } = await generateAgeIdentity()
    await ageEncryptFile(path('plain.bin'), path('d.age'), { recipients: [recipient] })
    expect(await ageDecryptFile(path('d.age'), '/dev/null', { identity })).toEqual({ bytes: plain.length })
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true)
  })

  it('a wrong key or a truncated file leaves nothing at the output path (not even the chunks that did authenticate)', async () => {
    const { identity, recipient } = await generateAgeIdentity()
    const other = await generateAgeIdentity()
    await ageEncryptFile(path('plain.bin'), path('t.age'), { recipients: [recipient] })
    const wrong = await ageDecryptFile(path('t.age'), path('wrong.bin'), other).catch((e: unknown) => e)
    expect(wrong).toBeInstanceOf(CryptoError) // the main entry's class: one copy of the API
    expect(wrong).toMatchObject({ code: 'E_DECRYPT' })
    // Cut in the middle of the last 4 MiB read: the first 8 MiB authenticate, then the end is missing.
    const full = readFileSync(path('t.age'))
    writeFileSync(path('cut.age'), full.subarray(0, full.length - 70_000))
    await expect(ageDecryptFile(path('cut.age'), path('cut.bin'), { identity })).rejects.toMatchObject({ code: 'E_DECRYPT' })
    expect(readdirSync(dir)).not.toContain('wrong.bin')
    expect(readdirSync(dir)).not.toContain('cut.bin')
    expect(leftovers()).toEqual([])
  })

  it('a missing input is the file system error and leaves no output; paths must be strings', async () => {
    const { recipient } = await generateAgeIdentity()
    await expect(ageEncryptFile(path('missing.bin'), path('m.age'), { recipients: [recipient] })).rejects.toMatchObject({ code: 'ENOENT' })
    expect(readdirSync(dir)).not.toContain('m.age')
    await expect(ageEncryptFile(42 as never, path('m.age'), { recipients: [recipient] })).rejects.toMatchObject({ code: 'E_ARGUMENT' })
    expect(leftovers()).toEqual([])
  })
})
