import { fileURLToPath } from 'node:url'

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.node.ts`, import.meta.url))

/**
 * Unit tests import workspace packages from source (Node build), so they run without a
 * build step and report source lines. The built artifacts (ESM, CJS, browser bundle) are
 * exercised separately by each package's dist.test.ts, in plain Node processes and Chromium.
 */
export const sourceAliases = {
  // Subpaths first: an alias also matches its key followed by '/'.
  '@torshpkg/crypto/node': fileURLToPath(new URL('./packages/crypto/src/node.ts', import.meta.url)),
  '@torshpkg/compress': src('compress'),
  '@torshpkg/crypto': src('crypto'),
  '@torshpkg/format': src('format'),
  '@torshpkg/resolve': src('resolve'),
  '@torshpkg/storage': src('storage'),
}
