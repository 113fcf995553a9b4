import { RegistryClient as PortableRegistryClient, type RegistryClientOptions } from './client.js'

/**
 * The Node build's `RegistryClient`: the same class, with `streamUploads` on by default (Node's
 * fetch sends a large body as a stream of 1 MiB pieces about a third faster than as one buffer).
 */
export class RegistryClient extends PortableRegistryClient {
  constructor(options: RegistryClientOptions) {
    super({ ...options, streamUploads: options.streamUploads ?? true })
  }
}
