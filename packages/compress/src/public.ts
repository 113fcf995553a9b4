// Exports shared by both builds; index.ts and index.node.ts add the codec-bound functions.
export { CompressError, type CompressErrorCode } from './errors.js'
export { detectCodec, type DetectableCodec } from './detect.js'
export { sampleEntropy, worthCompressing, SAMPLE_BYTES, COMPRESSIBLE_ENTROPY_LIMIT } from './auto.js'
export { CODEC_NAMES, type CompressApi } from './api.js'
export {
  DEFAULT_MAX_OUTPUT_SIZE,
  type BytesLike,
  type Codec,
  type CodecInfo,
  type CodecName,
  type CompressOptions,
  type DecompressOptions,
} from './types.js'
