import { createKeysApi } from '../src/keys/api'
import type { KeyPair } from '../src/keys/types'
import type { SignatureRecordLike } from '../src/signing/records'
import type { Primitives } from '../src/primitives/types'
import { noblePrimitives } from '../src/primitives/noble'
import { nodePrimitives } from '../src/primitives/node'

/** Both primitive sets the signing code must agree on. */
export const PRIMITIVES: [string, Primitives][] = [
  ['noble', noblePrimitives],
  ['node', nodePrimitives],
]

/** A fresh Ed25519 key pair from `p`'s CSPRNG. */
export function makeKeyPair(p: Primitives): Promise<KeyPair> {
  return createKeysApi(p).generateKeyPair()
}

/**
 * A structural stand-in for format's Package: a digest and a signature list that grows by
 * returning a new object, as format's in-memory packages do.
 */
export interface FakePackage {
  digest: string
  signatures: SignatureRecordLike[]
  manifest?: { name: string; version: string }
  addSignatures(records: readonly SignatureRecordLike[]): Promise<FakePackage>
}

export function fakePackage(digest: string, signatures: SignatureRecordLike[] = [], manifest?: { name: string; version: string }): FakePackage {
  return {
    digest,
    signatures,
    ...(manifest && { manifest }),
    async addSignatures(records) {
      return fakePackage(digest, [...signatures, ...records], manifest)
    },
  }
}

export const enc = (s: string) => new TextEncoder().encode(s)
export const dec = (b: Uint8Array) => new TextDecoder().decode(b)
