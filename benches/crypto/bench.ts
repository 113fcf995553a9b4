/**
 * benches/crypto: what the native fast paths buy, and how we compare with the reference CLIs.
 *
 * - Hashing (SHA-256, SHA-512, BLAKE2b-512, BLAKE3), Ed25519 sign/verify and AEAD
 *   (AES-256-GCM, ChaCha20-Poly1305): this build's primitives (node:crypto) against
 *   @noble/* (`noblePrimitives`, what browsers without the algorithm run), same inputs.
 * - age: decrypting (and encrypting) the same 256 MiB file with `ageDecrypt` in Node and with
 *   the `age` CLI (Go). Goal from the crypto issue: within 1.5x of the CLI.
 * - minisign: verifying a prehashed signature of the same file against `minisign -V`.
 *
 * Run: npm run bench -- crypto [--quick]   (--quick: 64 MiB files, fewer operations)
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ageDecrypt,
  ageEncrypt,
  generateAgeIdentity,
  generateKeyPair,
  formatMinisignPublicKey,
  noblePrimitives,
  primitives,
  signFile,
  verifyFile,
  type HashAlgorithm,
  type Primitives,
} from '@torshpkg/crypto'
import { ageDecryptFile, ageEncryptFile } from '@torshpkg/crypto/node'
import { crashed, report, type Goal } from '../lib'

const quick = process.argv.includes('--quick')
const MiB = 1024 * 1024
const dir = mkdtempSync(join(tmpdir(), 'torshpkg-bench-crypto-'))
const remove = (d: string) => rmSync(d, { recursive: true, force: true })

const mibps = (bytes: number, ms: number) => `${((bytes / MiB) * 1000 / ms).toFixed(0)} MiB/s`
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`

/** Median of `runs` timings of `fn`, in ms. */
async function median(runs: number, fn: () => unknown): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn()
    times.push(performance.now() - t)
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!
}

function cli(cmd: string, args: string[]): number {
  const t = performance.now()
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  const ms = performance.now() - t
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`)
  return ms
}

function data(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes)
  for (let at = 0; at < bytes; at += 65536) globalThis.crypto.getRandomValues(out.subarray(at, at + 65536))
  return out
}

async function main() {
  const rows: Record<string, string>[] = []
  const goals: Goal[] = []
  const impls: [string, Primitives][] = [[`${primitives.name} (native)`, primitives], ['noble', noblePrimitives]]

  // ---------------------------------------------------------------- hashing
  const hashInput = data((quick ? 16 : 64) * MiB)
  for (const alg of ['sha256', 'sha512', 'blake2b512', 'blake3'] as HashAlgorithm[]) {
    const t: number[] = []
    for (const [, p] of impls) t.push(await median(3, () => p.hash(alg, hashInput)))
    // BLAKE3 has no native path (OpenSSL lacks it): both columns are noble.
    rows.push({ what: `hash ${alg}${alg === 'blake3' ? ' (noble on both)' : ''}`, native: mibps(hashInput.length, t[0]!), noble: mibps(hashInput.length, t[1]!), 'native/noble': ratio(t[1]!, t[0]!) })
  }

  // ---------------------------------------------------------------- Ed25519
  const n = quick ? 200 : 1000
  const seed = data(32)
  const message = data(64)
  const pub = await primitives.ed25519.publicKey(seed)
  const sig = await primitives.ed25519.sign(message, seed)
  for (const op of ['sign', 'verify'] as const) {
    const t: number[] = []
    for (const [, p] of impls) {
      t.push(
        await median(3, async () => {
          for (let i = 0; i < n; i++) {
            if (op === 'sign') await p.ed25519.sign(message, seed)
            else if (!(await p.ed25519.verify(sig, message, pub))) throw new Error('verify failed')
          }
        }),
      )
    }
    const perSec = (ms: number) => `${Math.round((n * 1000) / ms)}/s`
    rows.push({ what: `Ed25519 ${op} (64-byte message)`, native: perSec(t[0]!), noble: perSec(t[1]!), 'native/noble': ratio(t[1]!, t[0]!) })
  }

  // ---------------------------------------------------------------- AEAD, 64 KiB chunks (age's and our chunk size)
  const aeadInput = data((quick ? 4 : 16) * MiB)
  const key = data(32)
  const nonce = new Uint8Array(12)
  for (const alg of ['aes-256-gcm', 'chacha20-poly1305'] as const) {
    for (const op of ['encrypt', 'decrypt'] as const) {
      const sealed: Uint8Array[] = []
      for (let at = 0; at < aeadInput.length; at += 65536) sealed.push(await primitives.aead.encrypt(alg, key, nonce, aeadInput.subarray(at, at + 65536)))
      const t: number[] = []
      for (const [, p] of impls) {
        t.push(
          await median(3, async () => {
            for (let i = 0, at = 0; at < aeadInput.length; i++, at += 65536) {
              if (op === 'encrypt') await p.aead.encrypt(alg, key, nonce, aeadInput.subarray(at, at + 65536))
              else await p.aead.decrypt(alg, key, nonce, sealed[i]!)
            }
          }),
        )
      }
      rows.push({ what: `${alg} ${op}`, native: mibps(aeadInput.length, t[0]!), noble: mibps(aeadInput.length, t[1]!), 'native/noble': ratio(t[1]!, t[0]!) })
    }
  }

  // ---------------------------------------------------------------- age against the age CLI, same file
  const fileSize = (quick ? 64 : 256) * MiB
  const plain = data(fileSize)
  const plainPath = join(dir, 'plain.bin')
  writeFileSync(plainPath, plain)
  const { identity, recipient } = await generateAgeIdentity()
  const idPath = join(dir, 'identity.txt')
  writeFileSync(idPath, `${identity}\n`)
  const cliEncPath = join(dir, 'cli.age')
  const cliEncrypt = await median(3, () => cli('age', ['-e', '-r', recipient, '-o', cliEncPath, plainPath]))
  // Like for like: both read the file and write the plaintext to /dev/null, in constant memory
  // (ageDecryptFile from @torshpkg/crypto/node: FileHandle reads into reused buffers through
  // ageDecryptStream; Node 20's Readable.toWeb adapter alone would cost as much as the crypto).
  // The goal's pair runs alternately (7 rounds, medians), so the VM's noise hits both alike.
  const cliRuns: number[] = []
  const ourRuns: number[] = []
  for (let round = 0; round < 7; round++) {
    cliRuns.push(cli('age', ['-d', '-i', idPath, '-o', '/dev/null', cliEncPath]))
    const t = performance.now()
    if ((await ageDecryptFile(cliEncPath, '/dev/null', { identity })).bytes !== fileSize) throw new Error('ageDecryptFile lost bytes')
    ourRuns.push(performance.now() - t)
  }
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!
  const cliDecrypt = mid(cliRuns)
  const ourDecrypt = mid(ourRuns)
  // durable: false, as the CLI does not fsync either.
  const ourEncrypt = await median(3, () => ageEncryptFile(plainPath, join(dir, 'ours.age'), { recipients: [recipient] }, { durable: false }))
  const encrypted = new Uint8Array(readFileSync(cliEncPath))
  let out: Uint8Array = new Uint8Array(0)
  const oneShotDecrypt = await median(3, async () => {
    out = await ageDecrypt(encrypted, { identity })
  })
  if (out.length !== plain.length || Buffer.compare(out, plain) !== 0) throw new Error('ageDecrypt gave the wrong plaintext')
  const oneShotEncrypt = await median(3, () => ageEncrypt(plain, { recipients: [recipient] }))
  rows.push({ what: `age decrypt ${fileSize / MiB} MiB file → file (/dev/null for decrypt)`, ours: `${ourDecrypt.toFixed(0)} ms`, 'age CLI': `${cliDecrypt.toFixed(0)} ms`, 'ours/CLI': ratio(ourDecrypt, cliDecrypt) })
  rows.push({ what: `age encrypt ${fileSize / MiB} MiB file → file (/dev/null for decrypt)`, ours: `${ourEncrypt.toFixed(0)} ms`, 'age CLI': `${cliEncrypt.toFixed(0)} ms`, 'ours/CLI': ratio(ourEncrypt, cliEncrypt) })
  rows.push({ what: `age decrypt ${fileSize / MiB} MiB, one-shot in memory`, ours: `${oneShotDecrypt.toFixed(0)} ms`, 'age CLI': '', 'ours/CLI': ratio(oneShotDecrypt, cliDecrypt) })
  rows.push({ what: `age encrypt ${fileSize / MiB} MiB, one-shot in memory`, ours: `${oneShotEncrypt.toFixed(0)} ms`, 'age CLI': '', 'ours/CLI': ratio(oneShotEncrypt, cliEncrypt) })
  goals.push({ goal: 'age decryption within 1.5x of the age CLI (Node)', value: ratio(ourDecrypt, cliDecrypt), met: ourDecrypt <= 1.5 * cliDecrypt })

  // ---------------------------------------------------------------- minisign against the minisign CLI, same file
  const { publicKey, secretKey } = await generateKeyPair()
  const pubPath = join(dir, 'key.pub')
  writeFileSync(pubPath, formatMinisignPublicKey(publicKey))
  const sigPath = join(dir, 'plain.bin.minisig')
  const minisig = await signFile(plain, secretKey)
  writeFileSync(sigPath, minisig)
  const cliVerify = await median(3, () => cli('minisign', ['-V', '-q', '-p', pubPath, '-m', plainPath, '-x', sigPath]))
  const ourVerify = await median(3, async () => {
    if (!(await verifyFile(readFileSync(plainPath), minisig, publicKey)).valid) throw new Error('verifyFile failed')
  })
  rows.push({ what: `minisign verify ${fileSize / MiB} MiB (prehashed)`, ours: `${ourVerify.toFixed(0)} ms`, 'minisign CLI': `${cliVerify.toFixed(0)} ms`, 'ours/CLI': ratio(ourVerify, cliVerify) })

  report(rows, goals, dir, remove)
}

main().catch((e) => crashed(e, dir, remove))
