import { decodeUtf8 } from '../encoding/utf8.js'
import { CryptoError } from '../errors.js'

/** Key files and signatures arrive as text or as the file's bytes (UTF-8). */
export type TextInput = string | Uint8Array

/** Bounds for one kind of minisign file, checked before anything is split or decoded. */
export interface TextLimits {
  /** What the text is, for messages: 'minisign signature', 'minisign public key', ... */
  readonly what: string
  /** Longest accepted input, in UTF-16 code units (a string) or bytes (a Uint8Array). */
  readonly maxLength: number
  /** Longest accepted line, without its line ending. */
  readonly maxLineLength: number
}

/**
 * The lines of a minisign file, bounded first. Line endings are LF or CRLF: minisign reads
 * with fgets and trims trailing CR/LF, so files edited on Windows verify there, and they
 * verify here (checked against minisign 0.11). Trailing empty lines are dropped; everything
 * else is kept for the caller to judge, with 1-based line numbers = index + 1.
 *
 * @example
 * ```ts
 * readLines('a\r\nb\n\n', { what: 'x', maxLength: 100, maxLineLength: 10 }) // ['a', 'b']
 * ```
 */
export function readLines(input: unknown, limits: TextLimits): string[] {
  let text: string
  if (typeof input === 'string') {
    if (input.length > limits.maxLength) throw tooLong(limits, input.length)
    text = input
  } else if (input instanceof Uint8Array) {
    if (input.length > limits.maxLength) throw tooLong(limits, input.length)
    // A BOM stays in the text, as in a string read from the same file: both are then refused
    // where minisign refuses them (a .minisig must start with "untrusted comment: ").
    const decoded = decodeUtf8(input)
    if (decoded === undefined) throw new CryptoError('E_FORMAT', `${limits.what}: not UTF-8 text`, { details: { field: 'text' } })
    text = decoded
  } else {
    throw new CryptoError('E_ARGUMENT', `${limits.what}: expected a string or a Uint8Array, got ${describe(input)}`)
  }
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!
    let end = line.length
    while (end > 0 && line.charCodeAt(end - 1) === 13) end--
    if (end !== line.length) lines[i] = line = line.slice(0, end)
    if (line.length > limits.maxLineLength) {
      throw new CryptoError('E_FORMAT', `${limits.what}: line ${i + 1} is ${line.length} characters long; at most ${limits.maxLineLength} are accepted`, {
        details: { field: 'line', line: i + 1, limit: limits.maxLineLength },
      })
    }
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  return lines
}

function tooLong(limits: TextLimits, length: number): CryptoError {
  return new CryptoError('E_FORMAT', `${limits.what}: ${length} characters is more than the ${limits.maxLength} such a file can have`, {
    details: { field: 'text', length, limit: limits.maxLength },
  })
}

/**
 * A short description of an unexpected argument, for error messages.
 *
 * @example
 * ```ts
 * describe(null) // 'null'; describe(42) // 'number'; describe(new Map()) // 'Map'
 * ```
 */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value !== 'object') return typeof value
  return (value as object).constructor?.name ?? 'object'
}
