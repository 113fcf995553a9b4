// User-facing key strings: identities (a single `AGE-SECRET-KEY-1...`, an array, or the text of
// an identity file as age-keygen writes it) and recipients (`age1...`). Kinds this library does
// not implement (SSH keys, plugins, post-quantum) are told apart from typos: `E_UNSUPPORTED`
// versus `E_KEY`.
import { CryptoError } from '../errors.js'
import type { Primitives } from '../primitives/types.js'
import { decodeIdentity, decodeRecipient, encodeIdentity, encodeRecipient, type X25519Identity } from './x25519.js'

/** The lines of an identity or recipients file that carry keys, with their line numbers. */
function keyLines(text: string): { value: string; line: number }[] {
  const out: { value: string; line: number }[] = []
  text.split('\n').forEach((raw, i) => {
    const value = raw.trim()
    if (value !== '' && !value.startsWith('#')) out.push({ value, line: i + 1 })
  })
  return out
}

function unsupportedIdentity(value: string): string | undefined {
  if (value.startsWith('-----BEGIN')) return 'SSH/PEM private keys are not supported as age identities; use an AGE-SECRET-KEY-1... identity'
  const upper = value.toUpperCase()
  if (upper.startsWith('AGE-PLUGIN-')) return 'age plugin identities are not supported'
  if (upper.startsWith('AGE-SECRET-KEY-PQ-')) return 'post-quantum (ML-KEM) age identities are not supported'
  return undefined
}

function unsupportedRecipient(value: string): string | undefined {
  if (/^(ssh-|ecdsa-sha2-|sk-ssh-|sk-ecdsa-)/.test(value)) return 'SSH recipients are not supported; use an age1... recipient'
  const lower = value.toLowerCase()
  if (lower.startsWith('age1pq1')) return 'post-quantum (ML-KEM) age recipients are not supported'
  // age1<plugin-name>1<data>: a plugin recipient (age1yubikey1..., age1tag1..., age1se1...).
  if (/^age1[a-z0-9._+-]+1[02-9ac-hj-np-z]+$/.test(lower)) return 'age plugin recipients are not supported'
  return undefined
}

/**
 * Decode identities for decryption: `input` is one identity, the text of an identity file
 * ('#' comments, blank lines), or an array of either. `E_KEY` for malformed or missing keys
 * (with `details.line` for files), `E_UNSUPPORTED` for SSH and plugin identities.
 */
export async function parseIdentities(p: Primitives, input: string | readonly string[]): Promise<X25519Identity[]> {
  const texts = typeof input === 'string' ? [input] : input
  if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) {
    throw new CryptoError('E_ARGUMENT', 'identity must be a string or an array of strings')
  }
  const out: X25519Identity[] = []
  for (const text of texts) {
    const lines = keyLines(text)
    for (const { value, line } of lines) {
      const why = unsupportedIdentity(value)
      if (why) throw new CryptoError('E_UNSUPPORTED', why, { details: { field: 'identity', line } })
      let secret: Uint8Array
      try {
        secret = decodeIdentity(value)
      } catch (e) {
        const where = lines.length > 1 || text.includes('\n') ? ` on line ${line}` : ''
        throw new CryptoError('E_KEY', `malformed age identity${where}: ${(e as Error).message}`, { cause: e, details: { field: 'identity', line } })
      }
      out.push({ secret, publicKey: await p.x25519.publicKey(secret) })
    }
  }
  if (out.length === 0) throw new CryptoError('E_KEY', 'no age identity given (the identity text is empty or only comments)', { details: { field: 'identity' } })
  return out
}

/** Decode recipients for encryption (`age1...`, or recipients-file text); the same error rules. */
export function parseRecipients(input: readonly string[]): Uint8Array[] {
  if (!Array.isArray(input) || input.some((t) => typeof t !== 'string')) {
    throw new CryptoError('E_ARGUMENT', 'recipients must be an array of strings')
  }
  const out: Uint8Array[] = []
  for (const text of input) {
    for (const { value, line } of keyLines(text)) {
      const why = unsupportedRecipient(value)
      if (why) throw new CryptoError('E_UNSUPPORTED', why, { details: { field: 'recipient', line } })
      try {
        out.push(decodeRecipient(value))
      } catch (e) {
        throw new CryptoError('E_KEY', `malformed age recipient ${JSON.stringify(value.length > 80 ? value.slice(0, 77) + '...' : value)}: ${(e as Error).message}`, {
          cause: e,
          details: { field: 'recipient', line },
        })
      }
    }
  }
  if (out.length === 0) throw new CryptoError('E_KEY', 'no age recipient given', { details: { field: 'recipient' } })
  return out
}

/** A new X25519 identity and its recipient, in age-keygen's spelling. */
export async function generateIdentity(p: Primitives): Promise<{ identity: string; recipient: string }> {
  const secret = p.randomBytes(32)
  try {
    return { identity: encodeIdentity(secret), recipient: encodeRecipient(await p.x25519.publicKey(secret)) }
  } finally {
    secret.fill(0) // the identity string is the key from now on
  }
}

/** The recipient of an identity (or of an identity file holding exactly one identity). */
export async function recipientOf(p: Primitives, identity: string): Promise<string> {
  if (typeof identity !== 'string') throw new CryptoError('E_ARGUMENT', 'identity must be a string')
  const ids = await parseIdentities(p, identity)
  for (const id of ids) id.secret.fill(0) // only the public halves are needed
  if (ids.length !== 1) throw new CryptoError('E_KEY', `expected one identity, found ${ids.length}`, { details: { field: 'identity' } })
  return encodeRecipient(ids[0]!.publicKey)
}
