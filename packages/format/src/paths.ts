import { PackageError } from './errors.js'
import { MAX_PATH_BYTES, MAX_SEGMENT_BYTES } from './layout/constants.js'

const encoder = new TextEncoder()

/** Why a path was refused; also in `PackageError.details.reason`. */
export type BadPathReason =
  | 'not-a-string'
  | 'empty'
  | 'malformed-unicode'
  | 'control-character'
  | 'backslash'
  | 'absolute'
  | 'drive-letter'
  | 'empty-segment'
  | 'dot-segment'
  | 'too-long'
  | 'duplicate'
  | 'not-normalized'

// C0 controls, DEL and C1 controls (invisible; NUL truncates paths in C APIs), and the
// characters that make a path display as another: bidirectional marks and overrides
// ("Trojan Source"), line/paragraph separators, and the byte-order mark.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/

/**
 * Canonical form of a resource path, or `E_BAD_PATH` with `details.reason`.
 *
 * Paths are relative, `/`-separated, NFC-normalised Unicode. Refused: absolute paths, drive
 * letters (`C:`), backslashes, `.`/`..` or empty segments (so no leading, trailing or doubled
 * slashes), control characters (including bidi overrides and U+FEFF), lone surrogates, more than
 * 4096 UTF-8 bytes or a segment over 255.
 *
 * @example
 * ```ts
 * normalizePath('weights/layer0.bin') // 'weights/layer0.bin'
 * normalizePath('../etc/passwd')      // throws PackageError E_BAD_PATH (dot-segment)
 * ```
 */
export function normalizePath(path: unknown): string {
  if (typeof path !== 'string') throw bad(String(path), 'not-a-string', 'a path must be a string')
  if (path.length === 0) throw bad(path, 'empty', 'a path must not be empty')
  if (!path.isWellFormed()) throw bad(path, 'malformed-unicode', 'a path must be well-formed Unicode (no lone surrogates)')
  const p = path.normalize('NFC')
  if (CONTROL.test(p)) throw bad(path, 'control-character', 'a path must not contain NUL, control, bidirectional-override or byte-order-mark characters')
  if (p.includes('\\')) throw bad(path, 'backslash', 'a path must use "/" separators, not backslashes')
  if (p.startsWith('/')) throw bad(path, 'absolute', 'a path must be relative (no leading "/")')
  if (/^[A-Za-z]:/.test(p)) throw bad(path, 'drive-letter', 'a path must not start with a drive letter')
  const bytes = encoder.encode(p).length
  if (bytes > MAX_PATH_BYTES) throw bad(path, 'too-long', `a path must be at most ${MAX_PATH_BYTES} UTF-8 bytes (got ${bytes})`)
  for (const segment of p.split('/')) {
    if (segment === '') throw bad(path, 'empty-segment', 'a path must not have empty segments ("//", or a leading or trailing "/")')
    if (segment === '.' || segment === '..') throw bad(path, 'dot-segment', `a path must not contain "${segment}" segments`)
    if (encoder.encode(segment).length > MAX_SEGMENT_BYTES) {
      throw bad(path, 'too-long', `a path segment must be at most ${MAX_SEGMENT_BYTES} UTF-8 bytes`)
    }
  }
  return p
}

/** A PackageError for `path`, with the reason in `details`. */
export function bad(path: string, reason: BadPathReason, why: string): PackageError {
  const shown = JSON.stringify(path.length > 200 ? path.slice(0, 200) + '…' : path)
  return new PackageError('E_BAD_PATH', `bad resource path ${shown}: ${why}`, { path, reason })
}
