/**
 * `@torshpkg/crypto/node`: Node-only helpers over the main entry's API (which they import,
 * so errors are the same `CryptoError` class).
 *
 * @example
 * ```ts
 * import { ageEncryptFile, ageDecryptFile } from '@torshpkg/crypto/node'
 * await ageEncryptFile('model.torshpkg', 'model.torshpkg.age', { recipients: ['age1...'] })
 * await ageDecryptFile('model.torshpkg.age', 'copy.torshpkg', { identity })
 * ```
 * @packageDocumentation
 */
export { ageEncryptFile, ageDecryptFile, type AgeFileOptions, type AgeFileResult } from './node/age-files.js'
