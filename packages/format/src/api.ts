import { openAgeSource } from './encryption/age-source.js'
import { unlockPackage } from './encryption/key-envelope.js'
import type { Environment } from './environment.js'
import { isPackageError, PackageError } from './errors.js'
import type { AppendToFileOptions, NewSignatureRecord } from './signing/append.js'
import type { ManifestInput } from './manifest.js'
import { readMetadata, resolveSource, type OpenPackageOptions, type PackageMetadata, type PackageSource } from './reader/open.js'
import { Package } from './reader/package.js'
import type { CreatePackageOptions } from './types.js'
import { PackageWriter, type PackageTarget } from './writer/package-writer.js'

/** The two entry points, bound to a platform environment (browser or Node). */
export function bindApi(env: Environment) {
  /**
   * Start writing a package to `sink`: a file path (Node: written to a temp file, fsynced and
   * renamed into place), a `WritableStream<Uint8Array>`, an object with `write()`, or
   * `'memory'` (then `finish()` returns the bytes). The manifest is validated now.
   *
   * @example
   * ```ts
   * const w = createPackage('model.torshpkg', { name: 'tiny-mlp', version: '1.0.0' })
   * await w.add('weights/fc1.bin', weights, { tensor: { dtype: 'float32', shape: [64, 32] } })
   * await w.add('config.json', JSON.stringify({ hidden: 64 }), { type: 'config' })
   * const { digest, size } = await w.finish()
   * ```
   */
  function createPackage(sink: PackageTarget, manifest: ManifestInput, options: CreatePackageOptions = {}): PackageWriter {
    return new PackageWriter(sink, manifest, options, env)
  }

  /**
   * Open a package from bytes, a file path (Node), a `Blob`/`File`, an `http(s)` URL (Range
   * requests, at most two to open), or any `{ size, read(offset, length) }`. Reads the
   * preamble and the tail only, and checks them against the package digest.
   *
   * Encrypted packages need `{ identity }` (an age secret key) or `{ passphrase }`: a package
   * encrypted whole with age is decrypted lazily (only the 64 KiB age chunks a read covers);
   * a package with encrypted resources has its key unwrapped once, here, so a wrong key fails
   * now with `E_DECRYPT`. Without a key, its other resources still read.
   *
   * @example
   * ```ts
   * const pkg = await openPackage('https://example.com/tiny-mlp.torshpkg')
   * const { data } = await pkg.readTensor('weights/fc1.bin') // Float32Array
   * const secret = await openPackage('model.torshpkg.age', { identity: 'AGE-SECRET-KEY-1...' })
   * ```
   */
  async function openPackage(source: PackageSource, options: OpenPackageOptions = {}): Promise<Package> {
    const raw = await resolveSource(source, options, env)
    let bytes = raw
    try {
      let metadata: PackageMetadata
      try {
        metadata = await readMetadata(bytes, options)
      } catch (e) {
        // Not a package: perhaps one encrypted whole with age, to be opened inside its
        // decrypting stream. (Checked only now, so plain packages cost no extra read.)
        if (!isPackageError(e, 'E_BAD_MAGIC')) throw e
        bytes = (await openAgeSource(raw, options)) ?? raw
        if (bytes === raw) throw e
        metadata = await readMetadata(bytes, options)
      }
      return new Package(bytes, metadata, options, await unlockPackage(metadata.manifest, options))
    } catch (e) {
      await bytes.close().catch(() => {})
      await raw.close().catch(() => {})
      throw e
    }
  }

  /**
   * Append signature records to a package file in place (Node only): the file grows at its
   * tail, no data is rewritten. `signPackage` on a package opened from a path does this for
   * you; use this with records made separately (`createSignatureRecord`). Not atomic under a
   * crash (see docs/format.md, "Signature block"). In browsers: `E_ARGUMENT`.
   *
   * @example
   * ```ts
   * await appendSignaturesToFile('model.torshpkg', [record], { digest: pkg.digest })
   * ```
   */
  async function appendSignaturesToFile(path: string, records: readonly NewSignatureRecord[], options: AppendToFileOptions = {}): Promise<{ size: number }> {
    if (!env.appendSignaturesToFile) {
      throw new PackageError('E_ARGUMENT', 'appending to a file needs Node; in browsers sign the bytes (appendSignatures)', { field: 'path' })
    }
    return env.appendSignaturesToFile(path, records, options)
  }

  return { createPackage, openPackage, appendSignaturesToFile }
}
