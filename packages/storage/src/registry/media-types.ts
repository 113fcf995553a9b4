/** The OCI media types and names of the registry mapping (docs/registry.md explains each). */

/** `artifactType` of a package version's manifest. */
export const PACKAGE_ARTIFACT_TYPE = 'application/vnd.torshpkg.package.v1'
/** The package file itself (the manifest's one layer; its digest is the file's sha256). */
export const PACKAGE_LAYER_MEDIA_TYPE = 'application/vnd.torshpkg.package.v1.torshpkg'
/** The config blob: name, version, description and the package's own manifest JSON. */
export const PACKAGE_CONFIG_MEDIA_TYPE = 'application/vnd.torshpkg.config.v1+json'
/** `artifactType` of the per-repository yank record (tag {@link YANKS_TAG}). */
export const YANKS_ARTIFACT_TYPE = 'application/vnd.torshpkg.yanks.v1'
export const YANKS_CONFIG_MEDIA_TYPE = 'application/vnd.torshpkg.yanks.v1+json'
/** Tag of the yank record: starts with "_", which no version's tag does. */
export const YANKS_TAG = '_torshpkg.yanks'

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
/** The empty descriptor's blob (`{}`), for artifacts without a config of their own. */
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json'

/** Annotation keys (OCI's where there is one). */
export const ANNOTATION = {
  title: 'org.opencontainers.image.title',
  description: 'org.opencontainers.image.description',
  created: 'org.opencontainers.image.created',
  version: 'org.opencontainers.image.version',
  name: 'dev.torshpkg.package.name',
} as const
