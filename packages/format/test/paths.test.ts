import { describe, expect, it } from 'vitest'
import { createPackage, normalizePath, PackageError } from '@torshpkg/format'

const hostile: [unknown, string][] = [
  ['', 'empty'],
  ['/etc/passwd', 'absolute'],
  ['//server/share/x', 'absolute'],
  ['../secrets', 'dot-segment'],
  ['a/../../b', 'dot-segment'],
  ['a/..', 'dot-segment'],
  ['./a', 'dot-segment'],
  ['a/./b', 'dot-segment'],
  ['.', 'dot-segment'],
  ['a//b', 'empty-segment'],
  ['a/', 'empty-segment'],
  ['a\\b', 'backslash'],
  ['..\\..\\windows\\system32', 'backslash'],
  ['C:/Windows/win.ini', 'drive-letter'],
  ['c:relative', 'drive-letter'],
  ['a\u0000b', 'control-character'],
  ['a\nb', 'control-character'],
  ['tab\there', 'control-character'],
  ['del\u007f', 'control-character'],
  ['c1\u0085', 'control-character'],
  ['lone\ud800surrogate', 'malformed-unicode'],
  ['x'.repeat(4097), 'too-long'],
  ['a/' + 'y'.repeat(256), 'too-long'],
  [42, 'not-a-string'],
  [null, 'not-a-string'],
]

describe('resource paths', () => {
  it.each(hostile)('refuses %j (%s)', (path, reason) => {
    let error: unknown
    try {
      normalizePath(path)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(PackageError)
    expect(error).toMatchObject({ code: 'E_BAD_PATH', details: { reason } })
  })

  it('the writer refuses the same paths, and the writer stays usable afterwards', async () => {
    const w = createPackage('memory', { name: 'p', version: '1.0.0' })
    for (const [path, reason] of hostile) {
      await expect(w.add(path as string, 'x')).rejects.toMatchObject({ code: 'E_BAD_PATH', details: { reason } })
    }
    await w.add('fine/path.txt', 'ok')
    expect((await w.finish()).resources).toBe(1)
  })

  it('accepts ordinary and unicode paths, normalised to NFC', () => {
    for (const p of ['a', 'weights/layer.0.bin', 'a b/c-d_e.f', '.hidden', '...', 'a..b', '模型/权重.safetensors', 'emoji/🧠.json', 'name:with:colons']) {
      expect(normalizePath(p)).toBe(p)
    }
    expect(normalizePath('cafe\u0301')).toBe('caf\u00e9')
    expect(normalizePath('x'.repeat(255))).toHaveLength(255)
  })

  it('duplicates are refused after normalisation', async () => {
    const w = createPackage('memory', { name: 'p', version: '1.0.0' })
    await w.add('caf\u00e9.txt', 'nfc')
    await expect(w.add('cafe\u0301.txt', 'nfd')).rejects.toMatchObject({ code: 'E_BAD_PATH', details: { reason: 'duplicate' } })
    await expect(w.add('caf\u00e9.txt', 'again')).rejects.toMatchObject({ code: 'E_BAD_PATH', details: { reason: 'duplicate' } })
  })
})
