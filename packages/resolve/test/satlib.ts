import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'

/** The SATLIB sets vendored under test/fixtures/satlib (uniform random 3-SAT; uf* SAT, uuf* UNSAT). */
export type SatlibSet = 'uf20-91' | 'uf50-218' | 'uuf50-218' | 'uf100-430' | 'uuf100-430' | 'uf150-645' | 'uuf150-645'

/** Reads the regular files of a (ustar/v7) tar archive: name -> bytes. */
export function untar(tar: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>()
  const dec = new TextDecoder()
  const str = (a: number, b: number) => {
    let e = a
    while (e < b && tar[e] !== 0) e++
    return dec.decode(tar.subarray(a, e))
  }
  for (let off = 0; off + 512 <= tar.length; ) {
    if (tar[off] === 0) break // end-of-archive blocks
    const name = str(off, off + 100)
    const size = parseInt(str(off + 124, off + 136).trim() || '0', 8)
    const type = tar[off + 156]
    const prefix = str(off + 257, off + 263) === 'ustar' ? str(off + 345, off + 500) : ''
    const body = off + 512
    if (type === 0 || type === 48 /* '0' */) files.set(prefix ? `${prefix}/${name}` : name, tar.subarray(body, body + size))
    off = body + Math.ceil(size / 512) * 512
  }
  return files
}

/** The .cnf texts of one SATLIB set, sorted by instance number. */
export function loadSatlib(set: SatlibSet): { name: string; text: string }[] {
  const path = fileURLToPath(new URL(`./fixtures/satlib/${set}.tar.gz`, import.meta.url))
  const files = untar(gunzipSync(readFileSync(path)))
  const dec = new TextDecoder()
  const num = (s: string) => Number(/(\d+)\.cnf$/.exec(s)?.[1] ?? 0)
  return [...files]
    .filter(([name]) => name.endsWith('.cnf'))
    .sort(([a], [b]) => num(a) - num(b))
    .map(([name, bytes]) => ({ name: name.replace(/^.*\//, ''), text: dec.decode(bytes) }))
}
