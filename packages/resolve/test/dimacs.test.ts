import { describe, expect, it } from 'vitest'
import { DimacsError, parseDimacs } from '@torshpkg/resolve'

const clauses = (text: string, strict?: boolean) => parseDimacs(text, strict === undefined ? {} : { strict }).clauses.map((c) => [...c])

function fails(text: string, line: number, message: RegExp, options = {}) {
  let err: unknown
  try { parseDimacs(text, options) } catch (e) { err = e }
  expect(err).toBeInstanceOf(DimacsError)
  const e = err as DimacsError
  expect(e.code).toBe('E_DIMACS')
  expect(e.line).toBe(line)
  expect(e.message).toMatch(message)
  expect(e.message.startsWith(`line ${line}: `)).toBe(true)
}

describe('parseDimacs', () => {
  it('reads comments, the header and clauses', () => {
    const cnf = parseDimacs('c hello\nc\np cnf 3 2\n1 -3 0\n-2 0\n')
    expect(cnf.variables).toBe(3)
    expect(cnf.clauses).toEqual([Int32Array.of(1, -3), Int32Array.of(-2)])
  })

  it('accepts clauses across lines, several per line, blank lines, tabs, CRLF and comments in between', () => {
    expect(clauses('p cnf 4 4\r\n1 2\r\n  3 0 -1\t-4 0\r\n\r\nc mid\r\n4 0 0\r\n')).toEqual([[1, 2, 3], [-1, -4], [4], []])
  })

  it('stops at the SATLIB "%" line (the "0" after it is not an empty clause)', () => {
    expect(clauses('p cnf  2  1 \n 1 -2 0\n%\n0\n\n')).toEqual([[1, -2]])
    expect(clauses('p cnf 2 1\n1 0\n  %  \n garbage x y\n')).toEqual([[1]])
  })

  it('accepts an empty formula and an empty clause', () => {
    expect(parseDimacs('p cnf 0 0\n')).toEqual({ variables: 0, clauses: [] })
    expect(clauses('p cnf 5 1\n0\n')).toEqual([[]])
  })

  it('reports a missing header', () => {
    fails('', 1, /missing header/)
    fails('c only a comment\n', 2, /missing header/)
    fails('c x\n1 2 0\np cnf 2 1\n', 2, /missing header: expected "p cnf <variables> <clauses>" before the first clause/)
  })

  it('reports malformed, unsupported and repeated headers', () => {
    fails('p cnf 3\n', 1, /malformed header "p cnf 3"/)
    fails('p wcnf 3 1\n', 1, /unsupported format "wcnf"/)
    fails('p cnf -3 1\n', 1, /variable count in the header is "-3"/)
    fails('p cnf 3 x\n', 1, /clause count in the header is "x"/)
    fails('p cnf 3 1\np cnf 3 1\n1 0\n', 2, /a second header; the first was on line 1/)
    fails('p cnf 99999999 0\n', 1, /declares 99999999 variables, more than the limit of 16777216/)
    fails('p cnf 10 0\n', 1, /more than the limit of 5/, { maxVariables: 5 })
  })

  it('reports literals out of range, with the line', () => {
    fails('p cnf 3 2\n1 2 0\n-1\n  4 0\n', 4, /literal 4 is out of range: the header on line 1 declares 3 variables/)
    fails('p cnf 1 1\n-2 0\n', 2, /literal -2 is out of range: the header on line 1 declares 1 variable$/)
    fails('p cnf 3 1\n1 99999999999999999999 0\n', 2, /literal 99999999999999999999 is out of range/)
  })

  it('reports tokens that are not integers', () => {
    fails('p cnf 3 1\n1 x 0\n', 2, /"x" is not an integer literal/)
    fails('p cnf 3 1\n1 1.5 0\n', 2, /"1.5" is not an integer literal/)
    fails('p cnf 3 1\n1 --2 0\n', 2, /"--2" is not an integer literal/)
    fails('p cnf 3 1\n1 - 2 0\n', 2, /"-" is not an integer literal/)
    fails('p cnf 3 1\n\n\n1 2 0 c trailing comment\n', 4, /"c" is not an integer literal/)
  })

  it('checks the clause count against the header unless strict: false', () => {
    fails('p cnf 3 3\n1 0\n2 0\n', 4, /found 2 clauses but the header on line 1 declares 3/)
    fails('p cnf 3 1\n1 0\n2\n3 0\n', 3, /more clauses than the 1 declared in the header on line 1/)
    expect(clauses('p cnf 3 3\n1 0\n2 0\n', false)).toEqual([[1], [2]])
    expect(clauses('p cnf 3 1\n1 0\n2 0\n', false)).toEqual([[1], [2]])
  })

  it('requires the last clause to end with 0 unless strict: false', () => {
    fails('p cnf 3 2\n1 0\n2\n3', 3, /the last clause is not terminated by 0/)
    expect(clauses('p cnf 3 2\n1 0\n2\n3', false)).toEqual([[1], [2, 3]])
  })

  it('rejects a non-string', () => {
    expect(() => parseDimacs(42 as unknown as string)).toThrow(TypeError)
  })
})
