/**
 * Signature-block record kinds (docs/format.md, "Signature block"). The container stores
 * records as opaque `(kind, payload)` pairs; this library assigns the kinds and their payloads.
 * Both payloads are DSSE JSON envelopes, told apart by their payloadType, which the signature
 * covers (PAE): a package signature can never be replayed as an attestation or the reverse.
 */

/** Kind 1: a package signature. DSSE envelope, payloadType {@link SIGNATURE_PAYLOAD_TYPE}. */
export const RECORD_KIND_SIGNATURE = 1
/** Kind 2: a provenance attestation. DSSE envelope, payloadType {@link IN_TOTO_PAYLOAD_TYPE}. */
export const RECORD_KIND_ATTESTATION = 2

/** payloadType of kind-1 records; the body is canonical JSON `{ comment?, created, digest, keyId }`. */
export const SIGNATURE_PAYLOAD_TYPE = 'application/vnd.torshpkg.signature.v1+json'
/** payloadType of kind-2 records; the body is an in-toto Statement v1. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'
/** `_type` of an in-toto Statement v1. */
export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1'

/** A signature-block record as the container stores it (format's `SignatureRecord`). */
export interface SignatureRecordLike {
  readonly kind: number
  readonly payload: Uint8Array
}
