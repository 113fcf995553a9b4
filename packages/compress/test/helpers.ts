import { readFileSync } from 'node:fs'
import { rng, sameBytes } from '../../../scripts/test-data'

export const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)))

/** Deterministic pseudo-random bytes. */
export const random = (n: number, seed = 1): Uint8Array => rng(seed).bytes(n)

/** Fast byte equality with a useful message. */
export const same = sameBytes

/** Split `data` into pieces of pseudo-random sizes (1 byte to 70 KiB). */
export function pieces(data: Uint8Array, seed = 7): Uint8Array[] {
  const out: Uint8Array[] = []
  let s = seed
  for (let at = 0; at < data.length; ) {
    const n = 1 + ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % (70 * 1024))
    out.push(data.subarray(at, at + n))
    at += n
  }
  return out
}

/** Collect a ReadableStream of bytes. */
export async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

/** Collect an async iterable of bytes. */
export async function collectIterable(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const p of source) parts.push(p)
  return new Uint8Array(Buffer.concat(parts))
}

/** A ReadableStream that yields `parts`. */
export function streamOf(parts: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream({
    pull(controller) {
      if (i < parts.length) controller.enqueue(parts[i++]!)
      else controller.close()
    },
  })
}
