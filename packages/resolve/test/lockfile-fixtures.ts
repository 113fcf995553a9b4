// Shared data for the lockfile tests: a small real-looking resolution and its exact lockfile text.
import { createHash } from 'node:crypto'
import type { ResolvedPackage, Resolution } from '@torshpkg/resolve'

/** The SRI string of `content` (what a registry would publish for the package file). */
export const sri = (content: string) => `sha256-${createHash('sha256').update(content).digest('base64')}`

export function pkg(name: string, version: string, extra: Partial<ResolvedPackage> = {}): ResolvedPackage {
  return { name, version, dependencies: {}, optionalDependencies: {}, optional: false, integrity: sri(`${name}-${version}`), ...extra }
}

export function resolutionOf(
  packages: ResolvedPackage[],
  root: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> },
): Resolution {
  const graph: Record<string, ResolvedPackage> = {}
  const versions: Record<string, string> = {}
  for (const p of packages) {
    graph[p.name] = p
    versions[p.name] = p.version
  }
  return { packages: versions, graph, root: { dependencies: root.dependencies ?? {}, optionalDependencies: root.optionalDependencies ?? {} } }
}

/** A model, its tokenizer, a scoped vocabulary, and optional platform-specific kernels. */
export const SMALL: Resolution = resolutionOf(
  [
    pkg('model', '2.1.0', {
      dependencies: { tokenizer: '^3.0.0', '@acme/vocab': '^0.9.0' },
      optionalDependencies: { 'cuda-kernels': '^1.4.0-beta.0' },
      source: 'https://registry.torshpkg.dev/model/2.1.0',
    }),
    pkg('tokenizer', '3.1.0'),
    pkg('@acme/vocab', '0.9.1', { source: 'https://registry.torshpkg.dev/@acme/vocab/0.9.1' }),
    pkg('cuda-kernels', '1.4.0-beta.2', { optional: true, platform: { os: ['linux'], arch: ['x64'] } }),
  ],
  { dependencies: { model: '^2.0.0', '@acme/vocab': '~0.9.0' }, optionalDependencies: { 'cuda-kernels': '^1.4.0-beta.0' } },
)

/** `generateLockfile(SMALL)`, byte for byte: the layout is the contract. */
export const SMALL_TEXT = `{
  "lockfileVersion": 1,
  "packages": {
    "@acme/vocab": {"integrity":"sha256-X5i0tjFNQplpvM583md0po0rdsEQcNkEMCNPgXkBGS8=","source":"https://registry.torshpkg.dev/@acme/vocab/0.9.1","version":"0.9.1"},
    "cuda-kernels": {"integrity":"sha256-YcbQ0DUU2cv7QhYlLlhUi1peJHu4R35/RpQafs9saiQ=","optional":true,"platform":{"arch":["x64"],"os":["linux"]},"version":"1.4.0-beta.2"},
    "model": {"dependencies":{"@acme/vocab":"^0.9.0","tokenizer":"^3.0.0"},"integrity":"sha256-CXdJgSNO4YGCBZ3ow5oqiaaP/uLpjX9SoCpJeyRXaDE=","optionalDependencies":{"cuda-kernels":"^1.4.0-beta.0"},"source":"https://registry.torshpkg.dev/model/2.1.0","version":"2.1.0"},
    "tokenizer": {"integrity":"sha256-xuUtEcnjaC5ho78rf6M8rRJoOG4UmqLqSAE+0zlhJxE=","version":"3.1.0"}
  },
  "root": {"dependencies":{"@acme/vocab":"~0.9.0","model":"^2.0.0"},"optionalDependencies":{"cuda-kernels":"^1.4.0-beta.0"}}
}
`

/** A minimal lockfile text from plain data (for malformed cases built as documents). */
export function lockText(packages: Record<string, unknown>, root: unknown = { dependencies: {} }, lockfileVersion: unknown = 1): string {
  return JSON.stringify({ lockfileVersion, packages, root })
}

/** A package entry as it appears in a lockfile (integrity included). */
export const entry = (name: string, version: string, extra: Record<string, unknown> = {}) => ({ version, integrity: sri(`${name}-${version}`), ...extra })
