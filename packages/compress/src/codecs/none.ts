import { CompressError } from '../errors.js'
import type { Codec } from '../types.js'

/** Identity codec: what the container records for chunks stored raw. */
export const none: Codec = {
  name: 'none',
  canCompress: true,
  canDecompress: true,
  streaming: false,
  levels: { min: 0, max: 0, default: 0, presets: { fast: 0, balanced: 0, max: 0 } },
  compressSync: (data) => data,
  decompressSync(data, maxOutputSize) {
    if (data.length > maxOutputSize) {
      throw new CompressError('E_LIMIT', `output of ${data.length} bytes exceeds maxOutputSize ${maxOutputSize}`)
    }
    return data
  },
}
