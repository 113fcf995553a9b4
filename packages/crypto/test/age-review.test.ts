// Regression tests from the review of src/age: a hostile stream that re-triggers header parsing,
// and key material (identities, ephemeral secrets, passphrase bytes, file and wrap keys) that
// must be wiped once the file is open or written.
import { describe, expect, it } from 'vitest'
import { createAgeApi } from '../src/age/api'
import { nodePrimitives } from '../src/primitives/node'
import type { Primitives } from '../src/primitives/types'
import { expectCryptoError, pseudoRandom, runTransform } from './age-helpers'

describe('streaming decryption and a header sent byte by byte', () => {
  it('does not re-parse a 1 MiB header for every byte after "---" (was quadratic: ~10 ms a byte)', async () => {
    const { identity } = await createAgeApi(nodePrimitives).generateAgeIdentity()
    // ~1 MB of well-formed stanzas the identity ignores, then the start of a MAC line.
    const stanza = '-> grease\n' + ('A'.repeat(64) + '\n').repeat(80) + 'AA\n'
    const head = new TextEncoder().encode('age-encryption.org/v1\n' + stanza.repeat(190) + '---')
    const dec = createAgeApi(nodePrimitives).ageDecryptStream({ identity })
    const writer = dec.writable.getWriter()
    const reading = dec.readable.getReader().read()
    const start = performance.now()
    await writer.write(head)
    for (let i = 0; i < 2000; i++) await writer.write(Uint8Array.of(0x41))
    const elapsed = performance.now() - start
    await writer.close().catch(() => {})
    // The MAC line never ends properly: the stream fails, as the one-shot function would.
    expectCryptoError(await reading.then(() => undefined, (e: unknown) => e), 'E_FORMAT')
    expect(elapsed).toBeLessThan(10_000) // the old re-parsing took 54 s
  })
})

/** `base` with every secret it is handed or hands out recorded, to check afterwards that each was wiped. */
function recording(base: Primitives) {
  const secrets: { what: string; bytes: Uint8Array }[] = []
  const keep = (what: string, bytes: Uint8Array) => (secrets.push({ what, bytes }), bytes)
  const p: Primitives = {
    ...base,
    x25519: {
      publicKey: async (scalar) => base.x25519.publicKey(keep('X25519 scalar', scalar)),
      sharedSecret: async (scalar, publicKey) => keep('X25519 shared secret', await base.x25519.sharedSecret(keep('X25519 scalar', scalar), publicKey)),
    },
    hkdf: async (ikm, salt, info, length) => keep(`HKDF output (${new TextDecoder().decode(info)})`, await base.hkdf(keep('HKDF input key', ikm), salt, info, length)),
    scrypt: async (password, salt, params) => keep('scrypt output', await base.scrypt(keep('passphrase bytes', password), salt, params)),
  }
  const notWiped = (except: string[] = []) => secrets.filter((s) => !except.some((e) => s.what.includes(e)) && !s.bytes.every((b) => b === 0)).map((s) => s.what)
  return { p, secrets, notWiped }
}

describe('key material is wiped once it has served', () => {
  const data = pseudoRandom(70_000, 3)

  it('encryption: ephemeral X25519 secrets, shared secrets, wrap keys, the file key and the payload key', async () => {
    const { identity, recipient } = await createAgeApi(nodePrimitives).generateAgeIdentity()
    const { p, secrets, notWiped } = recording(nodePrimitives)
    const file = await createAgeApi(p).ageEncrypt(data, { recipients: [recipient, recipient] })
    expect(secrets.length).toBeGreaterThan(8)
    expect(notWiped()).toEqual([])
    // and the file is still good
    expect(await createAgeApi(nodePrimitives).ageDecrypt(file, { identity })).toEqual(data)
  })

  it('one-shot decryption: the decoded identities, shared secrets, wrap keys, the file key and the payload key', async () => {
    const { identity, recipient } = await createAgeApi(nodePrimitives).generateAgeIdentity()
    const other = (await createAgeApi(nodePrimitives).generateAgeIdentity()).identity
    const file = await createAgeApi(nodePrimitives).ageEncrypt(data, { recipients: [recipient] })
    const { p, notWiped } = recording(nodePrimitives)
    expect(await createAgeApi(p).ageDecrypt(file, { identity: [other, identity] })).toEqual(data)
    expect(notWiped()).toEqual([])
    // also when decryption fails
    const failing = recording(nodePrimitives)
    expectCryptoError(await createAgeApi(failing.p).ageDecrypt(file, { identity: other }).catch((e: unknown) => e), 'E_DECRYPT')
    expect(failing.notWiped()).toEqual([])
  })

  it('streaming decryption and the random-access reader (which keeps only its payload key)', async () => {
    const { identity, recipient } = await createAgeApi(nodePrimitives).generateAgeIdentity()
    const file = await createAgeApi(nodePrimitives).ageEncrypt(data, { recipients: [recipient] })
    const stream = recording(nodePrimitives)
    const { output, error } = await runTransform(createAgeApi(stream.p).ageDecryptStream({ identity }), file, 1000)
    expect(error).toBeUndefined()
    expect(output).toEqual(data)
    expect(stream.notWiped()).toEqual([])

    const random = recording(nodePrimitives)
    const reader = await createAgeApi(random.p).openAgeReader({ size: file.length, read: async (o, n) => file.slice(o, o + n) }, { identity })
    expect(random.notWiped(['(payload)'])).toEqual([])
    expect(await reader.read(65_000, 1000)).toEqual(data.subarray(65_000, 66_000))
  })

  it('identities generated, or read for their recipient: the secret bytes', async () => {
    const { p, secrets, notWiped } = recording(nodePrimitives)
    const { identity, recipient } = await createAgeApi(p).generateAgeIdentity()
    expect(await createAgeApi(p).ageRecipientOf(`# a comment\n${identity}\n`)).toBe(recipient)
    expect(secrets.length).toBe(2)
    expect(notWiped()).toEqual([])
  })

  it('passphrases: the UTF-8 bytes handed to scrypt and the wrap key, both ways', async () => {
    const enc = recording(nodePrimitives)
    const file = await createAgeApi(enc.p).ageEncrypt(data, { passphrase: 'pass phrase' }, { workFactor: 10 })
    expect(enc.notWiped()).toEqual([])
    const dec = recording(nodePrimitives)
    expect(await createAgeApi(dec.p).ageDecrypt(file, { passphrase: 'pass phrase' })).toEqual(data)
    expect(dec.notWiped()).toEqual([])
  })
})
