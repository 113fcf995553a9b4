import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import send from 'send'

/** One request the server saw. */
export interface Hit {
  method: string
  url: string
  range: string | undefined
  status: number
  bytes: number
}

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:12345 */
  url: string
  hits: Hit[]
  /** Body bytes served since the last reset. */
  bytes(): number
  reset(): void
  close(): Promise<void>
}

/**
 * A real HTTP server on 127.0.0.1 serving files from `root` with `send` (the static-file
 * engine behind Express's serve-static: RFC 7233 Range, ETag, 206/416), counting every body
 * byte it writes. `cors` adds the headers a cross-origin page needs to read ranges.
 */
export async function startFileServer(root: string, options: { cors?: boolean; ignoreRange?: boolean } = {}): Promise<TestServer> {
  const hits: Hit[] = []
  const server = createServer((req, res) => {
    const hit: Hit = { method: req.method ?? '', url: req.url ?? '', range: req.headers.range, status: 0, bytes: 0 }
    hits.push(hit)
    countBytes(res, hit)
    if (options.cors) {
      res.setHeader('Access-Control-Allow-Origin', '*')
      res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, ETag, Accept-Ranges, Last-Modified')
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Headers', '*')
        res.statusCode = 204
        res.end()
        return
      }
    }
    if (options.ignoreRange) delete req.headers.range
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    send(req, path, { root, acceptRanges: !options.ignoreRange, cacheControl: false, dotfiles: 'deny' })
      // Answered here, not by send: send clears every header on errors, CORS ones too, and a
      // browser then sees a 404 or 416 as a network error. (Real object stores keep them.)
      .on('error', (err: { status?: number; headers?: Record<string, string> }) => {
        res.statusCode = err.status ?? 500
        for (const [name, value] of Object.entries(err.headers ?? {})) res.setHeader(name, value)
        res.end()
      })
      .pipe(res)
  })
  return listen(server, hits)
}

/** A server whose handler the test writes (for misbehaving-server cases). */
export async function startHandlerServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const hits: Hit[] = []
  const server = createServer((req, res) => {
    const hit: Hit = { method: req.method ?? '', url: req.url ?? '', range: req.headers.range, status: 0, bytes: 0 }
    hits.push(hit)
    countBytes(res, hit)
    handler(req, res)
  })
  return listen(server, hits)
}

function countBytes(res: ServerResponse, hit: Hit) {
  const write = res.write.bind(res) as (...a: unknown[]) => boolean
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse
  const add = (chunk: unknown) => {
    if (chunk && typeof chunk !== 'function') hit.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).length
  }
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    add(chunk)
    return write(chunk, ...rest)
  }) as typeof res.write
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    add(chunk)
    hit.status = res.statusCode
    return end(chunk, ...rest)
  }) as typeof res.end
}

async function listen(server: Server, hits: Hit[]): Promise<TestServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    bytes: () => hits.reduce((n, h) => n + h.bytes, 0),
    reset: () => void (hits.length = 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
