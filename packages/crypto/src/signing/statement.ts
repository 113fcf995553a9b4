import { CryptoError } from '../errors.js'
import { asObject, type JsonValue } from './json.js'
import { IN_TOTO_STATEMENT_TYPE } from './records.js'

/** An in-toto Statement v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md). */
export interface InTotoStatement {
  _type: typeof IN_TOTO_STATEMENT_TYPE
  /** What the statement is about; for package attestations, the package by its digest. */
  subject: { name?: string; digest: Record<string, string>; [field: string]: JsonValue | undefined }[]
  /** URI naming the predicate's schema, e.g. `https://slsa.dev/provenance/v1`. */
  predicateType: string
  predicate?: { [field: string]: JsonValue }
}

const MAX_SUBJECTS = 1024
const MAX_URI_LENGTH = 2048

/**
 * Check that a parsed body is an in-toto Statement v1 (the fields this library relies on;
 * other fields are kept). Throws `E_FORMAT` naming the field.
 */
export function checkStatement(value: JsonValue): InTotoStatement {
  const bad = (field: string, why: string) => new CryptoError('E_FORMAT', `in-toto statement ${field}: ${why}`, { details: { field } })
  const s = asObject(value)
  if (!s) throw bad('', 'expected a JSON object')
  if (s._type !== IN_TOTO_STATEMENT_TYPE) throw bad('_type', `expected ${JSON.stringify(IN_TOTO_STATEMENT_TYPE)}`)
  if (typeof s.predicateType !== 'string' || s.predicateType.length === 0 || s.predicateType.length > MAX_URI_LENGTH) throw bad('predicateType', 'expected a URI string')
  if (s.predicate !== undefined && !asObject(s.predicate)) throw bad('predicate', 'expected a JSON object')
  if (!Array.isArray(s.subject) || s.subject.length === 0) throw bad('subject', 'expected a non-empty array')
  if (s.subject.length > MAX_SUBJECTS) throw bad('subject', `more than ${MAX_SUBJECTS} entries`)
  s.subject.forEach((entry, i) => {
    const o = asObject(entry)
    if (!o) throw bad(`subject[${i}]`, 'expected an object')
    if (o.name !== undefined && typeof o.name !== 'string') throw bad(`subject[${i}].name`, 'expected a string')
    const digest = asObject(o.digest)
    if (!digest || Object.keys(digest).length === 0) throw bad(`subject[${i}].digest`, 'expected an object of algorithm: hex')
    for (const [alg, hex] of Object.entries(digest)) if (typeof hex !== 'string') throw bad(`subject[${i}].digest.${alg}`, 'expected a hex string')
  })
  return s as unknown as InTotoStatement
}

/** Whether a statement names the package with this SHA-256 digest (hex) among its subjects. */
export function statementCovers(statement: InTotoStatement, sha256Hex: string): boolean {
  // in-toto: subjects are matched purely by digest; hex is compared case-insensitively.
  return statement.subject.some((s) => typeof s.digest.sha256 === 'string' && s.digest.sha256.toLowerCase() === sha256Hex)
}
