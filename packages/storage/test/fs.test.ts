import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fsBackend } from '@torshpkg/storage'
import { conformance } from './conformance'

conformance('fs', {
  async make() {
    const root = await mkdtemp(join(tmpdir(), 'torshpkg-fs-'))
    return { backend: fsBackend(root), dispose: () => rm(root, { recursive: true, force: true }) }
  },
  keyAndChildren: false,
})
