// lz4js ships no types; these are the two functions torshpkg uses (its block encoder).
declare module 'lz4js' {
  /** Worst-case compressed size of `n` bytes. */
  export function compressBound(n: number): number
  /**
   * LZ4-compress `src[sIndex, sIndex + sLength)` into `dst` from index 0. Returns the compressed
   * length, or 0 when nothing could be encoded. `hashTable` (65536 entries) must be zeroed for
   * an independent block.
   */
  export function compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number
}
