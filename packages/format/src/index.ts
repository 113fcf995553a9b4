/**
 * `@torshpkg/format`: the `.torshpkg` container. Stream-write model packages in one pass;
 * open them from memory, a Blob or over HTTP by reading only their two ends; read single
 * tensors with every chunk verified. This is the browser-safe build; Node resolves
 * `index.node.ts`, which adds file paths.
 *
 * @example
 * ```ts
 * import { createPackage, openPackage } from '@torshpkg/format'
 * const w = createPackage('memory', { name: 'tiny', version: '1.0.0' })
 * await w.add('hello.txt', 'hello\n', { type: 'docs' })
 * const { bytes } = await w.finish()
 * const pkg = await openPackage(bytes!)
 * new TextDecoder().decode(await pkg.read('hello.txt')) // 'hello\n'
 * ```
 * @packageDocumentation
 */
import { bindApi } from './api.js'
import { browserEnvironment } from './environment.js'

export * from './public.js'

const api = bindApi(browserEnvironment)

/** Start writing a package (see the package README for sinks and options). */
export const createPackage = api.createPackage
/** Open a package from bytes, a Blob, an http(s) URL or a `{ size, read }` source. */
export const openPackage = api.openPackage
/** Append signature records to a package file in place (Node; browsers sign bytes with `appendSignatures`). */
export const appendSignaturesToFile = api.appendSignaturesToFile
