// Format constants and the bounds applied to untrusted age input. Every size read from a
// header is checked against these before anything is allocated or computed.

/** Plaintext bytes per STREAM chunk (64 KiB). */
export const CHUNK_SIZE = 65536
/** ChaCha20-Poly1305 tag appended to every chunk and to every wrapped file key. */
export const TAG_SIZE = 16
/** Ciphertext bytes of a full chunk. */
export const ENC_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
/** The payload starts with this many random nonce bytes. */
export const PAYLOAD_NONCE_SIZE = 16
/** age file keys are 128 bits. */
export const FILE_KEY_SIZE = 16
/** A wrapped file key: 16 bytes + tag. Checked before decrypting (partitioning oracles). */
export const WRAPPED_KEY_SIZE = FILE_KEY_SIZE + TAG_SIZE

/**
 * Limits on untrusted age headers. Exceeding one is `E_LIMIT`, raised while parsing, before
 * any key is unwrapped.
 *
 * - `maxStanzas` 256: the CLI writes one stanza per recipient, and team files reach dozens of
 *   recipients (sops/age setups); 256 leaves room for that while bounding the X25519 work a
 *   hostile header can demand (stanzas x identities scalar multiplications; 256 is about
 *   0.2 s per identity with the pure-JS backend).
 * - `maxArgumentLine` 8 KiB: body lines are at most 64 columns by the spec, so only argument
 *   lines can be long. The largest native stanza (mlkem768p256tag, a 1153-byte value) needs
 *   about 1.6 KB; 8 KiB leaves plugins a 5x margin.
 * - `maxArguments` 32: native stanzas have 2 or 3, plugins a handful.
 * - `maxHeaderBytes` 1 MiB: 256 stanzas of the largest native kind fit; a reader never buffers
 *   more than this looking for the end of a header.
 * - `maxWorkFactor` 22 (default of the `maxWorkFactor` option): the age CLI's own cap. scrypt
 *   with log2(N) = 22 and r = 8 needs 4 GiB and seconds of CPU; each step above doubles both.
 * - `maxSettableWorkFactor` 30: no option can raise the cap further (the memory would be 1 TiB).
 */
export const AGE_LIMITS = Object.freeze({
  maxStanzas: 256,
  maxArgumentLine: 8192,
  maxArguments: 32,
  maxHeaderBytes: 1 << 20,
  maxWorkFactor: 22,
  maxSettableWorkFactor: 30,
  defaultWorkFactor: 18,
})
