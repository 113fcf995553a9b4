import type { StorageBackend } from '../types.js'
import { ociBackend as portableOciBackend, type OciBackendOptions } from './oci.js'

/** The Node build's `ociBackend`: the same backend, with `streamUploads` on by default (see `RegistryClient`). */
export function ociBackend(options: OciBackendOptions): StorageBackend {
  return portableOciBackend({ ...options, streamUploads: options.streamUploads ?? true })
}
