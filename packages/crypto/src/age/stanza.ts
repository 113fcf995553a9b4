// Recipient stanzas: "-> type arg...\n" then the body in unpadded base64, 64 columns per line,
// ended by a line shorter than 64 columns (empty when the body is a multiple of 48 bytes).
import { CryptoError } from '../errors.js'
import { AGE_LIMITS } from './limits.js'
import { base64EncodedLength, base64EncodeInto } from '../encoding/base64.js'

/** One recipient stanza: `type` is the first argument, `args` the rest. */
export interface Stanza {
  readonly type: string
  readonly args: readonly string[]
  readonly body: Uint8Array
}

const formatError = (message: string, line: number, offset: number, field = 'stanza') =>
  new CryptoError('E_FORMAT', `age header: ${message} (line ${line})`, { details: { field, line, offset } })

/**
 * Parse the text after "-> " of an argument line: one or more arguments separated by single
 * spaces, each made of visible ASCII (VCHAR, 0x21-0x7E). `line`/`offset` locate errors.
 */
export function parseArguments(bytes: Uint8Array, start: number, end: number, line: number): string[] {
  const args: string[] = []
  let from = start
  for (let i = start; i <= end; i++) {
    if (i < end && bytes[i] !== 0x20) {
      if (bytes[i]! < 0x21 || bytes[i]! > 0x7e) throw formatError(`byte 0x${bytes[i]!.toString(16)} in a stanza argument`, line, i)
      continue
    }
    if (i === from) throw formatError('empty stanza argument (doubled, leading or trailing space)', line, i)
    if (args.length === AGE_LIMITS.maxArguments) {
      throw new CryptoError('E_LIMIT', `age header: more than ${AGE_LIMITS.maxArguments} arguments in a stanza (line ${line})`, {
        details: { field: 'stanza', line, offset: i, limit: AGE_LIMITS.maxArguments },
      })
    }
    args.push(String.fromCharCode(...bytes.subarray(from, i)))
    from = i + 1
  }
  return args
}

/** Text of `stanza` as it appears in a header, final newline included. */
export function encodeStanza(stanza: Stanza): Uint8Array {
  const argLine = ['->', stanza.type, ...stanza.args].join(' ') + '\n'
  for (const a of [stanza.type, ...stanza.args]) {
    if (!/^[\x21-\x7e]+$/.test(a)) throw new CryptoError('E_ARGUMENT', `stanza argument ${JSON.stringify(a)} is empty or not visible ASCII`)
  }
  const chars = base64EncodedLength(stanza.body.length, false)
  // One newline per 64 columns, plus the short (possibly empty) final line's.
  const out = new Uint8Array(argLine.length + chars + Math.floor(chars / 64) + 1)
  for (let i = 0; i < argLine.length; i++) out[i] = argLine.charCodeAt(i)
  const b64 = new Uint8Array(chars)
  base64EncodeInto(stanza.body, b64, 0, { padding: false })
  let o = argLine.length
  for (let i = 0; i < chars; i += 64) {
    const line = b64.subarray(i, i + 64)
    out.set(line, o)
    o += line.length
    if (line.length === 64) out[o++] = 10
  }
  out[o++] = 10
  return out
}
