import type { Environment } from './environment.js'
import type { ManifestInput } from './manifest.js'
import { readMetadata, resolveSource, type OpenPackageOptions, type PackageSource } from './reader/open.js'
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
   * @example
   * ```ts
   * const pkg = await openPackage('https://example.com/tiny-mlp.torshpkg')
   * const { data } = await pkg.readTensor('weights/fc1.bin') // Float32Array
   * ```
   */
  async function openPackage(source: PackageSource, options: OpenPackageOptions = {}): Promise<Package> {
    const bytes = await resolveSource(source, options, env)
    try {
      return new Package(bytes, await readMetadata(bytes, options), options)
    } catch (e) {
      await bytes.close().catch(() => {})
      throw e
    }
  }

  return { createPackage, openPackage }
}
