import { PackageError } from './errors.js'
import { MAX_MEDIA_TYPE_BYTES } from './layout/constants.js'

// Defaults by extension for what model packages usually hold; anything else is octet-stream.
const BY_EXTENSION: Readonly<Record<string, string>> = {
  json: 'application/json',
  jsonl: 'application/jsonl',
  txt: 'text/plain',
  md: 'text/markdown',
  py: 'text/x-python',
  js: 'text/javascript',
  mjs: 'text/javascript',
  ts: 'text/typescript',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  toml: 'application/toml',
  csv: 'text/csv',
  onnx: 'application/onnx',
  safetensors: 'application/vnd.safetensors',
  gguf: 'application/vnd.gguf',
  model: 'application/octet-stream',
  bin: 'application/octet-stream',
}

// RFC 6838 type/subtype, then optional parameters in printable ASCII. Both patterns are
// linear (no nested quantifiers): this runs on untrusted index bytes.
const ESSENCE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/
const PARAMETERS = /^[\x20-\x7e]*$/

function wellFormed(s: string): boolean {
  if (s.length > MAX_MEDIA_TYPE_BYTES) return false
  const semi = s.indexOf(';')
  const essence = semi === -1 ? s : s.slice(0, semi).trimEnd()
  return ESSENCE.test(essence) && (semi === -1 || PARAMETERS.test(s.slice(semi)))
}

/**
 * The media type to record for `path` when the caller gives none.
 *
 * @example
 * ```ts
 * defaultMediaType('config.json') // 'application/json'
 * ```
 */
export function defaultMediaType(path: string): string {
  const dot = path.lastIndexOf('.')
  const slash = path.lastIndexOf('/')
  if (dot <= slash + 1) return 'application/octet-stream'
  return BY_EXTENSION[path.slice(dot + 1).toLowerCase()] ?? 'application/octet-stream'
}

/** `mediaType` if it is a well-formed ASCII media type of at most 255 bytes, else `E_ARGUMENT`. */
export function checkMediaType(mediaType: unknown): string {
  if (typeof mediaType !== 'string' || !wellFormed(mediaType)) {
    throw new PackageError('E_ARGUMENT', `mediaType must be an ASCII media type like "application/json", got ${JSON.stringify(mediaType)}`, {
      field: 'mediaType',
    })
  }
  return mediaType
}

/** Whether a stored media type string is well formed (reader side). */
export function isMediaType(s: string): boolean {
  return wellFormed(s)
}
