import { base64Encode } from '@torshpkg/crypto'
import { responseBytes } from '../bytes.js'
import { StorageError, throwIfAborted } from '../errors.js'
import { parseChallenges } from './challenge.js'

/**
 * Credentials for a registry: a user name and password (or token) used for Basic auth and to
 * obtain Bearer tokens, or a ready Bearer token. None: anonymous (pull from public registries).
 */
export type RegistryAuth = { readonly username: string; readonly password: string } | { readonly token: string }

export interface TransportOptions {
  readonly auth?: RegistryAuth
  readonly fetch?: typeof fetch
  /** Extra headers on every request. */
  readonly headers?: Readonly<Record<string, string>>
  /** Send byte bodies over 1 MiB as streams of 1 MiB pieces (Node uploads those faster; browsers need HTTP/2 for it). */
  readonly streamBodies?: boolean
}

export interface RequestInit2 {
  /** Scopes this request needs (`repository:<name>:pull` or `:pull,push`), for Bearer tokens. */
  readonly scope?: string
  readonly headers?: Readonly<Record<string, string>>
  /** A body that can be sent again after a 401 (bytes) or not (a stream: authorize first). */
  readonly body?: Uint8Array | ReadableStream<Uint8Array>
  readonly signal?: AbortSignal
}

const enc = new TextEncoder()
const dec = new TextDecoder()

/**
 * HTTP to one registry, with its auth dance: a request answered 401 is retried once with the
 * credentials the `WWW-Authenticate` challenge asks for. `Basic` sends the user name and
 * password; `Bearer` fetches a token from the challenge's realm for its service and scope
 * (with Basic credentials when there are some), caches it per scope until it expires, and
 * sends it. A body that is a stream cannot be sent twice: callers authorize the scope with a
 * bodiless request first (an upload's POST does it).
 */
export class RegistryTransport {
  private readonly doFetch: typeof fetch
  private readonly tokens = new Map<string, { token: string; expires: number }>()
  /** Set once the registry asked for Basic auth. */
  private basic = false

  constructor(
    readonly base: URL,
    private readonly options: TransportOptions = {},
  ) {
    this.doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init))
  }

  /** Sends `method url` (a path is resolved against the registry's URL), authorizing as asked. */
  async request(method: string, url: string | URL, init: RequestInit2 = {}): Promise<Response> {
    const target = typeof url === 'string' ? new URL(url, this.base) : url
    const replayable = init.body === undefined || init.body instanceof Uint8Array
    let res = await this.send(method, target, init)
    if (res.status !== 401) return res
    const challenge = res.headers.get('www-authenticate')
    await res.body?.cancel().catch(() => {})
    if (!(await this.answer(challenge, init.scope, init.signal))) throw authError(`${method} ${target.pathname}: HTTP 401 and no credentials that answer ${JSON.stringify(challenge)}`)
    if (!replayable) throw authError(`${method} ${target.pathname}: HTTP 401 on a streamed body (authorize the scope first)`)
    res = await this.send(method, target, init)
    if (res.status === 401) {
      await res.body?.cancel().catch(() => {})
      throw authError(`${method} ${target.pathname}: the registry refused the credentials (HTTP 401)`)
    }
    return res
  }

  private async send(method: string, url: URL, init: RequestInit2): Promise<Response> {
    throwIfAborted(init.signal)
    const headers: Record<string, string> = { ...this.options.headers, ...init.headers }
    const authorization = this.authorization(init.scope)
    if (authorization !== undefined) headers.authorization = authorization
    let body = init.body
    if (body instanceof Uint8Array && this.options.streamBodies === true && body.length > STREAM_PIECE) {
      headers['content-length'] = String(body.length)
      body = piecesOf(body)
    }
    try {
      return await this.doFetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: body as BodyInit, duplex: 'half' as const }),
        ...(init.signal === undefined ? {} : { signal: init.signal }),
        redirect: 'follow',
      } as RequestInit)
    } catch (e) {
      if (init.signal?.aborted) throw new StorageError('E_ABORTED', 'aborted', { cause: init.signal.reason })
      throw new StorageError('E_UNAVAILABLE', `${method} ${url.pathname}: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
    }
  }

  private authorization(scope: string | undefined): string | undefined {
    const auth = this.options.auth
    if (auth !== undefined && 'token' in auth) return `Bearer ${auth.token}`
    const cached = this.tokens.get(scope ?? '')
    if (cached !== undefined && cached.expires > Date.now()) return `Bearer ${cached.token}`
    if (this.basic && auth !== undefined) return basicHeader(auth.username, auth.password)
    return undefined
  }

  /** Acts on a 401's challenge; false when there is nothing we can answer it with. */
  private async answer(header: string | null, scope: string | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    const challenges = parseChallenges(header ?? '')
    const auth = this.options.auth
    const bearer = challenges.find((c) => c.scheme === 'bearer')
    if (bearer !== undefined && bearer.params.realm !== undefined) {
      const token = await this.fetchToken(bearer.params.realm, bearer.params.service, scope ?? bearer.params.scope, signal)
      this.tokens.set(scope ?? '', token)
      return true
    }
    if (challenges.some((c) => c.scheme === 'basic') && auth !== undefined && 'username' in auth) {
      this.basic = true
      return true
    }
    return false
  }

  /** A Bearer token from `realm` (the distribution token protocol: GET with service and scope). */
  private async fetchToken(realm: string, service: string | undefined, scope: string | undefined, signal: AbortSignal | undefined): Promise<{ token: string; expires: number }> {
    let url: URL
    try {
      url = new URL(realm)
    } catch (e) {
      throw new StorageError('E_PROTOCOL', `the registry's token realm is not a URL: ${JSON.stringify(realm)}`, { cause: e })
    }
    if (service !== undefined) url.searchParams.set('service', service)
    for (const s of (scope ?? '').split(' ').filter(Boolean)) url.searchParams.append('scope', s)
    const auth = this.options.auth
    const headers: Record<string, string> = {}
    if (auth !== undefined && 'username' in auth) headers.authorization = basicHeader(auth.username, auth.password)
    let res: Response
    try {
      res = await this.doFetch(url, { headers, ...(signal === undefined ? {} : { signal }) })
    } catch (e) {
      throw new StorageError('E_UNAVAILABLE', `token endpoint ${url.origin}${url.pathname}: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
    }
    const text = await boundedText(res, 64 * 1024)
    if (res.status === 401 || res.status === 403) throw authError(`token endpoint refused the credentials (HTTP ${res.status})`)
    if (!res.ok) throw new StorageError(res.status >= 500 ? 'E_UNAVAILABLE' : 'E_PROTOCOL', `token endpoint: HTTP ${res.status}`, { status: res.status })
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown }
    try {
      body = JSON.parse(text) as typeof body
    } catch (e) {
      throw new StorageError('E_PROTOCOL', 'token endpoint: the answer is not JSON', { cause: e })
    }
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined
    if (token === undefined || token === '') throw new StorageError('E_PROTOCOL', 'token endpoint: no token in the answer')
    // Tokens last at least 60 s by the spec; keep a margin.
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60
    return { token, expires: Date.now() + Math.max(1, seconds - 10) * 1000 }
  }
}

const STREAM_PIECE = 1 << 20

/** `bytes` as a stream of 1 MiB views (no copies), pulled as the connection takes them. */
function piecesOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (at >= bytes.length) return controller.close()
        const end = Math.min(bytes.length, at + STREAM_PIECE)
        controller.enqueue(bytes.subarray(at, end))
        at = end
      },
    },
    { highWaterMark: 0 },
  )
}

function basicHeader(username: string, password: string): string {
  return `Basic ${base64Encode(enc.encode(`${username}:${password}`))}`
}

function authError(message: string): StorageError {
  return new StorageError('E_AUTH', message, { status: 401 })
}

/** The body as text, at most `max` bytes (`E_LIMIT` past it). */
export async function boundedText(res: Response, max: number): Promise<string> {
  return dec.decode(await responseBytes(res, max))
}
