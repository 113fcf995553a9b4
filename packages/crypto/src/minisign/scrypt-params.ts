import { CryptoError } from '../errors.js'
import type { ScryptParams } from '../primitives/types.js'

// minisign stores libsodium's two knobs, opslimit and memlimit, not scrypt's N, r, p. libsodium
// (crypto_pwhash_scryptsalsa208sha256, "pickparams") turns them into N, r, p by the rule below;
// we must follow it exactly or derive a different key.

/**
 * Largest opslimit and memlimit we accept from a key file: libsodium's `*_SENSITIVE` presets,
 * which are what minisign writes (2^25 and 1 GiB, giving N = 2^20, r = 8, p = 1: about 6 s
 * and 1 GiB of RAM in JS here). The values come from an untrusted file, and a few changed bytes
 * could otherwise ask for terabytes or hours before the checksum can say the file is bad.
 */
export const MAX_OPSLIMIT = 2 ** 25
export const MAX_MEMLIMIT = 2 ** 30

/** libsodium's floor: smaller opslimits are raised to this. */
const MIN_OPSLIMIT = 32768

/**
 * scrypt's N (as logN), r, p for a libsodium opslimit/memlimit pair, after checking both against
 * {@link MAX_OPSLIMIT} and {@link MAX_MEMLIMIT} (`E_LIMIT` otherwise).
 *
 * The rule: r = 8 and opslimit is raised to at least 32768. If opslimit < memlimit / 32, CPU
 * is the budget: p = 1 and logN is the smallest >= 1 with 2^logN > (opslimit / (4 r)) / 2.
 * Otherwise memory is: logN is the smallest >= 1 with 2^logN > (memlimit / (128 r)) / 2, and
 * p = min(opslimit / 4 / 2^logN, 2^30 - 1) / r. All
 * divisions truncate, as in C.
 *
 * @example
 * ```ts
 * scryptParamsFromLimits(2 ** 25, 2 ** 30) // { logN: 20, r: 8, p: 1, dkLen: 104 }: minisign's
 * ```
 */
export function scryptParamsFromLimits(opslimit: number, memlimit: number, dkLen = 104): ScryptParams {
  if (!Number.isSafeInteger(opslimit) || opslimit < 0 || opslimit > MAX_OPSLIMIT) {
    throw new CryptoError('E_LIMIT', `scrypt opslimit ${opslimit} is above the ${MAX_OPSLIMIT} accepted (libsodium's "sensitive" preset, which minisign uses)`, {
      details: { field: 'kdfOpslimit', limit: MAX_OPSLIMIT },
    })
  }
  if (!Number.isSafeInteger(memlimit) || memlimit < 0 || memlimit > MAX_MEMLIMIT) {
    throw new CryptoError('E_LIMIT', `scrypt memlimit ${memlimit} bytes is above the ${MAX_MEMLIMIT} accepted (libsodium's "sensitive" preset, which minisign uses)`, {
      details: { field: 'kdfMemlimit', limit: MAX_MEMLIMIT },
    })
  }
  const ops = Math.max(opslimit, MIN_OPSLIMIT)
  const r = 8
  const smallestLogN = (maxN: number) => {
    let logN = 1
    while (logN < 63 && 2 ** logN <= Math.floor(maxN / 2)) logN++
    return logN
  }
  if (ops < Math.floor(memlimit / 32)) {
    return { logN: smallestLogN(Math.floor(ops / (r * 4))), r, p: 1, dkLen }
  }
  const logN = smallestLogN(Math.floor(memlimit / (r * 128)))
  const maxrp = Math.min(Math.floor(Math.floor(ops / 4) / 2 ** logN), 0x3fffffff)
  // p >= 1 under the caps above (ops >= memlimit / 32 makes maxrp >= r); keep scrypt valid regardless.
  return { logN, r, p: Math.max(1, Math.floor(maxrp / r)), dkLen }
}
