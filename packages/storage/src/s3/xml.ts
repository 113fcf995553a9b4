/**
 * The little XML that S3 answers with, read into a small tree: ListObjectsV2 results,
 * InitiateMultipartUpload, CompleteMultipartUpload and Error documents.
 *
 * Tolerant where S3 servers differ (namespaces and prefixes, attributes, comments, processing
 * instructions, CDATA, whitespace, elements this code does not know) and bounded where a
 * hostile or broken server could hurt: the input length, the nesting depth and the number of
 * elements are capped, a DOCTYPE is refused (no user-defined entities, so no entity
 * expansion), and the text kept is never longer than the input. Malformed XML is
 * `StorageError('E_PROTOCOL')`.
 */
import { StorageError } from '../errors.js'

export interface XmlElement {
  /** Local name (any `prefix:` removed). */
  readonly name: string
  readonly children: XmlElement[]
  /** The element's own text (entities decoded), its children's not included. */
  text: string
}

export interface XmlLimits {
  /** Longest document, in UTF-16 code units (default 32 Mi). */
  readonly maxLength?: number
  /** Deepest nesting (default 32; S3's documents are 3 deep). */
  readonly maxDepth?: number
  /** Most elements (default 100 000: a 1000-key listing has ~8000). */
  readonly maxElements?: number
}

const protocol = (why: string) => new StorageError('E_PROTOCOL', `S3 answered malformed XML: ${why}`)

const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/**
 * Decodes `&amp; &lt; &gt; &quot; &apos;` and character references (`&#NN;`, `&#xNN;`). An
 * unknown entity is kept as written; a reference to no character (a surrogate, past U+10FFFF)
 * becomes U+FFFD.
 */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s
  return s.replace(/&(#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,10}|[A-Za-z]{2,4});/g, (whole, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref] ?? whole
    const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10)
    if (!(cp >= 0 && cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) return '\uFFFD'
    return String.fromCodePoint(cp)
  })
}

/** Parses `xml` into its root element; `E_PROTOCOL` when it is not well-formed enough to read. */
export function parseXml(xml: string, limits: XmlLimits = {}): XmlElement {
  const maxLength = limits.maxLength ?? 32 * 1024 * 1024
  const maxDepth = limits.maxDepth ?? 32
  const maxElements = limits.maxElements ?? 100_000
  if (typeof xml !== 'string') throw protocol('not text')
  if (xml.length > maxLength) throw protocol(`longer than ${maxLength} characters`)

  const stack: XmlElement[] = []
  let root: XmlElement | undefined
  let elements = 0
  let i = 0
  const n = xml.length
  const addText = (t: string) => {
    const top = stack[stack.length - 1]
    if (top !== undefined) top.text += t
    else if (t.trim() !== '') throw protocol('text outside the root element')
  }

  while (i < n) {
    const lt = xml.indexOf('<', i)
    if (lt < 0) {
      addText(decodeEntities(xml.slice(i)))
      break
    }
    if (lt > i) addText(decodeEntities(xml.slice(i, lt)))
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4)
      if (end < 0) throw protocol('unterminated comment')
      i = end + 3
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9)
      if (end < 0) throw protocol('unterminated CDATA section')
      addText(xml.slice(lt + 9, end))
      i = end + 3
    } else if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2)
      if (end < 0) throw protocol('unterminated processing instruction')
      i = end + 2
    } else if (xml.startsWith('<!', lt)) {
      // DOCTYPE (and its entity declarations): S3 never sends one, and it is how XML bombs work.
      throw protocol('a DOCTYPE or declaration is not accepted')
    } else {
      const end = tagEnd(xml, lt + 1)
      if (end < 0) throw protocol('unterminated tag')
      const closing = xml[lt + 1] === '/'
      const selfClosing = !closing && xml[end - 1] === '/'
      const inner = xml.slice(lt + (closing ? 2 : 1), selfClosing ? end - 1 : end)
      const m = /^\s*([^\s/>=]+)/.exec(inner)
      if (m === null) throw protocol('a tag without a name')
      const name = localName(m[1]!)
      if (closing) {
        const top = stack.pop()
        if (top === undefined || top.name !== name) throw protocol(`</${name}> does not close <${top?.name ?? '(nothing)'}>`)
      } else {
        if (++elements > maxElements) throw protocol(`more than ${maxElements} elements`)
        const el: XmlElement = { name, children: [], text: '' }
        const parent = stack[stack.length - 1]
        if (parent !== undefined) parent.children.push(el)
        else if (root === undefined) root = el
        else throw protocol('more than one root element')
        if (!selfClosing) {
          if (stack.length >= maxDepth) throw protocol(`nested deeper than ${maxDepth}`)
          stack.push(el)
        }
      }
      i = end + 1
    }
  }
  if (root === undefined) throw protocol('no element')
  if (stack.length > 0) throw protocol(`<${stack[stack.length - 1]!.name}> is not closed`)
  return root
}

/** Index of the `>` ending the tag whose name starts at `from` (quoted attribute values skipped). */
function tagEnd(xml: string, from: number): number {
  let quote = ''
  for (let j = from; j < xml.length; j++) {
    const c = xml[j]!
    if (quote !== '') {
      if (c === quote) quote = ''
    } else if (c === '"' || c === "'") quote = c
    else if (c === '>') return j
    else if (c === '<') return -1
  }
  return -1
}

const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1)

/** The first child named `name`. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name)
}

/** The text of the first child named `name` (`undefined` when there is none). */
export function childText(el: XmlElement, name: string): string | undefined {
  return child(el, name)?.text
}

// --- The S3 documents --------------------------------------------------------------------

/** One `<Contents>` of a ListObjectsV2 result. */
export interface ListedObject {
  readonly key: string
  readonly size: number
  readonly etag: string
  /** Milliseconds since the epoch, when the server gave a readable LastModified. */
  readonly modified?: number
}

export interface ListObjectsV2Result {
  readonly items: ListedObject[]
  readonly isTruncated: boolean
  readonly nextContinuationToken?: string
}

/** A ListObjectsV2 answer (`<ListBucketResult>`). */
export function parseListObjectsV2(xml: string): ListObjectsV2Result {
  const root = parseXml(xml)
  if (root.name !== 'ListBucketResult') throw protocol(`expected <ListBucketResult>, got <${root.name}>`)
  const items: ListedObject[] = []
  for (const c of root.children) {
    if (c.name !== 'Contents') continue
    const key = childText(c, 'Key')
    const sizeText = childText(c, 'Size')?.trim()
    if (key === undefined || key === '') throw protocol('a <Contents> without a <Key>')
    const size = sizeText !== undefined && /^\d{1,16}$/.test(sizeText) ? Number(sizeText) : NaN
    if (!Number.isSafeInteger(size)) throw protocol(`<Size> of ${JSON.stringify(key)} is ${JSON.stringify(sizeText)}`)
    const etag = childText(c, 'ETag')?.trim() ?? ''
    const modified = Date.parse(childText(c, 'LastModified') ?? '')
    items.push({ key, size, etag, ...(Number.isNaN(modified) ? {} : { modified }) })
  }
  const truncated = childText(root, 'IsTruncated')?.trim()
  const token = childText(root, 'NextContinuationToken')
  return { items, isTruncated: truncated === 'true', ...(token ? { nextContinuationToken: token } : {}) }
}

/** The UploadId of an `<InitiateMultipartUploadResult>`. */
export function parseInitiateMultipartUpload(xml: string): string {
  const root = parseXml(xml)
  if (root.name !== 'InitiateMultipartUploadResult') throw protocol(`expected <InitiateMultipartUploadResult>, got <${root.name}>`)
  const id = childText(root, 'UploadId')?.trim()
  if (!id) throw protocol('no <UploadId>')
  return id
}

/**
 * A `<CompleteMultipartUploadResult>`: its ETag ('' when the server leaves it empty, as
 * radosgw 16 does), or the `<Error>` that S3 may send with a 200 status.
 */
export function parseCompleteMultipartUpload(xml: string): { etag: string } | { error: S3ErrorDocument } {
  const root = parseXml(xml)
  if (root.name === 'Error') return { error: errorOf(root) }
  if (root.name !== 'CompleteMultipartUploadResult') throw protocol(`expected <CompleteMultipartUploadResult>, got <${root.name}>`)
  return { etag: childText(root, 'ETag')?.trim() ?? '' }
}

export interface S3ErrorDocument {
  readonly code: string
  readonly message: string
}

/** The Code and Message of an `<Error>` document; `undefined` when the text is not one. */
export function parseError(xml: string): S3ErrorDocument | undefined {
  if (xml.trim() === '') return undefined
  try {
    const root = parseXml(xml, { maxElements: 1000 })
    return root.name === 'Error' ? errorOf(root) : undefined
  } catch {
    return undefined // an error page that is not XML (a proxy's HTML): the status must do
  }
}

const errorOf = (root: XmlElement): S3ErrorDocument => ({ code: childText(root, 'Code')?.trim() ?? '', message: childText(root, 'Message')?.trim() ?? '' })
