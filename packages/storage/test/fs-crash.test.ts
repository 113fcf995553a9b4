import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FS_WORK_DIR, fsBackend, listAll } from '@torshpkg/storage'
import { pattern } from './pattern'
import { expectCode } from './conformance'

const writer = fileURLToPath(new URL('./children/fs-writer.ts', import.meta.url))
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

/** Starts a writer process; resolves when it prints `line` (or exits). */
function child(args: string[]) {
  const p = spawn(process.execPath, ['--import', 'tsx', writer, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  p.stdout.on('data', (d) => (out += d))
  p.stderr.on('data', (d) => (err += d))
  const exited = new Promise<number | null>((done) => p.on('exit', (code) => done(code)))
  const said = (line: string) =>
    new Promise<void>((done, fail) => {
      const check = () => (out.includes(`${line}\n`) ? done() : undefined)
      p.stdout.on('data', check)
      void exited.then(() => (out.includes(`${line}\n`) ? done() : fail(new Error(`writer exited without "${line}": ${err}`))))
    })
  return { p, said, exited, stderr: () => err }
}

describe('fs backend under crashes and concurrent processes', () => {
  let root: string
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'torshpkg-fs-crash-'))
  })
  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('a writer killed with SIGKILL mid-write never leaves a torn object: old or new, whole', async () => {
    const store = fsBackend(root)
    const size = 8 * 1024 * 1024
    const v1 = pattern(size, 1)
    const v2 = pattern(size, 2)
    await store.put('model.torshpkg', v1)
    const allowed = new Set([sha(v1), sha(v2)])
    let killedMidway = 0
    for (let round = 0; round < 6; round++) {
      const w = child([root, 'slow', 'model.torshpkg', '2', String(size)])
      await w.said('writing')
      // Kill at a different moment each round: soon after the start, or later.
      await new Promise((r) => setTimeout(r, round * 15))
      w.p.kill('SIGKILL')
      const code = await w.exited
      if (code === null) killedMidway++
      const now = await store.get('model.torshpkg')
      expect(now.length).toBe(size)
      expect(allowed.has(sha(now))).toBe(true)
      // Nothing but the object is visible.
      const keys = []
      for await (const o of listAll(store)) keys.push(o.key)
      expect(keys).toEqual(['model.torshpkg'])
    }
    expect(killedMidway).toBeGreaterThan(0)
    // What the killed writers left (temp files, maybe a lock) is swept; the object stays.
    const left = (await readdir(join(root, FS_WORK_DIR))).filter((n) => n.endsWith('.tmp'))
    expect(left.length).toBeGreaterThan(0)
    const swept = await store.sweep(0)
    expect(swept.tempFiles).toBe(left.length)
    expect((await readdir(join(root, FS_WORK_DIR))).filter((n) => n.endsWith('.tmp'))).toEqual([])
    expect((await store.stat('model.torshpkg'))?.size).toBe(size)
  }, 120_000)

  it('a lock left by a killed process is broken, and writes go on', async () => {
    const store = fsBackend(root)
    await store.put('locked', new Uint8Array([1]))
    // A lock file as a dead writer leaves it (pid of a process that has exited).
    const dead = spawn(process.execPath, ['-e', '0'])
    const pid = await new Promise<number>((done) => dead.on('exit', () => done(dead.pid!)))
    const lockName = createHash('sha256').update('locked').digest('hex')
    await mkdir(join(root, FS_WORK_DIR, 'locks'), { recursive: true })
    await writeFile(join(root, FS_WORK_DIR, 'locks', lockName), `${pid} ${Date.now()}\n`)
    const started = Date.now()
    await store.put('locked', new Uint8Array([2]))
    expect(Date.now() - started).toBeLessThan(5000)
    expect(await store.get('locked')).toEqual(new Uint8Array([2]))
  })

  it('a live lock is waited for, then E_UNAVAILABLE after lockTimeoutMs', async () => {
    const store = fsBackend(root, { lockTimeoutMs: 300 })
    await store.put('busy', new Uint8Array([1]))
    const lockName = createHash('sha256').update('busy').digest('hex')
    await writeFile(join(root, FS_WORK_DIR, 'locks', lockName), `${process.ppid} ${Date.now()}\n`) // a live process
    await expectCode(store.put('busy', new Uint8Array([2])), 'E_UNAVAILABLE')
    expect(await store.get('busy')).toEqual(new Uint8Array([1]))
    await rm(join(root, FS_WORK_DIR, 'locks', lockName))
  })

  it('compare-and-swap across processes: 3 processes x 15 increments lose none', async () => {
    const store = fsBackend(root)
    await store.put('counter', new TextEncoder().encode('0'))
    const ws = [0, 1, 2].map(() => child([root, 'increment', 'counter', '15']))
    const codes = await Promise.all(ws.map((w) => w.exited))
    expect(codes, ws.map((w) => w.stderr()).join('\n')).toEqual([0, 0, 0])
    expect(new TextDecoder().decode(await store.get('counter'))).toBe('45')
  }, 120_000)

  it('keys cannot reach the work directory', async () => {
    const store = fsBackend(root)
    await expectCode(store.put(`${FS_WORK_DIR}/locks/x`, new Uint8Array([1])), 'E_INVALID_KEY')
    await expectCode(store.get(FS_WORK_DIR), 'E_INVALID_KEY')
  })
})
