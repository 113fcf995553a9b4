// Exports shared by both builds; index.ts and index.node.ts add the codec-bound functions.
export { CompressError, type CompressErrorCode } from './errors.js'
export { detectCodec, type DetectableCodec } from './detect.js'
export { sampleEntropy, worthCompressing, chooseAuto, SAMPLE_BYTES, COMPRESSIBLE_ENTROPY_LIMIT, type AutoChoice } from './auto.js'
export { shuffle, unshuffle, isShuffleWidth, type ShuffleWidth } from './filters/shuffle.js'
export { crc32 } from './checksums/crc32.js'
export { adler32 } from './checksums/adler32.js'
export { xxh32 } from './checksums/xxh32.js'
export { xxh64 } from './checksums/xxh64.js'
export { CODEC_NAMES, type CompressApi, type ByteStreamPair, type ByteSource } from './api.js'
export {
  DEFAULT_MAX_OUTPUT_SIZE,
  type BytesLike,
  type Codec,
  type CodecInfo,
  type CodecName,
  type CompressOptions,
  type DecompressOptions,
  type Levels,
  type Preset,
  type StreamCoder,
} from './types.js'
export type { CodecPool, PoolOptions } from './pool/pool.js'
