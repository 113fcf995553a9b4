// Public types of the age API (re-exported from public.ts).

/** Whom to encrypt to: X25519 recipients (`age1...`) or one passphrase, never both. */
export type AgeEncryptTo =
  | { readonly recipients: readonly string[]; readonly passphrase?: undefined }
  | { readonly passphrase: string; readonly recipients?: undefined }

/**
 * How to decrypt: `identity` is an `AGE-SECRET-KEY-1...` string, the text of an identity file
 * ('#' comments and blank lines allowed, as age-keygen writes it), or an array of either;
 * or a `passphrase`.
 */
export type AgeDecryptKey = { readonly identity: string | readonly string[]; readonly passphrase?: undefined } | { readonly passphrase: string; readonly identity?: undefined }

/** Options of the decrypting functions. */
export interface AgeDecryptOptions {
  /**
   * Highest scrypt work factor (log2 N) accepted from a file; default 22, the age CLI's cap.
   * A file asking for more fails with `E_LIMIT` before scrypt runs.
   */
  readonly maxWorkFactor?: number
  /**
   * `undefined` (default): detect ASCII armor. `true`: require it. `false`: binary only.
   * (Not for {@link AgeReader}s, which read binary files only.)
   */
  readonly armor?: boolean
}

/** Options of the encrypting functions. */
export interface AgeEncryptOptions {
  /** Write ASCII armor ("-----BEGIN AGE ENCRYPTED FILE-----"), byte for byte as `age -a`. */
  readonly armor?: boolean
  /** scrypt work factor (log2 N) for passphrases; default 18, as age. */
  readonly workFactor?: number
  /** Upper bound for `workFactor` (default 22), so files stay decryptable with the defaults. */
  readonly maxWorkFactor?: number
}

/** Random-access input: a size and a positional read (a file handle, an HTTP range reader...). */
export interface AgeReaderSource {
  /** Total bytes of the encrypted file. */
  readonly size: number
  /** Exactly `length` bytes at `offset` (within `size`). */
  read(offset: number, length: number): Promise<Uint8Array>
}

/** Options of {@link AgeReader}s. */
export interface AgeReaderOptions {
  /** See {@link AgeDecryptOptions.maxWorkFactor}. */
  readonly maxWorkFactor?: number
  /** Decrypted chunks kept for nearby reads, besides the final chunk; default 2. */
  readonly cacheChunks?: number
}

/** Random access to the plaintext of an age file, 64 KiB chunk by chunk, every byte authenticated. */
export interface AgeReader {
  /** Plaintext size in bytes. */
  readonly size: number
  /**
   * The plaintext bytes `[offset, offset + length)`, cut at `size`. Only the chunks covering the
   * range are read from the source and decrypted; each is authenticated before any of its bytes
   * are returned (`E_DECRYPT` otherwise).
   */
  read(offset: number, length: number): Promise<Uint8Array>
}

/** A new age X25519 key pair in age-keygen's spelling. */
export interface AgeIdentity {
  /** `AGE-SECRET-KEY-1...` */
  readonly identity: string
  /** `age1...` */
  readonly recipient: string
}
