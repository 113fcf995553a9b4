import { packageBuild } from '../../tsup.shared'

// The pool's worker scripts: Node's next to index.node.js, and a self-contained browser
// bundle (codecs included) that a module Worker can load from anywhere.
export default packageBuild([
  { entry: { 'pool-worker.node': 'src/pool/worker.node.ts' }, platform: 'node', format: ['esm'] },
  { entry: { 'pool-worker': 'src/pool/worker.browser.ts' }, platform: 'browser', format: ['esm'], noExternal: [/.*/] },
])
