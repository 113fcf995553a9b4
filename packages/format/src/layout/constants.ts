/**
 * Byte-level constants of format 1.0. docs/format.md is the normative description; a test
 * decodes its worked example with this code.
 */

/** The first 8 bytes of every package, `\x89TPK\r\n\x1a\n`: high bit, name, and the CR-LF / ^Z / LF that catch text-mode mangling (as PNG does). */
export const MAGIC = Uint8Array.of(0x89, 0x54, 0x50, 0x4b, 0x0d, 0x0a, 0x1a, 0x0a)
/** `TPKEND\x1a\n`: the last eight bytes of every complete package. */
export const END_MAGIC = Uint8Array.of(0x54, 0x50, 0x4b, 0x45, 0x4e, 0x44, 0x1a, 0x0a)

/** Major format version this library writes and reads (incompatible layouts bump it). */
export const FORMAT_MAJOR = 1
/**
 * Newest minor format version this library reads strictly and writes; newer minors of the same
 * major still open. It writes 1.0 unless a package uses a 1.1 feature (encrypted chunks), so
 * packages without one are byte-identical to what a 1.0 writer makes.
 */
export const FORMAT_MINOR = 1
/** The minor version of packages without 1.1 features. */
export const BASE_MINOR = 0
/** The minor version that introduced encrypted chunks (docs/format.md, "Encryption"). */
export const ENCRYPTION_MINOR = 1
/** 0xFEFF stored little-endian: a reader seeing FE FF knows the writer was big-endian. */
export const BYTE_ORDER_MARK = 0xfeff

export const PREAMBLE_SIZE = 64
export const FOOTER_SIZE = 96
/** Offset of the tail locator inside the preamble; excluded from the package digest. */
export const LOCATOR_OFFSET = 24
export const INDEX_HEADER_SIZE = 8
export const CHUNK_RECORD_SIZE = 52
export const SIGNATURE_RECORD_HEADER_SIZE = 8
/** Bytes of the digest (SHA-256 and BLAKE3 both give 32). */
export const DIGEST_SIZE = 32
/** Bytes an encrypted block adds to its content: the AEAD tag (AES-256-GCM and ChaCha20-Poly1305 both use 16). */
export const AEAD_TAG_SIZE = 16

/** Default bytes per chunk (1 MiB): the unit of hashing, compression and random access. */
export const DEFAULT_CHUNK_SIZE = 1024 * 1024
/** Default boundary (bytes) for chunks stored raw, so typed-array views need no copy. */
export const DEFAULT_ALIGNMENT = 64
export const MIN_ALIGNMENT = 64
export const MAX_ALIGNMENT = 4096
export const MIN_CHUNK_SIZE = 4096
export const MAX_CHUNK_SIZE = 64 * 1024 * 1024

export const MAX_PATH_BYTES = 4096
export const MAX_SEGMENT_BYTES = 255
export const MAX_MEDIA_TYPE_BYTES = 255
export const MAX_DTYPE_BYTES = 32
export const MAX_TENSOR_RANK = 32
