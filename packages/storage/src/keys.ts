import { StorageError } from './errors.js'

/** Longest key, in UTF-8 bytes (S3's limit). */
export const MAX_KEY_BYTES = 1024

const encoder = new TextEncoder()

/**
 * Checks that `key` is a key every backend can store safely: 1 to 1024 UTF-8 bytes of
 * `/`-separated segments, none empty, `.` or `..`, no leading `/`, no backslash, no control
 * characters, no lone surrogates. (So a key never escapes an `fs` root and means the same
 * path everywhere.) Throws `E_INVALID_KEY` saying which rule failed.
 *
 * @example
 * ```ts
 * checkKey('models/bert/1.0.0.torshpkg') // ok
 * checkKey('../etc/passwd')              // StorageError E_INVALID_KEY: segment ".." ...
 * ```
 */
export function checkKey(key: string): string {
  if (typeof key !== 'string') throw invalid(String(key), 'a key must be a string')
  if (key.length === 0) throw invalid(key, 'a key must not be empty')
  if (key.charCodeAt(0) === 0x2f) throw invalid(key, 'a key must not start with "/"')
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    if (c < 0x20 || c === 0x7f) throw invalid(key, `control character U+${c.toString(16).padStart(4, '0')} at ${i}`)
    if (c === 0x5c) throw invalid(key, `backslash at ${i} (keys use "/")`)
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = key.charCodeAt(i + 1)
      if (!(d >= 0xdc00 && d <= 0xdfff)) throw invalid(key, `lone surrogate at ${i}`)
      i++
    } else if (c >= 0xdc00 && c <= 0xdfff) throw invalid(key, `lone surrogate at ${i}`)
  }
  for (const segment of key.split('/')) {
    if (segment === '') throw invalid(key, 'empty segment ("//" or a trailing "/")')
    if (segment === '.' || segment === '..') throw invalid(key, `segment "${segment}"`)
  }
  if (encoder.encode(key).length > MAX_KEY_BYTES) throw invalid(key, `longer than ${MAX_KEY_BYTES} UTF-8 bytes`)
  return key
}

/** Checks a listing prefix: '' or a key-like string (it may end with "/"). */
export function checkPrefix(prefix: string): string {
  if (typeof prefix !== 'string') throw new StorageError('E_ARGUMENT', 'list: prefix must be a string')
  if (prefix === '') return prefix
  checkKey(prefix.endsWith('/') ? `${prefix}x` : prefix)
  return prefix
}

function invalid(key: string, why: string): StorageError {
  return new StorageError('E_INVALID_KEY', `invalid key ${JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}...` : key)}: ${why}`, { key })
}

/**
 * Orders keys as S3 does (by UTF-8 bytes, which is code point order). JavaScript's `<`
 * compares UTF-16 code units, which puts U+E000..U+FFFF after astral characters: wrong.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    // A surrogate (an astral code point) sorts after every BMP code unit.
    const xs = x >= 0xd800 && x <= 0xdfff
    const ys = y >= 0xd800 && y <= 0xdfff
    if (xs !== ys) return xs ? 1 : -1
    return x - y
  }
  return a.length - b.length
}
