import { packageBuild } from '../../tsup.shared'

// `@torshpkg/crypto/node`: Node-only helpers. They import the package's own main entry
// (external), so there is one copy of the API and of CryptoError, not a second bundle. Their
// declarations resolve that import to the sources while type-checking, and keep it external.
export default packageBuild([
  {
    entry: { node: 'src/node.ts' },
    platform: 'node',
    external: ['@torshpkg/crypto'],
    dts: { compilerOptions: { paths: { '@torshpkg/crypto': ['./src/index.ts'] } } },
  },
])
