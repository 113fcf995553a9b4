/**
 * AWS Signature Version 4 for S3, header authentication ("Authorization: AWS4-HMAC-SHA256 ...").
 * Written from AWS's "Signature Calculations for the Authorization Header: Transferring Payload
 * in a Single Chunk" (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html);
 * test/sigv4.test.ts checks it against that page's four worked examples.
 *
 * No dependency but `@torshpkg/crypto` (SHA-256 and HMAC-SHA-256: node:crypto in Node,
 * WebCrypto in browsers), so it runs in both builds.
 */
import { createHasher, primitives, toHex } from '@torshpkg/crypto'

/** The `x-amz-content-sha256` of a body that is not hashed (streamed, or not worth hashing). */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'
/** SHA-256 of no bytes: the payload hash of GET, HEAD, DELETE. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

export interface SigV4Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  /** Temporary credentials (STS): sent and signed as `x-amz-security-token`. */
  readonly sessionToken?: string
}

export interface SigV4Request {
  readonly method: string
  /** `host[:port]` exactly as the Host header will carry it (URL.host). */
  readonly host: string
  /** The path, NOT encoded ("/bucket/my key.bin"): each segment is URI-encoded here, '/' kept. */
  readonly path: string
  /** Query parameters, not encoded; a parameter without a value ("?uploads") has value ''. */
  readonly query?: ReadonlyArray<readonly [string, string]>
  /** Headers to send and sign (besides host, x-amz-date, x-amz-content-sha256 and the token). */
  readonly headers?: Readonly<Record<string, string>>
  /** Hex SHA-256 of the body, or {@link UNSIGNED_PAYLOAD}. */
  readonly payloadHash: string
  readonly region: string
  /** Default 's3'. */
  readonly service?: string
  /** Signing time (default: now). */
  readonly date?: Date
}

export interface SignedRequest {
  /** The encoded path and query to put in the URL ("/bucket/my%20key.bin?uploads="). */
  readonly pathAndQuery: string
  /** Every header to send, `authorization` included (names lowercase; no `host`: fetch sets it). */
  readonly headers: Record<string, string>
  /** The intermediate strings, for tests and for debugging a SignatureDoesNotMatch. */
  readonly canonicalRequest: string
  readonly stringToSign: string
  readonly signature: string
}

const encoder = new TextEncoder()
const HEX = '0123456789ABCDEF'

/**
 * AWS's UriEncode: every byte of the UTF-8 form except the unreserved `A-Z a-z 0-9 - . _ ~`
 * is `%XX` (uppercase hex); '/' too unless `keepSlash`. (encodeURIComponent leaves `!'()*`
 * alone, which AWS does not: one such key and the signature no longer matches.)
 */
export function uriEncode(s: string, keepSlash = false): string {
  let out = ''
  for (const b of encoder.encode(s)) {
    const unreserved = (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e
    if (unreserved || (keepSlash && b === 0x2f)) out += String.fromCharCode(b)
    else out += `%${HEX[b >> 4]}${HEX[b & 15]}`
  }
  return out
}

/** The canonical query: each name and value encoded, sorted by name then value, `a=1&b=`. */
export function canonicalQuery(query: ReadonlyArray<readonly [string, string]>): string {
  const pairs = query.map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
  // Sorted by code point of the encoded strings (all ASCII here, so plain < is right).
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
  return pairs.map(([k, v]) => `${k}=${v}`).join('&')
}

/** `YYYYMMDDTHHMMSSZ`. */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]|\.\d{3}/g, '')
}

/** Hex SHA-256 of `bytes` (a payload hash). */
export function sha256Hex(bytes: Uint8Array | string): string {
  return toHex(createHasher('sha256').update(typeof bytes === 'string' ? encoder.encode(bytes) : bytes).digest())
}

/**
 * Signs requests with one set of credentials. The signing key depends only on the day,
 * region and service, so it is derived once per day (four HMACs saved per request).
 *
 * @example
 * ```ts
 * const signer = new SigV4Signer({ accessKeyId, secretAccessKey })
 * const s = await signer.sign({ method: 'GET', host: url.host, path: '/bucket/key', payloadHash: EMPTY_SHA256, region: 'us-east-1' })
 * await fetch(`${url.origin}${s.pathAndQuery}`, { headers: s.headers })
 * ```
 */
export class SigV4Signer {
  readonly #credentials: SigV4Credentials
  #key: { scope: string; key: Promise<Uint8Array> } | undefined

  constructor(credentials: SigV4Credentials) {
    this.#credentials = credentials
  }

  async sign(request: SigV4Request): Promise<SignedRequest> {
    const { accessKeyId, secretAccessKey, sessionToken } = this.#credentials
    const service = request.service ?? 's3'
    const when = amzDate(request.date ?? new Date())
    const day = when.slice(0, 8)

    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      // Trim, and fold runs of spaces into one, as the canonical form wants.
      headers[name.toLowerCase()] = String(value).trim().replace(/ {2,}/g, ' ')
    }
    headers['x-amz-date'] = when
    headers['x-amz-content-sha256'] = request.payloadHash
    if (sessionToken !== undefined) headers['x-amz-security-token'] = sessionToken
    const canonicalHeaders: Record<string, string> = { ...headers, host: request.host }
    const names = Object.keys(canonicalHeaders).sort()
    const signedHeaders = names.join(';')

    // S3 encodes the path once (other services twice), segment by segment.
    const path = uriEncode(request.path.startsWith('/') ? request.path : `/${request.path}`, true)
    const query = canonicalQuery(request.query ?? [])
    const canonicalRequest = [
      request.method,
      path,
      query,
      names.map((n) => `${n}:${canonicalHeaders[n]}\n`).join(''),
      signedHeaders,
      request.payloadHash,
    ].join('\n')
    const scope = `${day}/${request.region}/${service}/aws4_request`
    const stringToSign = ['AWS4-HMAC-SHA256', when, scope, sha256Hex(canonicalRequest)].join('\n')

    if (this.#key?.scope !== scope) {
      const derive = async () => {
        let k = await hmac(encoder.encode(`AWS4${secretAccessKey}`), day)
        for (const part of [request.region, service, 'aws4_request']) k = await hmac(k, part)
        return k
      }
      this.#key = { scope, key: derive() }
    }
    const signature = toHex(await hmac(await this.#key.key, stringToSign))
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`
    return { pathAndQuery: query === '' ? path : `${path}?${query}`, headers, canonicalRequest, stringToSign, signature }
  }
}

const hmac = (key: Uint8Array, data: string) => primitives.hmac(key, encoder.encode(data))
