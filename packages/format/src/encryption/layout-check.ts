import { PackageError } from '../errors.js'
import type { IndexTable } from '../layout/index-table.js'
import type { Manifest } from '../manifest.js'

/** Encrypted resources need the manifest's wrapped key: without it no key could ever read them. */
export function checkEncryptionMetadata(manifest: Manifest, index: IndexTable): void {
  if (manifest.encryption) return
  const r = index.resources.find((x) => x.encrypted)
  if (r) {
    const message = `is required: resource ${JSON.stringify(r.path)} is encrypted`
    throw new PackageError('E_MANIFEST', `the package manifest is invalid: encryption: ${message}`, {
      issues: [{ path: ['encryption'], field: 'encryption', message }],
    })
  }
}
