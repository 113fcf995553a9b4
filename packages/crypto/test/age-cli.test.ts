// Interoperability with the real age CLI (age 1.1.x), both ways, and tamper resistance.
// Passphrase files need a terminal: age reads the passphrase from /dev/tty, so those cases run
// age inside a pseudo-terminal (python3's pty module) that answers its prompts.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ageDecrypt, ageEncrypt, ageDecryptStream, CryptoError } from '@torshpkg/crypto'
import { requireTool, runTool } from '../../../scripts/test-tools'
import { BACKENDS, expectBytes, FIXTURES, expectCryptoError, fixture, fixtureText, pseudoRandom, rejection, runTransform, sha256 } from './age-helpers'

const tmp = mkdtempSync(join(tmpdir(), 'age-cli-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
const path = (name: string) => join(tmp, name)
const identityFile = new URL('identity.txt', FIXTURES).pathname
const IDENTITY = fixtureText('identity.txt')
const RECIPIENT = fixtureText('recipient.txt').trim()
const PASSPHRASE = fixtureText('passphrase.txt')

// A second key pair from the real age-keygen.
const keygen = new TextDecoder().decode(runTool('age-keygen', []))
const KEYGEN_IDENTITY = keygen
const KEYGEN_RECIPIENT = /# public key: (age1\w+)/.exec(keygen)![1]!
writeFileSync(path('keygen.txt'), keygen)

const SIZES = [0, 1, 65535, 65536, 65537, 3 * 65536, 1_000_003]

/** Run `age args` in a pseudo-terminal, typing `passphrase` at every passphrase prompt. */
function ageWithTty(passphrase: string, args: string[]): void {
  const script = `
import os, pty, sys
pw = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
seen, answered, log = b'', 0, b''
while True:
    try:
        data = os.read(fd, 1024)
    except OSError:
        break
    if not data:
        break
    seen += data.lower()
    while seen.count(b'passphrase') > answered:
        answered += 1
        os.write(fd, pw + b'\\n')
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
if code != 0:
    sys.stderr.write(seen.decode(errors='replace'))
sys.exit(code)
`
  execFileSync(requireTool('python3'), ['-c', script, passphrase, requireTool('age'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 })
}

describe('the public API (@torshpkg/crypto) on the shared fixtures', () => {
  it('decrypts the binary, armored and exact-64 KiB files age made', async () => {
    expectBytes(await ageDecrypt(fixture('payload.bin.age'), { identity: IDENTITY }), fixture('payload.bin'))
    expectBytes(await ageDecrypt(fixture('payload.bin.age.asc'), { identity: IDENTITY }), fixture('payload.bin'))
    expectBytes(await ageDecrypt(fixtureText('payload.bin.age.asc'), { identity: IDENTITY }), fixture('payload.bin'))
    expectBytes(await ageDecrypt(fixture('exact64k.bin.age'), { identity: IDENTITY }), fixture('exact64k.bin'))
  })

  it('decrypts the passphrase file (scrypt work factor 18) and refuses a wrong passphrase', async () => {
    expectBytes(await ageDecrypt(fixture('secret.txt.age'), { passphrase: PASSPHRASE }), fixture('secret.txt'))
    const e = await rejection(ageDecrypt(fixture('secret.txt.age'), { passphrase: PASSPHRASE + 'x' }))
    expect(e).toBeInstanceOf(CryptoError)
    expect((e as CryptoError).code).toBe('E_DECRYPT')
    // Capped below the file's work factor: E_LIMIT before any scrypt work.
    expectCryptoError(await rejection(ageDecrypt(fixture('secret.txt.age'), { passphrase: PASSPHRASE }, { maxWorkFactor: 17 })), 'E_LIMIT', 'workFactor')
  })

  it('writes files and armor that age -d reads', async () => {
    const data = pseudoRandom(100_000, 1)
    writeFileSync(path('pub.age'), await ageEncrypt(data, { recipients: [RECIPIENT] }))
    expectBytes(runTool('age', ['-d', '-i', identityFile, path('pub.age')]), data)
    const armored = await ageEncrypt(data, { recipients: [RECIPIENT] }, { armor: true })
    expect(new TextDecoder().decode(armored.subarray(0, 35))).toBe('-----BEGIN AGE ENCRYPTED FILE-----\n')
    writeFileSync(path('pub.age.asc'), armored)
    expectBytes(runTool('age', ['-d', '-i', identityFile, path('pub.age.asc')]), data)
  })
})

describe.each(BACKENDS)('age CLI interop via %s', (name, api) => {
  it('age -d reads what we encrypt to several recipients (fixture key, age-keygen key, a key of ours), every size', async () => {
    const ours = await api.generateAgeIdentity()
    writeFileSync(path(`ours-${name}.txt`), ours.identity + '\n')
    for (const size of SIZES) {
      const data = pseudoRandom(size, size)
      const file = await api.ageEncrypt(data, { recipients: [RECIPIENT, KEYGEN_RECIPIENT, ours.recipient] }, { armor: size % 2 === 1 })
      writeFileSync(path('multi.age'), file)
      for (const id of [identityFile, path('keygen.txt'), path(`ours-${name}.txt`)]) {
        expect(sha256(runTool('age', ['-d', '-i', id, path('multi.age')])), `${size} bytes, ${id}`).toBe(sha256(data))
      }
    }
  })

  it('age -d reads what our encrypting stream writes (binary and armored)', async () => {
    for (const size of [0, 65536, 200_001]) {
      for (const armor of [false, true]) {
        const data = pseudoRandom(size, 3)
        const { output, error } = await runTransform(api.ageEncryptStream({ recipients: [KEYGEN_RECIPIENT] }, { armor }), data, 10_000)
        expect(error).toBeUndefined()
        writeFileSync(path('stream.age'), output)
        expect(sha256(runTool('age', ['-d', '-i', path('keygen.txt'), path('stream.age')]))).toBe(sha256(data))
      }
    }
  })

  it('decrypts what age -e -r and age -e -a write, every size, one-shot and streaming', async () => {
    for (const size of SIZES) {
      const data = pseudoRandom(size, size + 1)
      writeFileSync(path('plain'), data)
      for (const armor of [false, true]) {
        const file = runTool('age', ['-e', ...(armor ? ['-a'] : []), '-r', RECIPIENT, '-r', KEYGEN_RECIPIENT, path('plain')])
        expect(sha256(await api.ageDecrypt(file, { identity: IDENTITY })), `${size} armor=${armor}`).toBe(sha256(data))
        expect(sha256(await api.ageDecrypt(file, { identity: KEYGEN_IDENTITY }))).toBe(sha256(data))
        const { output, error } = await runTransform(api.ageDecryptStream({ identity: KEYGEN_IDENTITY }), file, 50_000)
        expect(error).toBeUndefined()
        expect(sha256(output)).toBe(sha256(data))
      }
    }
  })

  it('refuses the wrong identity with E_DECRYPT', async () => {
    const file = runTool('age', ['-e', '-r', RECIPIENT], new Uint8Array(10))
    expectCryptoError(await rejection(api.ageDecrypt(file, { identity: KEYGEN_IDENTITY })), 'E_DECRYPT', 'identity')
    expectCryptoError(await rejection(api.ageDecrypt(file, { passphrase: 'x' })), 'E_DECRYPT', 'passphrase')
    const { error } = await runTransform(api.ageDecryptStream({ identity: KEYGEN_IDENTITY }), file)
    expectCryptoError(error, 'E_DECRYPT', 'identity')
  })
})

describe('passphrases with the age CLI (through a pseudo-terminal)', () => {
  it('age -d reads our passphrase files (work factor 18 via node:crypto, 12 via noble)', async () => {
    for (const [name, api] of BACKENDS) {
      const data = pseudoRandom(70_000, 5)
      const file = await api.ageEncrypt(data, { passphrase: 'pass phrase ünïcode' }, name === 'noble' ? { workFactor: 12 } : {})
      expect(new TextDecoder().decode(file.subarray(0, 200))).toMatch(new RegExp(`^age-encryption.org/v1\\n-> scrypt \\S{22} ${name === 'noble' ? 12 : 18}\\n`))
      writeFileSync(path(`pass-${name}.age`), file)
      ageWithTty('pass phrase ünïcode', ['-d', '-o', path(`pass-${name}.out`), path(`pass-${name}.age`)])
      expect(sha256(readFileSync(path(`pass-${name}.out`)))).toBe(sha256(data))
    }
  })

  // (An armored passphrase file from age is the testkit's armor_scrypt; a wrong passphrase on an
  // age -p file is the fixture test above, at the same work factor: age -p takes ~2 s a run.)
  it('we read what age -p writes, one-shot and streaming', async () => {
    const data = pseudoRandom(150_000, 6)
    writeFileSync(path('p-plain'), data)
    ageWithTty('hunter2 hunter2', ['-p', '-o', path('p.age'), path('p-plain')])
    const [, node] = BACKENDS[1]
    expect(sha256(await node.ageDecrypt(new Uint8Array(readFileSync(path('p.age'))), { passphrase: 'hunter2 hunter2' }))).toBe(sha256(data))
    const { output } = await runTransform(ageDecryptStream({ passphrase: 'hunter2 hunter2' }), new Uint8Array(readFileSync(path('p.age'))))
    expect(sha256(output)).toBe(sha256(data))
  })

  it('refuses to mix a passphrase with recipients', async () => {
    const to = { passphrase: 'x', recipients: [RECIPIENT] } as unknown as { passphrase: string }
    expectCryptoError(await rejection(ageEncrypt(new Uint8Array(1), to)), 'E_ARGUMENT')
  })
})

describe.each(BACKENDS)('tampering via %s', (name, api) => {
  // Parsing (header, stanzas, armor) is the same code on every backend, so the exhaustive run
  // (two masks per byte, and the armored file) is node's; noble flips every byte of the binary
  // file once, which reaches each of its primitives (X25519 share, wrap key, HMAC, chunk tags).
  it(`every byte of a small file, flipped, fails with E_DECRYPT or E_FORMAT (${name === 'node' ? 'binary and armored' : 'binary'})`, async () => {
    for (const armor of name === 'node' ? [false, true] : [false]) {
      const data = pseudoRandom(200, 9)
      const file = runTool('age', ['-e', ...(armor ? ['-a'] : []), '-r', RECIPIENT], data)
      expectBytes(await api.ageDecrypt(file, { identity: IDENTITY }), data)
      for (let i = 0; i < file.length; i++) {
        // Armor: one flip per byte (any change of a base64 character changes the binary).
        for (const mask of armor || name !== 'node' ? [0x01] : [0x01, 0x80]) {
          const changed = file.slice()
          changed[i]! ^= mask
          const e = await rejection(api.ageDecrypt(changed, { identity: IDENTITY }))
          expect(e, `byte ${i} ^ ${mask}`).toBeInstanceOf(CryptoError)
          // A changed version line ("age-encryption.org/w1") is a version we do not read.
          const { code, details } = e as CryptoError
          const allowed = details.field === 'version' ? ['E_UNSUPPORTED', 'E_FORMAT'] : ['E_DECRYPT', 'E_FORMAT']
          expect(allowed, `byte ${i} ^ ${mask}: ${(e as Error).message}`).toContain(code)
        }
      }
    }
  })

  it('truncation at and around chunk boundaries, dropped, swapped and appended chunks fail with E_DECRYPT', async () => {
    const data = pseudoRandom(3 * 65536 + 100, 10)
    const file = runTool('age', ['-e', '-r', RECIPIENT], data)
    const payloadStart = file.length - (data.length + 4 * 16)
    const chunkAt = (i: number) => payloadStart + i * 65552
    const cuts = [chunkAt(0), chunkAt(0) + 1, chunkAt(1) - 1, chunkAt(1), chunkAt(1) + 16, chunkAt(2), chunkAt(3), chunkAt(3) + 15, file.length - 1]
    for (const cut of cuts) {
      expectCryptoError(await rejection(api.ageDecrypt(file.subarray(0, cut), { identity: IDENTITY })), 'E_DECRYPT', 'payload')
      const { error } = await runTransform(api.ageDecryptStream({ identity: IDENTITY }), file.subarray(0, cut))
      expectCryptoError(error, 'E_DECRYPT', 'payload')
    }
    const chunk = (i: number) => file.subarray(chunkAt(i), Math.min(file.length, chunkAt(i + 1)))
    const head = file.subarray(0, payloadStart)
    const variants = {
      dropped: [head, chunk(0), chunk(2), chunk(3)],
      swapped: [head, chunk(1), chunk(0), chunk(2), chunk(3)],
      appended: [head, chunk(0), chunk(1), chunk(2), chunk(3), new Uint8Array([0])],
      duplicated: [head, chunk(0), chunk(1), chunk(2), chunk(3), chunk(3)],
    }
    for (const [what, parts] of Object.entries(variants)) {
      const bytes = new Uint8Array(parts.reduce((n, b) => n + b.length, 0))
      let o = 0
      for (const part of parts) bytes.set(part, o), (o += part.length)
      const e = expectCryptoError(await rejection(api.ageDecrypt(bytes, { identity: IDENTITY })), 'E_DECRYPT', 'payload')
      expect(e.message, what).toMatch(/chunk/)
    }
    // The header truncated before the nonce is malformed, not a payload failure.
    expectCryptoError(await rejection(api.ageDecrypt(file.subarray(0, payloadStart - 1), { identity: IDENTITY })), 'E_FORMAT', 'nonce')
  })
})

describe('hostile headers fail fast, before any expensive work', () => {
  const mac = '--- ' + 'A'.repeat(43) + '\n'
  const b64 = (n: number) => Buffer.from(pseudoRandom(n, n)).toString('base64').replace(/=+$/, '')
  const tail = new Uint8Array(16 + 32)
  const file = (header: string) => {
    const h = new TextEncoder().encode(header)
    const out = new Uint8Array(h.length + tail.length)
    out.set(h)
    out.set(tail, h.length)
    return out
  }
  const cases: [string, Uint8Array, 'passphrase' | 'identity', string, string][] = [
    ['scrypt work factor 40', file(`age-encryption.org/v1\n-> scrypt ${b64(16)} 40\n${b64(32)}\n${mac}`), 'passphrase', 'E_LIMIT', 'workFactor'],
    ['scrypt work factor 23 (one above the default cap)', file(`age-encryption.org/v1\n-> scrypt ${b64(16)} 23\n${b64(32)}\n${mac}`), 'passphrase', 'E_LIMIT', 'workFactor'],
    ['a 30-digit work factor', file(`age-encryption.org/v1\n-> scrypt ${b64(16)} ${'9'.repeat(30)}\n${b64(32)}\n${mac}`), 'passphrase', 'E_LIMIT', 'workFactor'],
    ['10 000 stanzas', file('age-encryption.org/v1\n' + `-> X25519 ${b64(32)}\n${b64(32)}\n`.repeat(10_000) + mac), 'identity', 'E_LIMIT', 'stanza'],
    ['a 1 MB stanza line', file(`age-encryption.org/v1\n-> X25519 ${'A'.repeat(1 << 20)}\n${b64(32)}\n${mac}`), 'identity', 'E_LIMIT', 'stanza'],
    ['a 1 MB body line', file(`age-encryption.org/v1\n-> X25519 ${b64(32)}\n${'A'.repeat(1 << 20)}\n${mac}`), 'identity', 'E_FORMAT', 'header'],
    ['2 MB of header without a newline', file('age-encryption.org/v1' + 'A'.repeat(2 << 20)), 'identity', 'E_FORMAT', 'version'],
  ]
  it.each(cases)('%s', async (_, bytes, kind, code, field) => {
    const key = kind === 'passphrase' ? { passphrase: 'x' } : { identity: IDENTITY }
    for (const [, api] of BACKENDS) {
      const start = performance.now()
      expectCryptoError(await rejection(api.ageDecrypt(bytes, key)), code as 'E_LIMIT', field)
      expectCryptoError((await runTransform(api.ageDecryptStream(key), bytes, 4096)).error, code as 'E_LIMIT', field)
      const source = { size: bytes.length, read: async (o: number, n: number) => bytes.slice(o, o + n) }
      expectCryptoError(await rejection(api.openAgeReader(source, key)), code as 'E_LIMIT', field)
      // scrypt at 2^40 would never finish; 10 000 X25519 stanzas would take seconds with noble.
      expect(performance.now() - start).toBeLessThan(5000)
    }
  })

  it('maxWorkFactor lets a caller accept more, or less', async () => {
    const [, node] = BACKENDS[1]
    const file = await node.ageEncrypt(new Uint8Array(5), { passphrase: 'p' }, { workFactor: 12 })
    expectCryptoError(await rejection(node.ageDecrypt(file, { passphrase: 'p' }, { maxWorkFactor: 11 })), 'E_LIMIT', 'workFactor')
    expect(await node.ageDecrypt(file, { passphrase: 'p' }, { maxWorkFactor: 12 })).toEqual(new Uint8Array(5))
    expectCryptoError(await rejection(node.ageEncrypt(new Uint8Array(5), { passphrase: 'p' }, { workFactor: 23 })), 'E_ARGUMENT')
    expectCryptoError(await rejection(node.ageDecrypt(file, { passphrase: 'p' }, { maxWorkFactor: 31 })), 'E_ARGUMENT')
  })
})
