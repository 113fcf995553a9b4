import { equalBytes, isAllZero } from '../bytes.js'
import { CryptoError } from '../errors.js'
import { newPublicKey, newSecretKey } from '../keys/construct.js'
import { keyIdFromBytes, keyIdToBytes } from '../keys/keyid.js'
import type { SecretKey } from '../keys/types.js'
import { assertSecretKey } from '../keys/validate.js'
import type { Primitives, ScryptParams } from '../primitives/types.js'
import { base64Encode, tryBase64Decode } from '../encoding/base64.js'
import { secretKeyChecksum } from './checksum.js'
import { checkComment } from './comment.js'
import {
  ALG_ED,
  CHK_BLAKE2B,
  KDF_NONE,
  KDF_SCRYPT,
  KEYNUM_SK_BYTES,
  MAX_UNTRUSTED_COMMENT_BYTES,
  SALT_BYTES,
  SECRET_KEY_BYTES,
  SK,
  UNTRUSTED_PREFIX,
  algName,
} from './layout.js'
import { describe, readLines, type TextInput } from './lines.js'
import { MAX_MEMLIMIT, MAX_OPSLIMIT, scryptParamsFromLimits } from './scrypt-params.js'

// A secret key file is an untrusted comment and base64(158 bytes), 212 characters.
const LIMITS = { what: 'minisign secret key', maxLength: 4096, maxLineLength: 2048 } as const
const BASE64_LENGTH = 212

/** Options of `parseMinisignSecretKey`. */
export interface ParseSecretKeyOptions {
  /**
   * Password of an encrypted key (what `minisign -G` asked for), as text (UTF-8, as typed) or
   * bytes. Ignored for unencrypted keys (`minisign -G -W`), as minisign ignores it.
   */
  password?: string | Uint8Array
}

/** Options of `encryptMinisignSecretKey`. */
export interface EncryptSecretKeyOptions {
  /** libsodium scrypt opslimit; default and maximum 2^25 (what minisign writes). */
  opslimit?: number
  /** libsodium scrypt memlimit in bytes; default and maximum 2^30 (what minisign writes). */
  memlimit?: number
  /** Untrusted comment line; default 'minisign encrypted secret key'. */
  comment?: string
}

function checkPassword(password: unknown): asserts password is string | Uint8Array {
  if (typeof password !== 'string' && !(password instanceof Uint8Array)) {
    throw new CryptoError('E_ARGUMENT', `password: expected a string or a Uint8Array, got ${describe(password)}`, { details: { field: 'password' } })
  }
}

/**
 * The scrypt key stream that encrypts keynum_sk. A password given as text is encoded (UTF-8, as
 * minisign reads it from the terminal) into a copy of ours, wiped here; bytes the caller passed
 * are theirs and left alone.
 */
async function keyStream(p: Primitives, password: string | Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  const bytes = typeof password === 'string' ? new TextEncoder().encode(password) : password
  try {
    return await p.scrypt(bytes, salt, params)
  } finally {
    if (bytes !== password) bytes.fill(0)
  }
}

/** A little-endian u64 as a number; values past 2^53 come out inexact but still huge, which the caps refuse. */
function readU64(bytes: Uint8Array, at: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 8)
  return view.getUint32(4, true) * 2 ** 32 + view.getUint32(0, true)
}

function writeU64(bytes: Uint8Array, at: number, value: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 8)
  view.setUint32(0, value >>> 0, true)
  view.setUint32(4, Math.floor(value / 2 ** 32), true)
}

/** XOR `stream` into `target` in place. */
function xorInto(target: Uint8Array, stream: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i]! ^= stream[i]!
}

/** Decode the key line: 158 bytes with known algorithms, or a precise error. */
function decodeSecretKeyLine(text: TextInput): { bytes: Uint8Array; lineNo: number } {
  const lines = readLines(text, LIMITS)
  if (lines.length === 0) throw new CryptoError('E_FORMAT', 'minisign secret key: empty input', { details: { field: 'secretKey', line: 1 } })
  if (lines.length > 2) {
    throw new CryptoError('E_FORMAT', `minisign secret key: expected a comment line and a key line, found ${lines.length} lines`, { details: { field: 'text', line: 3 } })
  }
  const lineNo = lines.length
  const line = lines[lineNo - 1]!.trim()
  const where = { field: 'secretKey', line: lineNo }
  if (line.startsWith(UNTRUSTED_PREFIX)) throw new CryptoError('E_FORMAT', `minisign secret key: line ${lineNo} is a comment; the key line is missing`, { details: where })
  // Bound before decoding: the only valid length is 212 characters.
  const bytes = line.length === BASE64_LENGTH ? tryBase64Decode(line) : undefined
  if (!bytes || bytes.length !== SECRET_KEY_BYTES) {
    throw new CryptoError('E_FORMAT', `minisign secret key: line ${lineNo} is not the base64 of a ${SECRET_KEY_BYTES}-byte key (${BASE64_LENGTH} characters, got ${line.length})`, {
      details: where,
    })
  }
  const check = (at: number, expected: Uint8Array[], field: string, what: string) => {
    const alg = bytes.subarray(at, at + 2)
    if (!expected.some((e) => equalBytes(alg, e))) {
      throw new CryptoError('E_UNSUPPORTED', `minisign secret key: ${what} ${algName(alg)} on line ${lineNo} is not one minisign defines (${expected.map(algName).join(' or ')})`, {
        details: { field, line: lineNo },
      })
    }
  }
  check(SK.sigAlg, [ALG_ED], 'signatureAlgorithm', 'signature algorithm')
  check(SK.kdfAlg, [KDF_SCRYPT, KDF_NONE], 'kdfAlgorithm', 'key derivation')
  check(SK.chkAlg, [CHK_BLAKE2B], 'checksumAlgorithm', 'checksum algorithm')
  return { bytes, lineNo }
}

/**
 * The secret key in a minisign secret key file (`parseMinisignSecretKey` of the package API,
 * bound to primitives). Decrypts with scrypt when the file is encrypted, then checks the
 * BLAKE2b-256 checksum and that the stored public key is the seed's.
 *
 * Errors: `E_FORMAT`/`E_UNSUPPORTED` for a malformed file; `E_KEY` when a password is needed
 * but missing, or an unencrypted key's checksum (unless all zero, as minisign 0.11 writes it)
 * or public half is wrong (a damaged file);
 * `E_DECRYPT` for a wrong password; `E_LIMIT` when the file asks for more scrypt work than
 * minisign ever writes.
 *
 * @example
 * ```ts
 * const sk = await parseSecretKey(noblePrimitives, readFileSync('minisign.key'), { password: 'hunter2' })
 * ```
 */
export async function parseSecretKey(p: Primitives, text: TextInput, options: ParseSecretKeyOptions = {}): Promise<SecretKey> {
  if (typeof options !== 'object' || options === null) throw new CryptoError('E_ARGUMENT', 'options: expected an object')
  // Type-check the password even when this key turns out not to need it.
  const password = options.password
  if (password !== undefined) checkPassword(password)
  const { bytes, lineNo } = decodeSecretKeyLine(text)
  const encrypted = equalBytes(bytes.subarray(SK.kdfAlg, SK.kdfAlg + 2), KDF_SCRYPT)
  // A view into the decoded line, which is ours: decrypted in place and wiped in `finally`.
  const keynum = bytes.subarray(SK.keynum, SK.keynum + KEYNUM_SK_BYTES)
  try {
    if (encrypted) {
      if (password === undefined) {
        throw new CryptoError('E_KEY', 'minisign secret key: this key is encrypted with a password (minisign -G without -W); pass { password }', {
          details: { field: 'password', line: lineNo },
        })
      }
      const params = scryptParamsFromLimits(readU64(bytes, SK.opslimit), readU64(bytes, SK.memlimit), KEYNUM_SK_BYTES)
      const stream = await keyStream(p, password, bytes.subarray(SK.salt, SK.salt + SALT_BYTES), params)
      xorInto(keynum, stream)
      stream.fill(0)
    }
    const keyId = keynum.subarray(0, 8)
    const seed = keynum.subarray(8, 40)
    const pk = keynum.subarray(40, 72)
    const stored = keynum.subarray(72, 104)
    // minisign 0.11 writes (and never reads) an all-zero checksum in unencrypted keys; the
    // seed/public-key check below still catches damage to those. Any other value must match.
    const unchecked = !encrypted && isAllZero(stored)
    if (!unchecked && !equalBytes(secretKeyChecksum(ALG_ED, keyId, seed, pk), stored)) {
      throw encrypted
        ? new CryptoError('E_DECRYPT', 'minisign secret key: wrong password (or a damaged file): the decrypted key does not match its checksum', { details: { field: 'password', line: lineNo } })
        : new CryptoError('E_KEY', 'minisign secret key: the checksum does not match; the file is damaged', { details: { field: 'checksum', line: lineNo } })
    }
    const derived = await p.ed25519.publicKey(seed)
    if (!equalBytes(derived, pk)) {
      throw new CryptoError('E_KEY', 'minisign secret key: the stored public key is not the public key of the stored seed', { details: { field: 'publicKey', line: lineNo } })
    }
    return newSecretKey(seed, newPublicKey(pk, keyIdFromBytes(keyId)))
  } finally {
    bytes.fill(0)
  }
}

/** The 104-byte keynum_sk (key id, seed, public key, checksum) of `sk`, in the clear. */
function keynumOf(sk: SecretKey): Uint8Array {
  const keynum = new Uint8Array(KEYNUM_SK_BYTES)
  const keyId = keyIdToBytes(sk.keyId)
  keynum.set(keyId, 0)
  keynum.set(sk.seed, 8)
  keynum.set(sk.publicKey.bytes, 40)
  keynum.set(secretKeyChecksum(ALG_ED, keyId, sk.seed, sk.publicKey.bytes), 72)
  return keynum
}

function keyFileText(comment: string, bytes: Uint8Array): string {
  checkComment(comment, 'comment', MAX_UNTRUSTED_COMMENT_BYTES)
  return `${UNTRUSTED_PREFIX}${comment}\n${base64Encode(bytes)}\n`
}

/**
 * The text of an unencrypted minisign secret key file (the layout `minisign -G -W` writes: key
 * derivation 00 00, zero salt and limits), which `minisign -S -s file` signs with without
 * asking for a password. Unlike minisign 0.11, which leaves the checksum zero in such files,
 * we write the real BLAKE2b-256 checksum (minisign accepts both). Keep the file private: the
 * seed is in it, only base64-encoded.
 *
 * @example
 * ```ts
 * writeFileSync('my.key', formatMinisignSecretKey(secretKey), { mode: 0o600 })
 * // $ minisign -S -s my.key -m file
 * ```
 */
export function formatMinisignSecretKey(secretKey: SecretKey, options: { comment?: string } = {}): string {
  const sk = assertSecretKey(secretKey)
  const bytes = new Uint8Array(SECRET_KEY_BYTES)
  bytes.set(ALG_ED, SK.sigAlg)
  bytes.set(KDF_NONE, SK.kdfAlg)
  bytes.set(CHK_BLAKE2B, SK.chkAlg)
  const keynum = keynumOf(sk)
  bytes.set(keynum, SK.keynum)
  keynum.fill(0)
  try {
    return keyFileText(options.comment ?? 'minisign unencrypted secret key', bytes)
  } finally {
    bytes.fill(0)
  }
}

/**
 * The text of a password-protected minisign secret key file, as `minisign -G` writes it:
 * scrypt (libsodium parameters, default minisign's own) with a random salt, XORed over the key.
 *
 * @example
 * ```ts
 * writeFileSync('my.key', await encryptSecretKey(noblePrimitives, secretKey, 'hunter2'))
 * ```
 */
export async function encryptSecretKey(p: Primitives, secretKey: SecretKey, password: string | Uint8Array, options: EncryptSecretKeyOptions = {}): Promise<string> {
  const sk = assertSecretKey(secretKey)
  checkPassword(password)
  const opslimit = options.opslimit ?? MAX_OPSLIMIT
  const memlimit = options.memlimit ?? MAX_MEMLIMIT
  // Validates both against the caps the parser applies: never write a key we would refuse.
  const params = scryptParamsFromLimits(opslimit, memlimit, KEYNUM_SK_BYTES)
  const derived = await p.ed25519.publicKey(sk.seed)
  if (!equalBytes(derived, sk.publicKey.bytes)) throw new CryptoError('E_KEY', 'secretKey: publicKey is not the public key of seed', { details: { field: 'secretKey.publicKey' } })
  const bytes = new Uint8Array(SECRET_KEY_BYTES)
  bytes.set(ALG_ED, SK.sigAlg)
  bytes.set(KDF_SCRYPT, SK.kdfAlg)
  bytes.set(CHK_BLAKE2B, SK.chkAlg)
  const salt = p.randomBytes(SALT_BYTES)
  bytes.set(salt, SK.salt)
  writeU64(bytes, SK.opslimit, opslimit)
  writeU64(bytes, SK.memlimit, memlimit)
  const stream = await keyStream(p, password, salt, params)
  // The seed in the clear exists only from here to the XOR, which cannot fail.
  const keynum = keynumOf(sk)
  xorInto(keynum, stream)
  stream.fill(0)
  bytes.set(keynum, SK.keynum)
  return keyFileText(options.comment ?? 'minisign encrypted secret key', bytes)
}

