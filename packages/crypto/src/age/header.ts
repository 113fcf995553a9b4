// The age v1 header: version line, recipient stanzas, MAC line. Parsed strictly (the MAC covers
// the bytes as written, so anything accepted must have a single spelling) and incrementally:
// readers hand over a growing prefix of the file until the header is complete, within
// AGE_LIMITS, so a hostile header costs at most maxHeaderBytes of buffering and no crypto.
import { CryptoError } from '../errors.js'
import { concatBytes, equalBytes } from '../bytes.js'
import type { Primitives } from '../primitives/types.js'
import { base64DecodeInto, base64DecodedLength, base64Encode, isBase64Char } from '../encoding/base64.js'
import { AGE_LIMITS } from './limits.js'
import { encodeStanza, parseArguments, type Stanza } from './stanza.js'

const enc = new TextEncoder()
const PREFIX = 'age-encryption.org/'
const VERSION_LINE = 'age-encryption.org/v1'
const MAX_VERSION_LINE = 256

/** A parsed header. `macInput` is the header up to and including "---", what the MAC covers. */
export interface AgeHeader {
  readonly stanzas: readonly Stanza[]
  readonly mac: Uint8Array
  readonly macInput: Uint8Array
  /** Bytes from the start of the file to the payload (the MAC line's newline included). */
  readonly length: number
}

const formatError = (message: string, line: number, offset: number, field = 'header') =>
  new CryptoError('E_FORMAT', `age header: ${message} (line ${line})`, { details: { field, line, offset } })

/** Whether `bytes` starts with (a prefix of) the age version line, i.e. could be a binary age file. */
export function mayBeAgeHeader(bytes: Uint8Array): boolean {
  for (let i = 0; i < Math.min(bytes.length, PREFIX.length); i++) if (bytes[i] !== PREFIX.charCodeAt(i)) return false
  return true
}

/**
 * Parse the header at the start of `bytes`. When `complete` is false, `bytes` may be a prefix
 * of the file: the result is `undefined` if the header does not end within it (read more and
 * call again). When `complete` is true, `bytes` is the whole file and a header cut short is
 * `E_FORMAT`. Malformed input is `E_FORMAT` (`details.line`, `details.offset`), an unknown
 * version `E_UNSUPPORTED`, a header beyond {@link AGE_LIMITS} `E_LIMIT`.
 */
export function parseHeader(bytes: Uint8Array, complete: boolean): AgeHeader | undefined {
  if (!mayBeAgeHeader(bytes)) throw formatError('not an age file (it starts with neither "age-encryption.org/" nor an ASCII armor "-----BEGIN" line)', 1, 0, 'version')
  let pos = 0
  let line = 0

  // The next line as [start, end) without its LF, or undefined when the buffer ends first.
  // `max` bounds the search, so a hostile line costs O(max) whatever its length.
  const nextLine = (max: number, tooLong: () => CryptoError): [number, number] | undefined => {
    line++
    if (pos > AGE_LIMITS.maxHeaderBytes) {
      throw new CryptoError('E_LIMIT', `age header: longer than ${AGE_LIMITS.maxHeaderBytes} bytes`, {
        details: { field: 'header', line, offset: pos, limit: AGE_LIMITS.maxHeaderBytes },
      })
    }
    const lf = bytes.subarray(pos, pos + max + 1).indexOf(10)
    if (lf < 0) {
      if (bytes.length - pos > max) throw tooLong()
      if (complete) throw formatError('the file ends inside the header', line, pos)
      return undefined
    }
    const start = pos
    pos += lf + 1
    return [start, start + lf]
  }

  const version = nextLine(MAX_VERSION_LINE, () => formatError('the version line is too long', 1, 0, 'version'))
  if (!version) return undefined
  const versionText = String.fromCharCode(...bytes.subarray(version[0], version[1]))
  if (versionText !== VERSION_LINE) {
    if (/^age-encryption\.org\/[\x21-\x7e]+$/.test(versionText)) {
      throw new CryptoError('E_UNSUPPORTED', `age header: unsupported version ${JSON.stringify(versionText.slice(PREFIX.length))} (this library reads v1)`, {
        details: { field: 'version', line: 1, offset: 0 },
      })
    }
    throw formatError('malformed version line', 1, 0, 'version')
  }

  const stanzas: Stanza[] = []
  for (;;) {
    const argLimit = () =>
      new CryptoError('E_LIMIT', `age header: a line longer than ${AGE_LIMITS.maxArgumentLine} bytes`, {
        details: { field: 'stanza', line, offset: pos, limit: AGE_LIMITS.maxArgumentLine },
      })
    const l = nextLine(AGE_LIMITS.maxArgumentLine, argLimit)
    if (!l) return undefined
    const [s, e] = l
    const lineNo = line
    if (e - s >= 3 && bytes[s] === 0x2d && bytes[s + 1] === 0x2d && bytes[s + 2] === 0x2d) {
      // "--- " + 43 characters: a 32-byte HMAC in canonical unpadded base64.
      if (stanzas.length === 0) throw formatError('no recipient stanza before the MAC line', lineNo, s, 'mac')
      if (e - s !== 4 + 43 || bytes[s + 3] !== 0x20) throw formatError('malformed MAC line (expected "--- " and 43 base64 characters)', lineNo, s, 'mac')
      const mac = new Uint8Array(32)
      if (base64DecodeInto(bytes, s + 4, e, mac, 0, { padding: 'forbidden' }) !== 32) throw formatError('the MAC is not canonical base64', lineNo, s, 'mac')
      return { stanzas, mac, macInput: bytes.slice(0, s + 3), length: pos }
    }
    if (e - s < 3 || bytes[s] !== 0x2d || bytes[s + 1] !== 0x3e || bytes[s + 2] !== 0x20) {
      throw formatError('expected a stanza ("-> ") or the MAC line ("--- ")', lineNo, s)
    }
    if (stanzas.length === AGE_LIMITS.maxStanzas) {
      throw new CryptoError('E_LIMIT', `age header: more than ${AGE_LIMITS.maxStanzas} recipient stanzas`, {
        details: { field: 'stanza', line: lineNo, offset: s, limit: AGE_LIMITS.maxStanzas },
      })
    }
    const [type, ...args] = parseArguments(bytes, s + 3, e, lineNo)

    // Body: full 64-column lines, then one shorter line (possibly empty) that ends the stanza.
    const bodyStart = pos
    let chars = 0
    for (;;) {
      const b = nextLine(64, () => formatError('a stanza body line is longer than 64 columns', line, pos))
      if (!b) return undefined
      for (let i = b[0]; i < b[1]; i++) {
        if (!isBase64Char(bytes[i]!)) throw formatError(`byte 0x${bytes[i]!.toString(16)} in a stanza body (base64 without padding expected)`, line, i)
      }
      chars += b[1] - b[0]
      if (b[1] - b[0] < 64) break
    }
    // Copy the characters without newlines, then decode strictly (canonical, no padding).
    const text = new Uint8Array(chars)
    let t = 0
    for (let i = bodyStart; i < pos; i++) if (bytes[i] !== 10) text[t++] = bytes[i]!
    const size = base64DecodedLength(text, 0, chars, 'forbidden')
    const body = new Uint8Array(Math.max(0, size))
    if (size < 0 || base64DecodeInto(text, 0, chars, body, 0, { padding: 'forbidden' }) !== size) {
      throw formatError('a stanza body is not canonical base64', lineNo, bodyStart)
    }
    stanzas.push({ type: type!, args, body })
  }
}

/** HMAC key = HKDF-SHA-256(ikm = file key, salt = empty, info = "header"). */
async function headerMac(p: Primitives, fileKey: Uint8Array, macInput: Uint8Array): Promise<Uint8Array> {
  const key = await p.hkdf(fileKey, new Uint8Array(0), enc.encode('header'), 32)
  try {
    return await p.hmac(key, macInput)
  } finally {
    key.fill(0)
  }
}

/** Check the header MAC with the unwrapped file key; a mismatch is `E_DECRYPT` (the header was changed). */
export async function verifyHeaderMac(p: Primitives, header: AgeHeader, fileKey: Uint8Array): Promise<void> {
  if (!equalBytes(await headerMac(p, fileKey, header.macInput), header.mac)) {
    throw new CryptoError('E_DECRYPT', 'age header: the MAC does not match (the header was modified)', { details: { field: 'mac' } })
  }
}

/** Serialize a header for `stanzas`, MAC'd with `fileKey`. */
export async function encodeHeader(p: Primitives, stanzas: readonly Stanza[], fileKey: Uint8Array): Promise<Uint8Array> {
  const macInput = concatBytes([enc.encode(VERSION_LINE + '\n'), ...stanzas.map(encodeStanza), enc.encode('---')])
  return concatBytes([macInput, enc.encode(' ' + base64Encode(await headerMac(p, fileKey, macInput), { padding: false }) + '\n')])
}
