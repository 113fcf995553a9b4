// ASCII armor: strict PEM (RFC 7468 figure 3) with the label "AGE ENCRYPTED FILE", padded
// base64 in 64-column lines. Armor is outside the header MAC, so the decoder accepts exactly one
// spelling of the content: canonical base64, every line but the last exactly 64 columns,
// padding only at the very end, no PEM headers, no blank lines. Whitespace (SP, HT, CR, LF) is
// allowed before BEGIN and after END, and lines may end in LF or CRLF, as the spec permits.
// Encoder and decoder are incremental so the streaming API shares them with the one-shot one.
import { concatBytes, startsWithBytes } from '../bytes.js'
import { CryptoError } from '../errors.js'
import { base64DecodeInto, base64EncodeInto } from '../encoding/base64.js'

const BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----'
const END = '-----END AGE ENCRYPTED FILE-----'
const BEGIN_BYTES = Uint8Array.from(BEGIN, (c) => c.charCodeAt(0))
const END_BYTES = Uint8Array.from(END, (c) => c.charCodeAt(0))
const PEM_PREFIX = Uint8Array.from('-----', (c) => c.charCodeAt(0))
const COLUMNS = 64
const LINE_BYTES = 48 // decoded bytes per full line
/** Longest acceptable line: a marker or 64 columns, plus a CR. */
const MAX_LINE = Math.max(BEGIN.length, COLUMNS) + 1

const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a

const armorError = (message: string, line: number) => new CryptoError('E_FORMAT', `age armor: ${message} (line ${line})`, { details: { field: 'armor', line } })

/** Count of leading whitespace bytes (SP, HT, CR, LF). */
export function skipSpace(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length && isSpace(bytes[i]!)) i++
  return i
}

/**
 * Whether `bytes` (a file's first bytes) is armored: after optional whitespace it starts with
 * "-----". Any PEM-looking line counts, so a wrong label or a malformed BEGIN line is reported
 * by the armor decoder (a binary age file starts with "age-encryption.org/").
 * `undefined` when `bytes` is too short to tell (streams ask again with more).
 */
export function detectArmor(bytes: Uint8Array): boolean | undefined {
  const i = skipSpace(bytes)
  for (let j = 0; j < PEM_PREFIX.length; j++) {
    if (i + j >= bytes.length) return undefined
    if (bytes[i + j] !== PEM_PREFIX[j]) return false
  }
  return true
}

/** Incremental armor writer: `push` binary, get ASCII; `finish` adds the last line and END. */
export class ArmorEncoder {
  private pending = new Uint8Array(LINE_BYTES)
  private pendingLength = 0
  private started = false

  private begin(parts: Uint8Array[]): void {
    if (this.started) return
    this.started = true
    parts.push(Uint8Array.from(BEGIN + '\n', (c) => c.charCodeAt(0)))
  }

  /** Encode `data`; returns the complete lines it produced (possibly empty). */
  push(data: Uint8Array): Uint8Array {
    const parts: Uint8Array[] = []
    this.begin(parts)
    let at = 0
    if (this.pendingLength > 0) {
      const take = Math.min(LINE_BYTES - this.pendingLength, data.length)
      this.pending.set(data.subarray(0, take), this.pendingLength)
      this.pendingLength += take
      at = take
      if (this.pendingLength < LINE_BYTES) return joined(parts)
      parts.push(encodeLines(this.pending))
      this.pendingLength = 0
    }
    const whole = at + Math.floor((data.length - at) / LINE_BYTES) * LINE_BYTES
    if (whole > at) parts.push(encodeLines(data.subarray(at, whole)))
    this.pending.set(data.subarray(whole), 0)
    this.pendingLength = data.length - whole
    return joined(parts)
  }

  /** The last (short) line, if any, and the END line with its newline. */
  finish(): Uint8Array {
    const parts: Uint8Array[] = []
    this.begin(parts)
    if (this.pendingLength > 0) parts.push(encodeLines(this.pending.subarray(0, this.pendingLength)))
    this.pendingLength = 0
    parts.push(Uint8Array.from(END + '\n', (c) => c.charCodeAt(0)))
    return joined(parts)
  }
}

/** `parts` as one buffer; a single part is returned as it is (armoring a large file copies once less). */
const joined = (parts: Uint8Array[]) => (parts.length === 1 ? parts[0]! : concatBytes(parts))

/** Full 48-byte groups become 64-column lines; a shorter tail becomes one padded line. */
function encodeLines(data: Uint8Array): Uint8Array {
  const lines = Math.ceil(data.length / LINE_BYTES)
  const out = new Uint8Array(lines * (COLUMNS + 1))
  let o = 0
  for (let i = 0; i < data.length; i += LINE_BYTES) {
    o = base64EncodeInto(data.subarray(i, i + LINE_BYTES), out, o)
    out[o++] = 10
  }
  return out.subarray(0, o)
}

/**
 * Incremental strict armor reader: `push` ASCII, get binary; `finish` checks the END line was
 * seen and only whitespace followed. Holds back one line (the last line is the only one allowed
 * to be short or padded, and it is only known to be last when END follows it).
 */
export class ArmorDecoder {
  private state: 'begin' | 'body' | 'end' = 'begin'
  private line = 1
  /** The current, incomplete line (bounded: a longer line is an error as soon as it shows). */
  private partial: Uint8Array = new Uint8Array(0)
  /** The previous body line, not yet known to be the last one (copied: inputs may be reused). */
  private readonly held = new Uint8Array(COLUMNS)
  private heldLength = -1
  private out = new Uint8Array(0)
  private outLength = 0

  /** Decode the next piece of armored text; returns the bytes it completed (possibly empty). */
  push(text: Uint8Array): Uint8Array {
    // Decoded bytes never exceed 3/4 of the text, plus the held line.
    this.out = new Uint8Array(Math.ceil(((text.length + this.partial.length) * 3) / 4) + LINE_BYTES)
    this.outLength = 0
    let at = 0
    while (at < text.length) {
      if (this.state === 'end') {
        for (; at < text.length; at++) if (!isSpace(text[at]!)) throw armorError('data after the END line', this.line)
        break
      }
      if (this.state === 'begin' && this.partial.length === 0) {
        // Whitespace before the BEGIN line (it may span lines).
        while (at < text.length && isSpace(text[at]!)) if (text[at++] === 10) this.line++
        if (at === text.length) break
      }
      const lf = text.indexOf(10, at)
      const end = lf < 0 ? text.length : lf
      // A line is at most a marker or 64 columns, plus CR: refuse longer ones as they arrive.
      if (this.partial.length + (end - at) > MAX_LINE) throw armorError(`a line longer than ${COLUMNS} columns`, this.line)
      const piece = text.subarray(at, end)
      if (lf < 0) {
        this.partial = concatBytes([this.partial, piece])
        break
      }
      const l = this.partial.length ? concatBytes([this.partial, piece]) : piece
      this.partial = new Uint8Array(0)
      at = lf + 1
      this.onLine(stripCr(l))
      this.line++
    }
    return this.out.subarray(0, this.outLength)
  }

  /** End of input: the END line must have been seen (it may lack its final newline). */
  finish(): Uint8Array {
    this.out = new Uint8Array(LINE_BYTES)
    this.outLength = 0
    if (this.partial.length > 0 && this.state !== 'end') this.onLine(stripCr(this.partial))
    this.partial = new Uint8Array(0)
    if (this.state !== 'end') throw armorError(this.state === 'begin' ? 'no "-----BEGIN AGE ENCRYPTED FILE-----" line' : 'no END line (truncated)', this.line)
    return this.out.subarray(0, this.outLength)
  }

  private onLine(l: Uint8Array): void {
    if (this.state === 'begin') {
      if (!equalTo(l, BEGIN_BYTES)) throw armorError('expected "-----BEGIN AGE ENCRYPTED FILE-----" alone on its line', this.line)
      this.state = 'body'
      return
    }
    if (startsWithBytes(l, END_BYTES)) {
      for (let i = END_BYTES.length; i < l.length; i++) if (!isSpace(l[i]!)) throw armorError('data after the END marker', this.line)
      this.state = 'end'
      if (this.heldLength < 0) return
      // The last line: whole 4-column groups, canonical, '=' padding only here.
      const n = base64DecodeInto(this.held, 0, this.heldLength, this.out, this.outLength)
      if (n < 0) throw armorError('the last line is not canonical padded base64', this.line - 1)
      this.outLength = n
      this.heldLength = -1
      return
    }
    if (l.length === 0) throw armorError('blank line inside the armor', this.line)
    if (this.heldLength >= 0) {
      // Not the last line after all, so it must be a full 64-column line without padding.
      if (this.heldLength !== COLUMNS) throw armorError(`a line other than the last is ${this.heldLength} columns, not ${COLUMNS}`, this.line - 1)
      const n = base64DecodeInto(this.held, 0, COLUMNS, this.out, this.outLength, { padding: 'forbidden' })
      if (n < 0) throw armorError('invalid base64 (or padding before the last line)', this.line - 1)
      this.outLength = n
    }
    if (l.length > COLUMNS) throw armorError(`a line longer than ${COLUMNS} columns`, this.line)
    this.held.set(l)
    this.heldLength = l.length
  }
}

function stripCr(l: Uint8Array): Uint8Array {
  return l.length > 0 && l[l.length - 1] === 0x0d ? l.subarray(0, l.length - 1) : l
}

const equalTo = (l: Uint8Array, b: Uint8Array) => l.length === b.length && startsWithBytes(l, b)

/**
 * Armor a binary age file exactly as `age -a` does.
 *
 * @example
 * ```ts
 * armor(binaryAgeFile) // "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl...\n-----END AGE ENCRYPTED FILE-----\n" as bytes
 * ```
 */
export function armor(bytes: Uint8Array): Uint8Array {
  const e = new ArmorEncoder()
  return joined([e.push(bytes), e.finish()])
}

/** Strictly decode an armored age file to its binary form; `E_FORMAT` on any deviation. */
export function dearmor(text: Uint8Array): Uint8Array {
  const d = new ArmorDecoder()
  const body = d.push(text)
  const tail = d.finish()
  return tail.length ? concatBytes([body, tail]) : body
}
