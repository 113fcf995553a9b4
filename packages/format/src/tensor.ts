import { PackageError } from './errors.js'
import { MAX_DTYPE_BYTES, MAX_TENSOR_RANK } from './layout/constants.js'

/** Element types a tensor resource can declare. Names follow PyTorch (`torch.float32` -> `float32`). */
export type DType =
  | 'float64'
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'float8_e4m3fn'
  | 'float8_e5m2'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint64'
  | 'uint32'
  | 'uint16'
  | 'uint8'
  | 'bool'

/** Shape and element type of a tensor stored little-endian, row-major, without padding. */
export interface TensorInfo {
  dtype: DType
  shape: readonly number[]
}

/** Bytes per element. */
export const DTYPE_SIZES: Readonly<Record<DType, number>> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float8_e4m3fn: 1,
  float8_e5m2: 1,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint64: 8,
  uint32: 4,
  uint16: 2,
  uint8: 1,
  bool: 1,
}

/** Common spellings accepted by the writer and mapped to the canonical name. */
const ALIASES: Readonly<Record<string, DType>> = {
  f64: 'float64', F64: 'float64', double: 'float64',
  f32: 'float32', F32: 'float32', float: 'float32',
  f16: 'float16', F16: 'float16', half: 'float16',
  bf16: 'bfloat16', BF16: 'bfloat16',
  i64: 'int64', I64: 'int64', i32: 'int32', I32: 'int32', i16: 'int16', I16: 'int16', i8: 'int8', I8: 'int8',
  u64: 'uint64', U64: 'uint64', u32: 'uint32', U32: 'uint32', u16: 'uint16', U16: 'uint16', u8: 'uint8', U8: 'uint8',
  BOOL: 'bool',
}

export function isDType(s: string): s is DType {
  return Object.hasOwn(DTYPE_SIZES, s)
}

/** Validate tensor info given to the writer; returns it with the canonical dtype name. */
export function checkTensorInfo(tensor: unknown, size: number | undefined): TensorInfo {
  const t = tensor as { dtype?: unknown; shape?: unknown } | null
  if (typeof t !== 'object' || t === null) throw arg('tensor must be an object { dtype, shape }')
  const raw = t.dtype
  const dtype = typeof raw === 'string' ? (isDType(raw) ? raw : ALIASES[raw]) : undefined
  if (!dtype) throw arg(`tensor.dtype must be one of ${Object.keys(DTYPE_SIZES).join(', ')}; got ${JSON.stringify(raw)}`)
  if (!Array.isArray(t.shape) || t.shape.length > MAX_TENSOR_RANK) {
    throw arg(`tensor.shape must be an array of at most ${MAX_TENSOR_RANK} dimensions`)
  }
  const shape = t.shape.map((d, i) => {
    if (!Number.isSafeInteger(d) || (d as number) < 0) throw arg(`tensor.shape[${i}] must be a non-negative integer, got ${JSON.stringify(d)}`)
    return d as number
  })
  if (size !== undefined) checkTensorSize({ dtype, shape }, size)
  return { dtype, shape }
}

/** `E_ARGUMENT` unless shape x element size equals `size` bytes. */
export function checkTensorSize(tensor: TensorInfo, size: number): void {
  const expected = tensorByteLength(tensor)
  if (expected !== size) {
    throw arg(`tensor ${tensor.dtype}[${tensor.shape.join(', ')}] needs ${expected} bytes but the data has ${size}`)
  }
}

/** Bytes a tensor occupies, or NaN if that does not fit a safe integer. */
export function tensorByteLength(tensor: TensorInfo): number {
  let n = DTYPE_SIZES[tensor.dtype]
  for (const d of tensor.shape) n *= d
  return Number.isSafeInteger(n) ? n : Number.NaN
}

/** Typed array kinds returned by `readTensor`. */
export type TensorArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint32Array
  | Uint16Array
  | Uint8Array
  | BigInt64Array
  | BigUint64Array

/**
 * A typed-array view over tensor bytes, without copying. float16, bfloat16 and float8 come back
 * as their raw bit patterns (Uint16Array / Uint8Array): JavaScript has no portable type for them.
 * The bytes must be aligned to the element size, which the container guarantees.
 */
export function tensorView(dtype: DType, bytes: Uint8Array): TensorArray {
  const { buffer, byteOffset, byteLength } = bytes
  const n = byteLength / DTYPE_SIZES[dtype]
  switch (dtype) {
    case 'float64': return new Float64Array(buffer, byteOffset, n)
    case 'float32': return new Float32Array(buffer, byteOffset, n)
    case 'int64': return new BigInt64Array(buffer, byteOffset, n)
    case 'uint64': return new BigUint64Array(buffer, byteOffset, n)
    case 'int32': return new Int32Array(buffer, byteOffset, n)
    case 'uint32': return new Uint32Array(buffer, byteOffset, n)
    case 'int16': return new Int16Array(buffer, byteOffset, n)
    case 'float16': case 'bfloat16': case 'uint16': return new Uint16Array(buffer, byteOffset, n)
    case 'int8': return new Int8Array(buffer, byteOffset, n)
    default: return new Uint8Array(buffer, byteOffset, n)
  }
}

/** Whether a stored dtype string is acceptable on the reader side (known or not). */
export function isStoredDType(s: string): boolean {
  return s.length > 0 && s.length <= MAX_DTYPE_BYTES && /^[a-z0-9_]+$/.test(s)
}

function arg(message: string): PackageError {
  return new PackageError('E_ARGUMENT', message, { field: 'tensor' })
}
