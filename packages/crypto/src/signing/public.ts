// Signing exports shared by both builds (re-exported by ../public.ts). The backend-bound
// functions (signPackage, verifyPackage, ...) are added by index.ts and index.node.ts.
export { Keyring, type KeyringEntry, type KeyringAddOptions, type KeyringCheck, type KeyringRefusal, type KeyringJson, type TrustedKeys } from '../keyring.js'
export type { SecretKeyInput } from './package.js'
export { pae, type DsseEnvelope, type DsseVerification, type DsseSignatureCheck, type DsseLimits, type SignatureFailure } from './dsse.js'
export {
  RECORD_KIND_SIGNATURE,
  RECORD_KIND_ATTESTATION,
  SIGNATURE_PAYLOAD_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  type SignatureRecordLike,
} from './records.js'
export type {
  SignablePackage,
  AppendablePackage,
  SignPackageOptions,
  AttestationInput,
  VerifyPackageOptions,
  SignatureCheck,
  PackageVerification,
  AttestationCheck,
  AttestationVerification,
} from './package.js'
export type { InTotoStatement } from './statement.js'
export type { VerifyDsseOptions, SigningApi } from './api.js'
