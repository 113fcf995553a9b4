// Streaming encryption and decryption as web TransformStreams, in constant memory: one 64 KiB
// chunk buffered (plus the header, at most AGE_LIMITS.maxHeaderBytes, while it arrives).
// Decryption emits a chunk's plaintext only after its tag verified, and errors the stream
// when the input ends without a valid final chunk, so a consumer that sees the stream close
// normally has the whole, authenticated plaintext.
import { toBytes } from '../bytes.js'
import { CryptoError } from '../errors.js'
import type { Primitives } from '../primitives/types.js'
import { ArmorDecoder, ArmorEncoder, detectArmor, skipSpace } from './armor.js'
import { beginFile, prepareTo } from './encrypt.js'
import { parseHeader } from './header.js'
import { CHUNK_SIZE, ENC_CHUNK_SIZE, PAYLOAD_NONCE_SIZE, TAG_SIZE } from './limits.js'
import { openChunk, payloadKey, sealChunk, tryOpenChunk } from './stream.js'
import type { AgeDecryptKey, AgeDecryptOptions, AgeEncryptOptions, AgeEncryptTo } from './types.js'
import { forgetKey, prepareKey, unwrapFileKey, type PreparedKey } from './unwrap.js'

type Controller = TransformStreamDefaultController<Uint8Array>

/**
 * Encrypt a byte stream. `to` and the options are checked when this is called (errors are
 * thrown here); the header is written first, then one sealed chunk per 64 KiB of input. A full
 * chunk is held back until more input arrives, since only the end of the input says it is the
 * final one.
 */
export function encryptStream(p: Primitives, to: AgeEncryptTo, options: AgeEncryptOptions = {}): TransformStream<Uint8Array, Uint8Array> {
  const prepared = prepareTo(to, options)
  const armor = options.armor ? new ArmorEncoder() : undefined
  const buffer = new Uint8Array(CHUNK_SIZE)
  let fill = 0
  let index = 0
  let key: Uint8Array
  const emit = (controller: Controller, bytes: Uint8Array) => {
    const out = armor ? armor.push(bytes) : bytes
    if (out.length) controller.enqueue(out)
  }
  return new TransformStream<Uint8Array, Uint8Array>({
    async start(controller) {
      const begun = await beginFile(p, prepared)
      key = begun.payloadKey
      emit(controller, begun.prefix)
    },
    async transform(chunk, controller) {
      const data = toBytes(chunk)
      for (let at = 0; at < data.length; ) {
        if (fill === CHUNK_SIZE) {
          emit(controller, await sealChunk(p, key, index++, false, buffer))
          fill = 0
        }
        const take = Math.min(CHUNK_SIZE - fill, data.length - at)
        buffer.set(data.subarray(at, at + take), fill)
        fill += take
        at += take
      }
    },
    async flush(controller) {
      emit(controller, await sealChunk(p, key, index, true, buffer.subarray(0, fill)))
      key.fill(0)
      if (armor) controller.enqueue(armor.finish())
    },
  })
}

/** A byte buffer that grows by doubling (the header accumulates in one). */
class Accumulator {
  bytes = new Uint8Array(1024)
  length = 0
  append(data: Uint8Array): void {
    if (this.length + data.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + data.length))
      grown.set(this.bytes.subarray(0, this.length))
      this.bytes = grown
    }
    this.bytes.set(data, this.length)
    this.length += data.length
  }
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length)
  }
}

/** Whether `bytes[from..]` holds the start of a MAC line ("\n---"), the only place a header can end. */
function hasMacLine(bytes: Uint8Array, from: number): boolean {
  for (let i = bytes.indexOf(10, from); i >= 0 && i + 3 < bytes.length; i = bytes.indexOf(10, i + 1)) {
    if (bytes[i + 1] === 0x2d && bytes[i + 2] === 0x2d && bytes[i + 3] === 0x2d) return true
  }
  return false
}

/**
 * Decrypt a byte stream (binary or armored, detected unless `options.armor` says). Each 64 KiB
 * chunk is emitted once authenticated; any failure errors the stream with the same
 * `CryptoError` the one-shot function would throw. As in age, a full chunk is released as soon
 * as it authenticates, so a file cut after a full chunk (or a full final chunk followed by
 * garbage) releases those authentic chunks and then errors.
 */
export function decryptStream(p: Primitives, key: AgeDecryptKey, options: AgeDecryptOptions = {}): TransformStream<Uint8Array, Uint8Array> {
  let prepared: PreparedKey
  let armor: ArmorDecoder | undefined
  let state: 'detect' | 'header' | 'nonce' | 'payload' = 'detect'
  let leadingSpace = false
  // First bytes, then header bytes while they arrive (bounded by parseHeader's limits), then the nonce.
  let head = new Accumulator()
  let macSeen = false
  let nextParseAt = 0
  let fileKey: Uint8Array
  let chunkKey: Uint8Array | undefined // set once the nonce has arrived
  const pending = new Uint8Array(ENC_CHUNK_SIZE)
  let fill = 0
  let index = 0
  let finished = false // the final chunk was a full one, already released

  const startPayload = async (data: Uint8Array): Promise<Uint8Array | undefined> => {
    head.append(data)
    if (head.length < PAYLOAD_NONCE_SIZE) return undefined
    const bytes = head.view()
    chunkKey = await payloadKey(p, fileKey, bytes.subarray(0, PAYLOAD_NONCE_SIZE))
    fileKey.fill(0) // the payload key is all the rest of the stream needs
    head = new Accumulator()
    state = 'payload'
    return bytes.subarray(PAYLOAD_NONCE_SIZE)
  }

  // The binary age file, in pieces.
  const onBinary = async (data: Uint8Array, controller: Controller): Promise<void> => {
    if (state === 'header') {
      const scannedTo = head.length
      head.append(data)
      const bytes = head.view()
      // Parse when a line has just ended after a MAC line began (only then can the header be
      // complete), or when the buffer doubled (so limits hit early). Re-parsing on every piece
      // would be quadratic in the header size: a hostile sender could follow 1 MiB of stanzas
      // and "---" with single bytes, each costing a full parse.
      macSeen ||= hasMacLine(bytes, Math.max(0, scannedTo - 3))
      if (!(macSeen && data.includes(10)) && bytes.length < nextParseAt) return
      nextParseAt = bytes.length * 2
      const header = parseHeader(bytes, false)
      if (!header) return
      try {
        fileKey = await unwrapFileKey(p, header, prepared)
      } finally {
        forgetKey(prepared)
      }
      state = 'nonce'
      head = new Accumulator()
      data = bytes.subarray(header.length)
    }
    if (state === 'nonce') {
      const rest = await startPayload(data)
      if (!rest) return
      data = rest
    }
    for (let at = 0; at < data.length; ) {
      if (finished) {
        throw new CryptoError('E_DECRYPT', `age payload: chunk ${index - 1} is the final chunk but data follows it (trailing data)`, {
          details: { field: 'payload', chunk: index - 1, final: true },
        })
      }
      const take = Math.min(ENC_CHUNK_SIZE - fill, data.length - at)
      pending.set(data.subarray(at, at + take), fill)
      fill += take
      at += take
      if (fill === ENC_CHUNK_SIZE) await fullChunk(controller)
    }
  }

  // A full chunk is opened as soon as it is complete, as age does: as a non-final chunk, or
  // else as the final one (then nothing may follow). Its plaintext is released once it has
  // authenticated; a stream that ends after a non-final chunk still errors in flush.
  const fullChunk = async (controller: Controller): Promise<void> => {
    let plain = await tryOpenChunk(p, chunkKey!, index, false, pending)
    if (!plain) {
      plain = await tryOpenChunk(p, chunkKey!, index, true, pending)
      if (!plain) throw new CryptoError('E_DECRYPT', `age payload: chunk ${index} does not authenticate (wrong key, or the data was changed)`, { details: { field: 'payload', chunk: index } })
      finished = true
    }
    controller.enqueue(plain)
    index++
    fill = 0
  }

  // Armor or not, from the first bytes; leading whitespace is allowed before armor only.
  const detect = (data: Uint8Array, end: boolean): Uint8Array | undefined => {
    head.append(data)
    const skip = skipSpace(head.view())
    if (skip > 0) {
      // Dropped as it arrives, so endless whitespace costs no memory.
      leadingSpace = true
      const rest = head.view().slice(skip)
      head = new Accumulator()
      head.append(rest)
    }
    let armored = options.armor ?? detectArmor(head.view())
    if (armored === undefined) {
      if (!end) return undefined
      armored = false
    }
    const bytes = head.view().slice()
    head = new Accumulator()
    state = 'header'
    if (armored) {
      armor = new ArmorDecoder()
    } else if (options.armor === false && detectArmor(bytes) === true) {
      throw new CryptoError('E_FORMAT', 'age: the input is ASCII-armored but armor: false was given', { details: { field: 'armor', line: 1 } })
    } else if (leadingSpace) {
      throw new CryptoError('E_FORMAT', 'age header: not an age file (whitespace before "age-encryption.org/")', { details: { field: 'version', line: 1, offset: 0 } })
    }
    return bytes
  }

  // End of input: whatever state we are in must be a complete file, else the stream errors.
  const finish = async (controller: Controller): Promise<void> => {
    if (state === 'detect') {
      const data = detect(new Uint8Array(0), true)!
      await onBinary(armor ? armor.push(data) : data, controller)
    }
    if (armor) await onBinary(armor.finish(), controller)
    if (state === 'header') {
      parseHeader(head.view(), true) // throws: the header never ended
      throw new CryptoError('E_FORMAT', 'age: the file ends inside the header', { details: { field: 'header' } })
    }
    if (state === 'nonce') {
      throw new CryptoError('E_FORMAT', 'age: the payload nonce is missing (the file ends after the header)', { details: { field: 'nonce' } })
    }
    if (finished) return
    // The buffered (short) chunk must be the final one.
    if (fill === 0 && index > 0) {
      throw new CryptoError('E_DECRYPT', `age payload: the file ends after chunk ${index - 1}, which is not marked final (truncated)`, {
        details: { field: 'payload', chunk: index - 1, final: false },
      })
    }
    if (fill < TAG_SIZE) {
      throw new CryptoError(
        'E_DECRYPT',
        fill === 0 ? 'age payload: no chunks after the nonce (the file is truncated)' : `age payload: the last chunk is ${fill} bytes, shorter than its tag (the file is truncated)`,
        { details: { field: 'payload', chunk: index } },
      )
    }
    if (fill === TAG_SIZE && index > 0) {
      throw new CryptoError('E_DECRYPT', 'age payload: the final chunk is empty, which only an empty file may have (truncated or altered)', {
        details: { field: 'payload', chunk: index },
      })
    }
    controller.enqueue(await openChunk(p, chunkKey!, index, true, pending.subarray(0, fill)))
  }

  // Any failure ends the stream, and with it the need for the identities and the file key.
  const guarded = async (work: () => Promise<void>): Promise<void> => {
    try {
      await work()
    } catch (e) {
      forgetKey(prepared)
      fileKey?.fill(0)
      throw e
    }
  }

  return new TransformStream<Uint8Array, Uint8Array>({
    async start() {
      prepared = await prepareKey(p, key, options)
    },
    async transform(chunk, controller) {
      await guarded(async () => {
        let data: Uint8Array | undefined = toBytes(chunk)
        if (state === 'detect') data = detect(data, false)
        if (data) await onBinary(armor ? armor.push(data) : data, controller)
      })
    },
    flush: (controller) =>
      guarded(async () => {
        try {
          await finish(controller)
        } finally {
          chunkKey?.fill(0) // the last chunk is out (or the stream failed): the key is done
        }
      }),
  })
}
