import type { PublicKey, SecretKey } from '../keys/types.js'
import type { Primitives } from '../primitives/types.js'
import type { SignInput } from './input.js'
import type { TextInput } from './lines.js'
import { encryptSecretKey, parseSecretKey, type EncryptSecretKeyOptions, type ParseSecretKeyOptions } from './secret-key.js'
import { signWith, type SignOptions } from './sign.js'
import { verifyWith, type VerifyOptions, type VerifyResult } from './verify.js'

/**
 * minisign functions over one set of primitives; spread into the package API. The pure
 * parsers and formatters (public keys, signatures, unencrypted secret keys) need no
 * primitives and are exported directly from the package.
 */
export function createMinisignApi(p: Primitives) {
  return {
    /**
     * The secret key in a minisign secret key file; `{ password }` for an encrypted one.
     *
     * @example
     * ```ts
     * const sk = await parseMinisignSecretKey(readFileSync('minisign.key'), { password })
     * ```
     */
    parseMinisignSecretKey: (text: TextInput, options?: ParseSecretKeyOptions): Promise<SecretKey> => parseSecretKey(p, text, options),
    /**
     * A password-protected minisign secret key file for `secretKey`.
     *
     * @example
     * ```ts
     * writeFileSync('my.key', await encryptMinisignSecretKey(secretKey, 'hunter2'))
     * ```
     */
    encryptMinisignSecretKey: (secretKey: SecretKey, password: string | Uint8Array, options?: EncryptSecretKeyOptions): Promise<string> =>
      encryptSecretKey(p, secretKey, password, options),
    /**
     * A minisign signature (.minisig text) of `data`.
     *
     * @example
     * ```ts
     * const minisig = await signFile(bytes, secretKey, { trustedComment: 'release 1.2' })
     * ```
     */
    signFile: (data: SignInput, secretKey: SecretKey | PromiseLike<SecretKey>, options?: SignOptions): Promise<string> => signWith(p, data, secretKey, options),
    /**
     * Whether `minisig` is a good minisign signature of `data` by `publicKey`. Never throws on
     * a bad or malformed signature.
     *
     * @example
     * ```ts
     * const { valid, trustedComment, reason } = await verifyFile(bytes, minisig, publicKey)
     * ```
     */
    verifyFile: (data: SignInput, minisig: TextInput, publicKey: PublicKey | string, options?: VerifyOptions): Promise<VerifyResult> =>
      verifyWith(p, data, minisig, publicKey, options),
  }
}
