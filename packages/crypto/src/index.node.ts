// Node build: the same API as index.ts (whose types and docs it shares), with node:crypto
// behind every function. Keep the export list identical to index.ts (dist.test.ts checks).
import { createCryptoApi } from './api.js'
import { nodePrimitives } from './primitives/node.js'

export * from './public.js'

export const {
  primitives,
  hash,
  hashSync,
  createHasher,
  sha256,
  generateKeyPair,
  publicKeyFromBytes,
  secretKeyFromSeed,
  keyIdOf,
  parseMinisignSecretKey,
  encryptMinisignSecretKey,
  signFile,
  verifyFile,
  signPackage,
  verifyPackage,
  attestPackage,
  verifyAttestations,
  createSignatureRecord,
  createAttestationRecord,
  signDsse,
  verifyDsse,
  ageEncrypt,
  ageDecrypt,
  ageEncryptStream,
  ageDecryptStream,
  openAgeReader,
  generateAgeIdentity,
  ageRecipientOf,
} = createCryptoApi(nodePrimitives)
