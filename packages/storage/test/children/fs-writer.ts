/**
 * A writer process for the fs crash tests: `node --import tsx fs-writer.ts <root> <mode> ...`.
 * - `slow <key> <seed> <bytes>`: writes `bytes` pattern bytes to key as a slow stream, printing
 *   "writing" once it has started (the test kills it with SIGKILL at some point after).
 * - `increment <key> <times>`: compare-and-swap increments of a decimal counter.
 */
import { fsBackend, StorageError } from '../../src/index.node.js'
import { pattern } from '../pattern.js'

const [root, mode, key, a, b] = process.argv.slice(2)
const store = fsBackend(root!)

if (mode === 'slow') {
  const data = pattern(Number(b), Number(a))
  let at = 0
  let announced = false
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      if (at >= data.length) return c.close()
      const n = Math.min(64 * 1024, data.length - at)
      c.enqueue(data.slice(at, at + n))
      at += n
      if (!announced) {
        announced = true
        process.stdout.write('writing\n')
      }
      await new Promise((r) => setTimeout(r, 1))
    },
  })
  await store.put(key!, body)
  process.stdout.write('done\n')
} else if (mode === 'increment') {
  const enc = new TextEncoder()
  const dec = new TextDecoder()
  for (let i = 0; i < Number(a); i++) {
    for (;;) {
      const st = await store.stat(key!)
      if (st === undefined) throw new Error('counter missing')
      let value: number
      try {
        value = Number(dec.decode(await store.get(key!, { ifMatch: st.etag })))
      } catch (e) {
        if (e instanceof StorageError && e.code === 'E_CONFLICT') continue
        throw e
      }
      try {
        await store.put(key!, enc.encode(String(value + 1)), { ifMatch: st.etag })
        break
      } catch (e) {
        if (!(e instanceof StorageError && e.code === 'E_CONFLICT')) throw e
      }
    }
  }
  process.stdout.write('done\n')
}
