/**
 * `@torshpkg/crypto`: hashing, signatures and encryption for torshpkg, native wherever the
 * platform has it. This is the browser-safe build: WebCrypto where the runtime has the
 * algorithm, @noble/* otherwise. Node resolves `index.node.ts` (node:crypto), same API.
 *
 * @example
 * ```ts
 * import { sha256, createHasher, toHex } from '@torshpkg/crypto'
 * await sha256(new TextEncoder().encode('abc')) // 'ba7816bf...'
 * const h = createHasher('sha256'); h.update(part1); h.update(part2); toHex(h.digest())
 * ```
 * @packageDocumentation
 */
import { createCryptoApi } from './api.js'
import { webPrimitives } from './primitives/web.js'

export * from './public.js'

const api = createCryptoApi(webPrimitives)

/** The primitives this build uses (for benchmarks and tests; most code needs the functions below). */
export const primitives = api.primitives
/** Digest of `data` with `algorithm`, from the fastest backend available. */
export const hash = api.hash
/** Synchronous digest (node:crypto in Node, @noble/hashes elsewhere). */
export const hashSync = api.hashSync
/** An incremental hasher for data that arrives in pieces. */
export const createHasher = api.createHasher
/**
 * SHA-256 of `data` as lowercase hex.
 *
 * @example
 * ```ts
 * await sha256(new TextEncoder().encode('abc')) // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export const sha256 = api.sha256

/**
 * A fresh Ed25519 key pair. Its `keyId` is the first 8 bytes of SHA-256(public key), in
 * minisign's display form, so the same key always has the same id.
 *
 * @example
 * ```ts
 * const { publicKey, secretKey } = await generateKeyPair()
 * writeFileSync('my.pub', formatMinisignPublicKey(publicKey))
 * ```
 */
export const generateKeyPair = api.generateKeyPair
/**
 * A public key from 32 raw bytes or 64 hex digits; `{ keyId }` to keep a known id.
 *
 * @example
 * ```ts
 * const pk = publicKeyFromBytes('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
 * ```
 */
export const publicKeyFromBytes = api.publicKeyFromBytes
/**
 * A secret key from its 32-byte RFC 8032 seed (bytes or hex); computes the public half.
 *
 * @example
 * ```ts
 * const sk = await secretKeyFromSeed(seed)
 * ```
 */
export const secretKeyFromSeed = api.secretKeyFromSeed
/**
 * Key id of a raw public key: first 8 bytes of SHA-256(key), 16 uppercase hex digits.
 *
 * @example
 * ```ts
 * keyIdOf(publicKey.bytes) === publicKey.keyId // for generated keys
 * ```
 */
export const keyIdOf = api.keyIdOf
/**
 * The secret key in a minisign secret key file. Unencrypted (`minisign -G -W`) or encrypted
 * (scrypt; pass `{ password }`). `E_KEY` if a password is needed and missing, `E_DECRYPT` if it
 * is wrong, `E_LIMIT` if the file asks for more scrypt work than minisign uses, `E_FORMAT` /
 * `E_UNSUPPORTED` for malformed files.
 *
 * @example
 * ```ts
 * const sk = await parseMinisignSecretKey(readFileSync('minisign.key', 'utf8'), { password: 'hunter2' })
 * ```
 */
export const parseMinisignSecretKey = api.parseMinisignSecretKey
/**
 * A password-protected minisign secret key file (scrypt with minisign's parameters by
 * default), readable by `minisign -S -s file` and by {@link parseMinisignSecretKey}.
 *
 * @example
 * ```ts
 * writeFileSync('my.key', await encryptMinisignSecretKey(secretKey, 'hunter2'), { mode: 0o600 })
 * ```
 */
export const encryptMinisignSecretKey = api.encryptMinisignSecretKey
/**
 * Sign `data` (bytes, a ReadableStream or an AsyncIterable of chunks) in minisign's format;
 * resolves to the `.minisig` text. Prehashed 'ED' (Ed25519 over BLAKE2b-512) by default;
 * `{ prehash: false }` writes a legacy 'Ed' signature (bytes only). Default trusted comment
 * `timestamp:<unix seconds>`, with `\tfile:<fileName>\thashed` when `fileName` is given.
 *
 * @example
 * ```ts
 * const minisig = await signFile(bytes, secretKey, { trustedComment: 'release 1.2' })
 * const big = await signFile(createReadStream('model.bin'), secretKey, { fileName: 'model.bin' })
 * // $ minisign -V -p key.pub -m file -x file.minisig
 * ```
 */
export const signFile = api.signFile
/**
 * Verify a minisign signature of `data` (bytes, a ReadableStream or an AsyncIterable of
 * chunks) by `publicKey` (a key object, or minisign .pub text or its base64 line). Resolves to
 * `{ valid, keyId, algorithm, trustedComment, reason }`; never throws on a bad or malformed
 * signature (`valid: false` with `reason`), only on arguments of the wrong type.
 * `trustedComment` is set only when valid. Options: `requirePrehash` (like `minisign -V -H`),
 * `maxLegacyBytes` (legacy 'Ed' signatures buffer a stream up to this, default 1 GiB).
 *
 * @example
 * ```ts
 * const { valid, trustedComment, reason } = await verifyFile(bytes, minisigText, publicKey)
 * ```
 */
export const verifyFile = api.verifyFile

/**
 * Sign a package: appends a DSSE-enveloped signature over its digest to the signature block
 * (kind 1); no data is rewritten. Resolves to the signed package.
 *
 * @example
 * ```ts
 * const signed = await signPackage(await openPackage(bytes), secretKey, { comment: 'release 1.2.0' })
 * ```
 */
export const signPackage = api.signPackage
/**
 * Check a package's signatures against a keyring: who signed, when, with which key, and why
 * any signature is not accepted. Never throws for bad signatures.
 *
 * @example
 * ```ts
 * const { valid, signatures } = await verifyPackage(pkg, keyring)
 * ```
 */
export const verifyPackage = api.verifyPackage
/**
 * Attach a signed in-toto provenance statement about the package (kind 2 record).
 *
 * @example
 * ```ts
 * const attested = await attestPackage(pkg, { predicateType: 'https://slsa.dev/provenance/v1', predicate }, ciKey)
 * ```
 */
export const attestPackage = api.attestPackage
/**
 * Check a package's attestations; returns the verified in-toto statements with their signers.
 *
 * @example
 * ```ts
 * const { attestations } = await verifyAttestations(pkg, keyring)
 * ```
 */
export const verifyAttestations = api.verifyAttestations
/**
 * The kind-1 record for a package or digest, for appending yourself (format's `appendSignatures`).
 *
 * @example
 * ```ts
 * const signedBytes = appendSignatures(bytes, [await createSignatureRecord(pkg, secretKey)])
 * ```
 */
export const createSignatureRecord = api.createSignatureRecord
/**
 * The kind-2 (attestation) record for a package or digest, for appending yourself.
 *
 * @example
 * ```ts
 * const record = await createAttestationRecord(pkg.digest, { predicateType, predicate }, ciKey)
 * ```
 */
export const createAttestationRecord = api.createAttestationRecord
/**
 * Sign any document as a DSSE envelope.
 *
 * @example
 * ```ts
 * const envelope = await signDsse('application/vnd.example.eval+json', JSON.stringify(results), secretKey)
 * ```
 */
export const signDsse = api.signDsse
/**
 * Verify a DSSE envelope against a keyring; never throws for bad signatures.
 *
 * @example
 * ```ts
 * const { valid, body } = await verifyDsse(envelope, keyring, { payloadType: 'application/vnd.example.eval+json' })
 * ```
 */
export const verifyDsse = api.verifyDsse

/**
 * Encrypt `data` to the age v1 format (age-encryption.org/v1), readable by `age -d`: to X25519
 * recipients (`age1...`), or with a passphrase (scrypt, work factor 18 unless
 * `{ workFactor }`), never both. `{ armor: true }` writes the ASCII armor `age -a` writes.
 * Strings are encrypted as UTF-8. `E_KEY` for a malformed recipient, `E_UNSUPPORTED` for SSH or
 * plugin recipients, `E_ARGUMENT` for a passphrase mixed with recipients.
 *
 * @example
 * ```ts
 * const file = await ageEncrypt(bytes, { recipients: ['age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'] })
 * const text = await ageEncrypt(bytes, { passphrase: 'correct horse' }, { armor: true })
 * // $ age -d -i key.txt file.age
 * ```
 */
export const ageEncrypt = api.ageEncrypt
/**
 * Decrypt an age v1 file (binary, or ASCII-armored as bytes or a string; detected) with an identity
 * (`AGE-SECRET-KEY-1...`, the text of an identity file, or an array of them) or a passphrase.
 * Returns the plaintext only when all of it authenticated. `E_DECRYPT` when no identity
 * matches, the passphrase is wrong, or the file was changed or truncated; `E_FORMAT` for
 * malformed headers or armor; `E_LIMIT` when the header asks for more than the limits
 * (scrypt work factor above `maxWorkFactor`, default 22; see `AGE_LIMITS`).
 *
 * @example
 * ```ts
 * const plain = await ageDecrypt(file, { identity: readFileSync('key.txt', 'utf8') })
 * const secret = await ageDecrypt(armoredText, { passphrase: 'correct horse' })
 * ```
 */
export const ageDecrypt = api.ageDecrypt
/**
 * Encrypt a stream in constant memory: a TransformStream from plaintext bytes to an age file
 * (armored with `{ armor: true }`). Arguments are checked when called.
 *
 * @example
 * ```ts
 * await Readable.toWeb(createReadStream('model.bin')).pipeThrough(ageEncryptStream({ recipients })).pipeTo(Writable.toWeb(createWriteStream('model.bin.age')))
 * ```
 */
export const ageEncryptStream = api.ageEncryptStream
/**
 * Decrypt a stream in constant memory (binary or armored input). Each 64 KiB chunk is
 * emitted only after it authenticated; the stream errors (with the `CryptoError`) if anything
 * fails, including input that ends without the final chunk, so a stream that closes normally
 * delivered the complete plaintext.
 *
 * @example
 * ```ts
 * const plain = file.stream().pipeThrough(ageDecryptStream({ identity }))
 * ```
 */
export const ageDecryptStream = api.ageDecryptStream
/**
 * Random access to a binary age file through positional reads (a file handle, HTTP ranges):
 * reads and authenticates the header and the final chunk at open (truncation fails here),
 * then each `read(offset, length)` fetches and decrypts only the 64 KiB chunks it covers.
 *
 * @example
 * ```ts
 * const fh = await open('model.bin.age')
 * const source = { size: (await fh.stat()).size, read: async (o, n) => { const b = new Uint8Array(n); await fh.read(b, 0, n, o); return b } }
 * const reader = await openAgeReader(source, { identity })
 * const tensor = await reader.read(1 << 20, 4096) // reads two chunks at most
 * ```
 */
export const openAgeReader = api.openAgeReader
/**
 * A new age X25519 identity and its recipient, as age-keygen makes them.
 *
 * @example
 * ```ts
 * const { identity, recipient } = await generateAgeIdentity() // 'AGE-SECRET-KEY-1...', 'age1...'
 * ```
 */
export const generateAgeIdentity = api.generateAgeIdentity
/**
 * The `age1...` recipient of an identity (or of an identity file holding one), like
 * `age-keygen -y`.
 *
 * @example
 * ```ts
 * await ageRecipientOf('AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX') // 'age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj'
 * ```
 */
export const ageRecipientOf = api.ageRecipientOf
