// Byte layouts of minisign's files (https://jedisct1.github.io/minisign/), in one place.
//
//   public key  = sig_alg "Ed" (2) || key_id (8) || Ed25519 public key (32)                =  42
//   secret key  = sig_alg "Ed" (2) || kdf_alg "Sc" or 00 00 (2) || chk_alg "B2" (2)
//                 || kdf_salt (32) || kdf_opslimit u64le (8) || kdf_memlimit u64le (8)
//                 || [key_id (8) || seed (32) || public key (32) || checksum (32)]         = 158
//                    the bracketed 104 bytes are XORed with scrypt output when encrypted
//   signature   = sig_alg "ED" (prehashed) or "Ed" (legacy) (2) || key_id (8) || sig (64)  =  74
//   global sig  = Ed25519 over (sig (64) || trusted comment bytes)                         =  64

export const ALG_ED = Uint8Array.of(0x45, 0x64) // 'Ed': pure Ed25519; the only key algorithm
export const ALG_PREHASHED = Uint8Array.of(0x45, 0x44) // 'ED': Ed25519 over BLAKE2b-512(file)
export const KDF_SCRYPT = Uint8Array.of(0x53, 0x63) // 'Sc': scrypt-salsa208-sha256
export const KDF_NONE = Uint8Array.of(0x00, 0x00) // what `minisign -G -W` writes
export const CHK_BLAKE2B = Uint8Array.of(0x42, 0x32) // 'B2': BLAKE2b-256 checksum

export const PUBLIC_KEY_BYTES = 42
export const SIGNATURE_BYTES = 74
export const SECRET_KEY_BYTES = 158
export const ED25519_SIGNATURE_BYTES = 64

/** Offsets into the decoded secret key. */
export const SK = {
  sigAlg: 0,
  kdfAlg: 2,
  chkAlg: 4,
  salt: 6,
  opslimit: 38,
  memlimit: 46,
  /** Start of the (possibly encrypted) keynum_sk: key id, seed, public key, checksum. */
  keynum: 54,
  keyId: 54,
  seed: 62,
  publicKey: 94,
  checksum: 126,
} as const
export const SALT_BYTES = 32
export const KEYNUM_SK_BYTES = 104

export const UNTRUSTED_PREFIX = 'untrusted comment: '
export const TRUSTED_PREFIX = 'trusted comment: '

/**
 * Longest untrusted comment minisign 0.11 can read back: it reads that line with a 1024-byte
 * fgets buffer, which must hold the 19-byte prefix, the newline and a NUL (measured: 1003
 * verifies, 1004 does not).
 */
export const MAX_UNTRUSTED_COMMENT_BYTES = 1003

/**
 * Longest trusted comment we write: minisign 0.11 builds its own signature files in a
 * 4096-byte buffer, and we keep ours within what it writes itself (measured: `-t` takes 4077
 * bytes, 4078 fails with "xfprintf() overflow").
 */
export const MAX_TRUSTED_COMMENT_BYTES = 4077

/**
 * The two-letter name of an algorithm field, or its hex when it is not printable.
 *
 * @example
 * ```ts
 * algName(ALG_PREHASHED) // '"ED"'; algName(KDF_NONE) // '0x0000'
 * ```
 */
export function algName(bytes: Uint8Array): string {
  const printable = bytes.every((b) => b >= 0x20 && b < 0x7f)
  return printable ? JSON.stringify(String.fromCharCode(...bytes)) : `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`
}
