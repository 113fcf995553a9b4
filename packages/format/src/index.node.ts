// Node build: the same API as index.ts (whose types and docs it shares), plus file paths as
// sinks and sources.
import { bindApi } from './api.js'
import { nodeEnvironment } from './node/environment.js'

export * from './public.js'
export const { createPackage, openPackage, appendSignaturesToFile } = bindApi(nodeEnvironment)
