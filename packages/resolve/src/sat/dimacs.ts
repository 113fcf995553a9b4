import { DimacsError } from '../errors.js'
import type { DimacsCnf, DimacsOptions } from './types.js'

const NL = 10, CR = 13, SP = 32, TAB = 9, VT = 11, FF = 12, MINUS = 45, ZERO = 48, NINE = 57

const isBlank = (c: number) => c === SP || c === TAB || c === CR || c === VT || c === FF

/** Largest variable count a literal can address (2v+1 must fit in an int32). */
export const MAX_VARIABLES = 0x3fffffff >> 1

/**
 * Parses DIMACS CNF text: `c` comment lines, one `p cnf <variables> <clauses>` header, then
 * clauses as whitespace-separated non-zero integers each terminated by `0` (a clause may span
 * lines, a line may hold several). A line starting with `%` ends the input (SATLIB's
 * uniform random instances end with `%` and a stray `0`). Memory use is bounded by the text
 * length: the declared clause count is never used to preallocate.
 *
 * @throws {DimacsError} (`code: 'E_DIMACS'`, with the 1-based `line`) on a missing, repeated or
 * malformed header, a token that is not an integer, a literal outside `±1..variables`, and, when
 * `strict` (the default), a clause count other than the header's or an unterminated last clause.
 *
 * @example
 * ```ts
 * const cnf = parseDimacs('c two clauses\np cnf 3 2\n1 -3 0\n2 3\n -1 0\n')
 * cnf.variables // 3
 * cnf.clauses   // [Int32Array [1, -3], Int32Array [2, 3, -1]]
 * ```
 */
export function parseDimacs(text: string, options: DimacsOptions = {}): DimacsCnf {
  if (typeof text !== 'string') throw new TypeError('parseDimacs: text must be a string')
  const strict = options.strict ?? true
  const maxVariables = Math.min(options.maxVariables ?? 1 << 24, MAX_VARIABLES)
  const n = text.length
  const clauses: Int32Array[] = []
  let buf = new Int32Array(16)
  let len = 0
  let clauseLine = 0 // line where the pending clause started
  let variables = -1 // -1: no header yet
  let declared = 0
  let headerLine = 0
  let line = 1
  let i = 0

  const token = (start: number, end: number) => JSON.stringify(text.slice(start, Math.min(end, start + 40)) + (end - start > 40 ? '…' : ''))

  while (i < n) {
    // At the start of a line: skip blanks.
    let c = text.charCodeAt(i)
    while (isBlank(c) && i < n) c = text.charCodeAt(++i)
    if (i >= n) break
    if (c === NL) { line++; i++; continue }
    if (c === 99 /* c */) { // comment line
      while (i < n && text.charCodeAt(i) !== NL) i++
      continue
    }
    if (c === 37 /* % */) break // SATLIB end marker: ignore the rest
    if (c === 112 /* p */) {
      let e = i
      while (e < n && text.charCodeAt(e) !== NL) e++
      if (variables >= 0) throw new DimacsError(line, `a second header; the first was on line ${headerLine}`)
      if (len > 0) throw new DimacsError(line, 'header inside a clause')
      const parts = text.slice(i, e).trim().split(/[ \t\r\v\f]+/)
      if (parts[0] !== 'p') throw new DimacsError(line, `malformed header ${token(i, e)}: expected "p cnf <variables> <clauses>"`)
      if (parts[1] !== 'cnf') throw new DimacsError(line, `unsupported format ${JSON.stringify(parts[1] ?? '')} in the header: only "p cnf" is supported`)
      if (parts.length !== 4) throw new DimacsError(line, `malformed header ${token(i, e)}: expected "p cnf <variables> <clauses>"`)
      const v = parts[2]!, k = parts[3]!
      if (!/^\d+$/.test(v)) throw new DimacsError(line, `the variable count in the header is ${JSON.stringify(v)}, not a non-negative integer`)
      if (!/^\d+$/.test(k)) throw new DimacsError(line, `the clause count in the header is ${JSON.stringify(k)}, not a non-negative integer`)
      variables = Number(v)
      declared = Number(k)
      if (variables > maxVariables) throw new DimacsError(line, `the header declares ${v} variables, more than the limit of ${maxVariables} (option maxVariables)`)
      headerLine = line
      i = e
      continue
    }
    // A line of literals.
    while (i < n) {
      c = text.charCodeAt(i)
      if (c === NL) break
      if (isBlank(c)) { i++; continue }
      const start = i
      let neg = false
      if (c === MINUS) { neg = true; c = text.charCodeAt(++i) }
      let value = 0
      let digits = 0
      while (i < n && c >= ZERO && c <= NINE) {
        if (digits < 12) value = value * 10 + (c - ZERO)
        digits++
        c = text.charCodeAt(++i)
      }
      if (digits === 0 || (i < n && !isBlank(c) && c !== NL)) {
        while (i < n && !isBlank(text.charCodeAt(i)) && text.charCodeAt(i) !== NL) i++
        throw new DimacsError(line, `${token(start, i)} is not an integer literal`)
      }
      if (variables < 0) throw new DimacsError(line, 'missing header: expected "p cnf <variables> <clauses>" before the first clause')
      if (value === 0) {
        if (strict && clauses.length === declared) {
          throw new DimacsError(clauseLine || line, `more clauses than the ${declared} declared in the header on line ${headerLine}`)
        }
        clauses.push(buf.slice(0, len))
        len = 0
        clauseLine = 0
        continue
      }
      if (value > variables) {
        throw new DimacsError(line, `literal ${text.slice(start, i)} is out of range: the header on line ${headerLine} declares ${variables} variable${variables === 1 ? '' : 's'}`)
      }
      if (len === 0) clauseLine = line
      if (len === buf.length) { const b = new Int32Array(len * 2); b.set(buf); buf = b }
      buf[len++] = neg ? -value : value
    }
  }
  if (variables < 0) throw new DimacsError(line, 'missing header: expected "p cnf <variables> <clauses>"')
  if (len > 0) {
    if (strict) throw new DimacsError(clauseLine, 'the last clause is not terminated by 0')
    clauses.push(buf.slice(0, len))
  }
  if (strict && clauses.length !== declared) {
    throw new DimacsError(line, `found ${clauses.length} clause${clauses.length === 1 ? '' : 's'} but the header on line ${headerLine} declares ${declared}`)
  }
  return { variables, clauses }
}
