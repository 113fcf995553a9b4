import { base64Decode } from '@torshpkg/crypto'
import validRange from 'semver/ranges/valid.js'
import { z } from 'zod'
import { CHUNK_ENCRYPTION_ALGORITHMS, type ChunkEncryptionAlgorithm } from './encryption/chunk-cipher.js'
import { PackageError } from './errors.js'
import { jsonShapeProblem, MAX_JSON_DEPTH } from './json-shape.js'

// The official SemVer 2.0.0 regular expression (semver.org), anchored.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/
// npm-style names: lowercase, optionally scoped.
const NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/
const DIGEST = /^sha256:[0-9a-f]{64}$/
const CONTROL = /[\u0000-\u001f\u007f]/

const required = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${what}, got ${describe(issue.input)}`

/** Object errors: unknown keys are named (with a suggestion), anything else is a type error. */
const objectError =
  (what: string, known: () => readonly string[]) =>
  (issue: { code?: string; input: unknown; keys?: string[] }) => {
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      return issue.keys
        .map((k) => {
          const near = suggest(k, known())
          return `unknown field ${JSON.stringify(k)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}`
        })
        .join('; ')
    }
    return required(what)(issue)
  }

const text = (max: number) =>
  z
    .string({ error: required('a string') })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'must not contain control characters')

const packageName = z
  .string({ error: required('a string') })
  .min(1, 'must not be empty')
  .max(214, 'must be at most 214 characters')
  .regex(NAME, 'must be lowercase letters, digits, ".", "_" or "-", optionally scoped as "@scope/name"')

const version = z
  .string({ error: required('a string') })
  .max(256, 'must be at most 256 characters')
  .regex(SEMVER, 'must be a semantic version such as "1.2.3" or "2.0.0-rc.1"')

// Parsed by node-semver itself, so a range accepted here is one @torshpkg/resolve can use.
const range = z
  .string({ error: required('a string') })
  .max(256, 'must be at most 256 characters')
  .refine((r) => r.trim() !== '' && validRange(r) !== null, 'must be a semver range such as "^1.2.0", ">=1 <3" or "1.x || 2.x"')

const digest = z.string({ error: required('a string') }).regex(DIGEST, 'must be "sha256:" followed by 64 lowercase hex digits')

/** A reference to another package: by version, by digest, or both. */
const packageRefObject = z
  .strictObject(
    { name: packageName, version: version.optional(), digest: digest.optional() },
    { error: objectError('a package reference like "name@1.2.3", "name@sha256:<hex>" or { name, version?, digest? }', () => ['name', 'version', 'digest']) },
  )
  .refine((r) => r.version !== undefined || r.digest !== undefined, 'needs a version or a digest')

// "name@1.2.3" / "@scope/name@sha256:..." become the object form before validation.
const packageRef = z.preprocess((input) => {
  if (typeof input !== 'string') return input
  const at = input.lastIndexOf('@')
  if (at <= 0) return { name: input }
  const rest = input.slice(at + 1)
  return rest.startsWith('sha256:') ? { name: input.slice(0, at), digest: rest } : { name: input.slice(0, at), version: rest }
}, packageRefObject)

const person = z.union(
  [
    text(256),
    z.strictObject(
      { name: text(256), email: text(256).optional(), url: text(2048).optional() },
      { error: objectError('an object', () => ['name', 'email', 'url']) },
    ),
  ],
  { error: 'must be a name string or { name, email?, url? }' },
)

// Relation names are camelCase words: derivedFrom, quantizedFrom, finetunedFrom, mergedFrom, ...
const relation = z.string().regex(/^[a-z][A-Za-z0-9]{0,63}$/, 'must be a camelCase relation name such as "derivedFrom"')

const shape = {
  name: packageName,
  version,
  description: z.string({ error: required('a string') }).max(4096, 'must be at most 4096 characters').optional(),
  authors: z.array(person, { error: required('an array') }).max(1000, 'must have at most 1000 entries').optional(),
  license: text(256).optional(),
  tags: z.array(text(64), { error: required('an array') }).max(1000, 'must have at most 1000 tags').optional(),
  created: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date-time such as "2026-01-31T12:00:00Z"' })
    .optional(),
  dependencies: z
    .record(
      z.string().regex(NAME, 'must be a package name (lowercase, optionally @scope/name)'),
      range,
      { error: required('an object of { name: range }') },
    )
    .optional(),
  lineage: z
    .record(relation, z.union([packageRef, z.array(packageRef).min(1, 'must not be empty')]), {
      error: required('an object of { relation: reference }'),
    })
    .optional(),
  metadata: z.record(z.string(), z.json(), { error: required('an object of JSON values') }).optional(),
}

// An age file holding a 32-byte key for a few hundred recipients is a few KiB; this bounds a hostile one.
const MAX_WRAPPED_KEY_CHARS = 1 << 20

/** A non-empty canonical padded base64 string (what the writer stores; one spelling per key). */
function isWrappedKey(text: string): boolean {
  try {
    return base64Decode(text).length > 0
  } catch {
    return false
  }
}

/**
 * Format 1.1: the package's content key, wrapped for its readers (docs/format.md,
 * "Encryption"). Written by the writer from `createPackage(..., { encryption })`, never by
 * callers, so it is in the stored schema only.
 */
const encryptionField = z.strictObject(
  {
    algorithm: z.enum(CHUNK_ENCRYPTION_ALGORITHMS as [ChunkEncryptionAlgorithm, ...ChunkEncryptionAlgorithm[]], {
      error: `must be one of ${CHUNK_ENCRYPTION_ALGORITHMS.join(', ')}`,
    }),
    wrappedKey: z
      .string({ error: required('a string') })
      .max(MAX_WRAPPED_KEY_CHARS, `must be at most ${MAX_WRAPPED_KEY_CHARS} characters`)
      .refine(isWrappedKey, 'must be an age file in canonical padded base64'),
  },
  { error: objectError('an object { algorithm, wrappedKey }', () => ['algorithm', 'wrappedKey']) },
)

/** The manifest's `encryption` field: the AEAD cipher of the package's encrypted chunks and its wrapped key. */
export type ManifestEncryption = z.output<typeof encryptionField>

/** Writers accept exactly the known fields, so typos fail loudly. */
export const manifestSchema = z.strictObject(shape, { error: objectError('an object', () => Object.keys(shape)) })
/** Readers keep unknown top-level fields, so newer writers' manifests still open. */
export const storedManifestSchema = z.looseObject({ ...shape, encryption: encryptionField.optional() }, { error: required('an object') })

/** A manifest as the writer accepts it (references may be strings). */
export type ManifestInput = z.input<typeof manifestSchema>
/**
 * A validated manifest (references normalised to `{ name, version?, digest? }`). A package
 * with encrypted resources also has `encryption`, which the writer adds.
 */
export type Manifest = z.output<typeof manifestSchema> & { encryption?: ManifestEncryption } & Record<string, unknown>
/** A reference to another package in `lineage`. */
export type PackageRef = z.output<typeof packageRefObject>

/** One problem with a manifest: which field, and why. */
export interface ManifestIssue {
  /** Path to the field, e.g. `['dependencies', 'tokenizer']`. */
  path: (string | number)[]
  /** The same path for humans, e.g. `dependencies["tokenizer"]`. */
  field: string
  message: string
}

/**
 * Validate a manifest for writing. Throws `E_MANIFEST` listing every bad field.
 *
 * @example
 * ```ts
 * validateManifest({ name: 'tiny', version: '1.0' })
 * // PackageError E_MANIFEST: invalid manifest: version: must be a semantic version such as "1.2.3" ...
 * ```
 */
export function validateManifest(input: unknown): Manifest {
  return check(manifestSchema, input, 'invalid manifest')
}

/** Validate a manifest read from a file (unknown fields allowed). */
export function validateStoredManifest(input: unknown): Manifest {
  return check(storedManifestSchema, input, 'the package manifest is invalid')
}

function check(schema: z.ZodType, input: unknown, what: string): Manifest {
  // Checked first and without recursion: the schema's JSON validation recurses.
  const shape = jsonShapeProblem(input, MAX_JSON_DEPTH)
  if (shape) {
    const issues: ManifestIssue[] = [{ path: [], field: '', message: shape }]
    throw new PackageError('E_MANIFEST', `${what}: ${shape}`, { issues })
  }
  const result = schema.safeParse(input)
  if (result.success) return result.data as Manifest
  const issues: ManifestIssue[] = result.error.issues.map((i) => {
    const path = i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))
    return { path, field: fieldName(path), message: i.message }
  })
  const list = issues.map((i) => `${i.field || '(manifest)'}: ${i.message}`).join('; ')
  return fail(new PackageError('E_MANIFEST', `${what}: ${list}`, { issues }))
}

function fail(e: PackageError): never {
  throw e
}

/** `['dependencies', 'tok', 0]` -> `dependencies["tok"][0]`; identifier-like keys use dots. */
export function fieldName(path: readonly (string | number)[]): string {
  let out = ''
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`
    else if (/^[A-Za-z_$][\w$]*$/.test(p)) out += out ? `.${p}` : p
    else out += `[${JSON.stringify(p)}]`
  }
  return out
}

/** The known key closest to `key` by edit distance, if it is a plausible typo. */
function suggest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase())
    if (d < bestDistance) [best, bestDistance] = [k, d]
  }
  return best
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = row
  }
  return prev[b.length]!
}

function describe(x: unknown): string {
  if (x === null) return 'null'
  if (Array.isArray(x)) return 'an array'
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? x.slice(0, 40) + '…' : x)
  if (typeof x === 'object') return 'an object'
  return `${typeof x} ${String(x)}`
}

/**
 * Deterministic JSON: object keys sorted by code unit, no whitespace, `undefined` fields
 * dropped. The same manifest always produces the same bytes, so the same package digest.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`
  const keys = Object.keys(value as object).sort()
  const parts: string[] = []
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k]
    if (v !== undefined) parts.push(`${JSON.stringify(k)}:${canonicalJson(v)}`)
  }
  return `{${parts.join(',')}}`
}
