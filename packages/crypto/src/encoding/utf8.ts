// Text from untrusted bytes, one way for the whole package: strictly UTF-8 (invalid sequences
// are an error, not U+FFFD that would verify differently), and a leading byte-order mark kept
// as U+FEFF. TextDecoder drops the BOM by default, which would make the bytes of a file accepted
// where the same file read as a string (as Node's readFileSync(path, 'utf8') gives it, BOM
// included) is refused.

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * The text of UTF-8 `bytes`, or `undefined` when they are not valid UTF-8; callers turn that
 * into an error naming what the bytes were.
 *
 * @example
 * ```ts
 * decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])) // '\ufeffa'
 * decodeUtf8(new Uint8Array([0xff])) // undefined
 * ```
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes)
  } catch {
    return undefined
  }
}
