// Standard padded base64 (RFC 4648 section 4) for the wrapped key in the manifest. Strict:
// one spelling per value, so a stored envelope decodes only if it is exactly what a writer emits.
const SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

export function toBase64(bytes: Uint8Array): string {
  let binary = ''
  // Chunked: String.fromCharCode(...bytes) overflows the stack on large inputs.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** The bytes, or undefined if `text` is not canonical padded base64. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!SHAPE.test(text)) return undefined
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  // Non-zero unused bits in the last character are another spelling of the same bytes.
  return toBase64(bytes) === text ? bytes : undefined
}
