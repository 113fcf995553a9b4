import type { ByteSource } from './reader/source.js'
import type { AppendToFileOptions, NewSignatureRecord } from './signing/append.js'
import type { Sink } from './writer/sink.js'

/**
 * Platform capabilities the core needs but cannot import portably. The browser build passes
 * an empty environment; the Node build passes file-system adapters (src/node/).
 */
export interface Environment {
  openFileSink?(path: string, options: { durable?: boolean }): Promise<Sink>
  openFileSource?(path: string): Promise<ByteSource>
  fileUrlToPath?(url: URL): string
  appendSignaturesToFile?(path: string, records: readonly NewSignatureRecord[], options?: AppendToFileOptions): Promise<{ size: number }>
}

export const browserEnvironment: Environment = {}
