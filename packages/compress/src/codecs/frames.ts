import { ByteQueue } from '../byte-queue.js'
import { CompressError } from '../errors.js'
import type { StreamCoder } from '../types.js'

const SKIPPABLE = 0x184d2a50 // ...0x184d2a5f: skippable frames, shared by LZ4 and zstd

export const u32le = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0

/**
 * The container rule LZ4 and zstd share: a stream is frames one after another, each opened by
 * the format's magic number, with skippable frames (magic 0x184D2A5?, a length, data) allowed
 * in between. Subclasses decode the inside of a frame, one step at a time, as input arrives.
 */
export abstract class FrameDecoder implements StreamCoder {
  protected readonly input = new ByteQueue()
  protected frames = 0
  private where: 'between' | 'skip' | 'frame' = 'between'
  private skipLeft = 0

  constructor(
    protected readonly name: string,
    private readonly magic: number,
  ) {}

  push(chunk: Uint8Array, final: boolean): Uint8Array[] {
    this.input.push(chunk)
    const out: Uint8Array[] = []
    try {
      while (this.advance(out)) {}
    } catch (e) {
      if (e instanceof CompressError) throw e
      throw this.corrupt(`malformed frame (${(e as Error)?.message ?? e})`)
    }
    if (final) {
      if (this.where !== 'between' || this.input.available > 0) throw this.corrupt('input ends inside a frame (truncated?)')
      if (this.frames === 0) throw this.corrupt('no frame in the input')
    }
    return out
  }

  protected corrupt(why: string): CompressError {
    return new CompressError('E_CORRUPT', `${this.name}: ${why}`)
  }

  /** An unknown magic number where a frame should start. */
  protected unknownMagic(_magic: number): never {
    throw this.corrupt(this.frames === 0 ? `not a ${this.name} frame (bad magic number)` : 'garbage after the last frame')
  }

  /** Called when a frame's magic number has been consumed. */
  protected abstract startFrame(): void

  /** Decode more of the current frame: 'more' (input needed), 'progress', or 'done'. */
  protected abstract frameStep(out: Uint8Array[]): 'more' | 'progress' | 'done'

  private advance(out: Uint8Array[]): boolean {
    const q = this.input
    if (this.where === 'between') {
      if (q.available < 4) return false
      const magic = u32le(q.peek(4), 0)
      if (magic === this.magic) {
        q.skip(4)
        this.where = 'frame'
        this.startFrame()
        return true
      }
      if ((magic & 0xfffffff0) === SKIPPABLE) {
        if (q.available < 8) return false
        this.skipLeft = u32le(q.take(8), 4)
        this.where = 'skip'
        return true
      }
      this.unknownMagic(magic)
    }
    if (this.where === 'skip') {
      const n = Math.min(this.skipLeft, q.available)
      q.skip(n)
      this.skipLeft -= n
      if (this.skipLeft > 0) return false
      this.frames++
      this.where = 'between'
      return true
    }
    const step = this.frameStep(out)
    if (step === 'done') {
      this.frames++
      this.where = 'between'
    }
    return step !== 'more'
  }
}
