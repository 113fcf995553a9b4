import { fileURLToPath } from 'node:url'
import type { Environment } from '../environment.js'
import { openFileSink } from './file-sink.js'
import { appendSignaturesToFile } from './append-file.js'
import { openFileSource } from './file-source.js'

/** What the Node build adds: file paths (and file: URLs) as sinks and sources. */
export const nodeEnvironment: Environment = {
  openFileSink,
  openFileSource,
  fileUrlToPath: (url) => fileURLToPath(url),
  appendSignaturesToFile,
}
