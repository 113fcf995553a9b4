// Node build: the same API as index.ts, plus file paths as sinks and sources.
import { bindApi } from './api.js'
import { nodeEnvironment } from './node/environment.js'

export * from './public.js'

const api = bindApi(nodeEnvironment)

export const createPackage = api.createPackage
export const openPackage = api.openPackage
