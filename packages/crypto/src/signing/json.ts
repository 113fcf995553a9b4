import { decodeUtf8 } from '../encoding/utf8.js'
import { CryptoError } from '../errors.js'

/** JSON values as the signing code reads and writes them. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/** Nesting deeper than this is refused both ways: bodies are small, flat documents. */
export const MAX_JSON_DEPTH = 64

/**
 * Canonical JSON (RFC 8785 for the values this library writes): object keys sorted by UTF-16
 * code units, no whitespace, numbers and strings as `JSON.stringify` writes them. The same
 * value always gives the same bytes, so a body can be rebuilt and compared.
 * Refuses what JSON cannot represent faithfully: non-finite numbers, `undefined` in arrays,
 * functions, symbols, bigints, class instances, cycles and deep nesting. `undefined` object
 * members are left out, as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown, field = 'value'): string {
  const seen = new Set<object>()
  const walk = (v: unknown, path: string, depth: number): string => {
    if (v === null) return 'null'
    switch (typeof v) {
      case 'boolean':
        return v ? 'true' : 'false'
      case 'string':
        return JSON.stringify(v)
      case 'number':
        if (!Number.isFinite(v)) throw bad(path, `${v} is not a JSON number`)
        return JSON.stringify(v)
      case 'object':
        break
      default:
        throw bad(path, `a ${typeof v} is not JSON`)
    }
    const o = v as object
    if (depth >= MAX_JSON_DEPTH) throw bad(path, `nested deeper than ${MAX_JSON_DEPTH}`)
    if (seen.has(o)) throw bad(path, 'a cycle')
    seen.add(o)
    let out: string
    if (Array.isArray(o)) {
      out = `[${o.map((x, i) => (x === undefined ? fail(`${path}[${i}]`) : walk(x, `${path}[${i}]`, depth + 1))).join(',')}]`
    } else {
      const proto = Object.getPrototypeOf(o)
      if (proto !== Object.prototype && proto !== null) throw bad(path, `a ${proto?.constructor?.name ?? 'non-plain'} object is not JSON`)
      const keys = Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined).sort()
      out = `{${keys.map((k) => `${JSON.stringify(k)}:${walk((o as Record<string, unknown>)[k], `${path}.${k}`, depth + 1)}`).join(',')}}`
    }
    seen.delete(o)
    return out
  }
  const fail = (path: string): never => {
    throw bad(path, 'undefined is not JSON')
  }
  const bad = (path: string, why: string) => new CryptoError('E_ARGUMENT', `${path} cannot be signed as JSON: ${why}`, { details: { field: path } })
  return walk(value, field, 0)
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d])
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const LITERALS: [string, JsonValue][] = [
  ['true', true],
  ['false', false],
  ['null', null],
]

/**
 * Parse untrusted JSON strictly: valid UTF-8 (no byte-order mark), RFC 8259 grammar, at most
 * `maxDepth` levels, and no duplicate object keys. `JSON.parse` keeps the last of two equal
 * keys while other parsers keep the first, so a signed document with duplicates could mean
 * different things to different verifiers; refusing them removes that ambiguity.
 * Throws `CryptoError('E_FORMAT')` with `details.field` = `field` and `details.offset`.
 */
export function parseJsonStrict(input: Uint8Array | string, field: string, maxDepth = MAX_JSON_DEPTH): JsonValue {
  const text = typeof input === 'string' ? input : decodeUtf8(input)
  if (text === undefined) throw new CryptoError('E_FORMAT', `${field} is not valid UTF-8`, { details: { field } })
  let i = 0
  const fail = (why: string): never => {
    throw new CryptoError('E_FORMAT', `${field} is not valid JSON: ${why} at offset ${i}`, { details: { field, offset: i } })
  }
  const skip = () => {
    while (i < text.length && WS.has(text.charCodeAt(i))) i++
  }
  const string = (): string => {
    const start = i
    i++ // opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string')
      const c = text.charCodeAt(i)
      if (c === 0x22) break
      if (c < 0x20) fail('control character in string')
      i += c === 0x5c ? 2 : 1
    }
    i++
    try {
      // The token is delimited; JSON.parse does the unescaping (and rejects bad escapes).
      return JSON.parse(text.slice(start, i)) as string
    } catch {
      i = start
      return fail('bad escape in string')
    }
  }
  // The members of an array or object after its opening bracket: `member` reads one, then a
  // comma continues and `close` ends the list (an empty list is just `close`).
  const members = (close: string, member: () => void): void => {
    skip()
    if (text[i] === close) {
      i++
      return
    }
    for (;;) {
      member()
      skip()
      if (text[i] === ',') i++
      else if (text[i] === close) {
        i++
        return
      } else fail(`expected , or ${close}`)
    }
  }
  const value = (depth: number): JsonValue => {
    skip()
    const c = text[i]
    if (c === '{' || c === '[') {
      if (depth >= maxDepth) fail(`nested deeper than ${maxDepth}`)
      i++
      if (c === '[') {
        const arr: JsonValue[] = []
        members(']', () => arr.push(value(depth + 1)))
        return arr
      }
      const obj: Record<string, JsonValue> = Object.create(null)
      members('}', () => {
        skip()
        if (text[i] !== '"') fail('expected a string key')
        const at = i
        const key = string()
        if (Object.prototype.hasOwnProperty.call(obj, key)) {
          i = at
          fail(`duplicate key ${JSON.stringify(key)}`)
        }
        skip()
        if (text[i] !== ':') fail('expected :')
        i++
        obj[key] = value(depth + 1)
      })
      return obj
    }
    if (c === '"') return string()
    for (const [word, v] of LITERALS) {
      if (text.startsWith(word, i)) {
        i += word.length
        return v
      }
    }
    NUMBER.lastIndex = i
    const m = NUMBER.exec(text)
    if (!m) return fail('unexpected character')
    i += m[0].length
    return Number(m[0])
  }
  const result = value(0)
  skip()
  if (i !== text.length) fail('trailing characters')
  return result
}

/** A plain JSON object (not an array, not null), or undefined. */
export function asObject(v: JsonValue | undefined): Record<string, JsonValue> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined
}
