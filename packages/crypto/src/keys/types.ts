/**
 * Ed25519 keys as this library passes them around.
 *
 * `keyId` is 16 uppercase hex digits, minisign's display form (its 8 key-id bytes read as a
 * little-endian u64). Keys imported from minisign files keep minisign's random id; keys we
 * generate or import from raw bytes get the first 8 bytes of SHA-256(public key), so the same
 * key always has the same id.
 */
export interface PublicKey {
  readonly algorithm: 'ed25519'
  readonly keyId: string
  /** The 32-byte Ed25519 public key. */
  readonly bytes: Uint8Array
}

/** An Ed25519 secret key: the 32-byte RFC 8032 seed and its public half. */
export interface SecretKey {
  readonly algorithm: 'ed25519'
  readonly keyId: string
  readonly seed: Uint8Array
  readonly publicKey: PublicKey
}

export interface KeyPair {
  readonly publicKey: PublicKey
  readonly secretKey: SecretKey
}
