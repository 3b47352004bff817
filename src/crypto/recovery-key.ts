/**
 * The recovery key: 32 random bytes shown to the holder once at sign-up. It wraps a second copy of
 * the vault key, so forgetting the password does not lose the vault.
 *
 * Text format (56 symbols, 14 groups of 4, 69 characters with dashes):
 *
 *     XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-CCCC
 *     \__________________ 52 data symbols (13 groups) _________________/ \checksum
 *
 * - data: the 32 bytes in Crockford base32, big-endian, 256 bits + 4 zero padding bits = 52 symbols.
 * - checksum: the 52 data symbols read as one base-32 number, modulo P = 1,048,573 (the largest
 *   prime below 2^20), written as 4 symbols (20 bits, big-endian, zero-filled).
 *
 * Why a prime modulus (Crockford's own check-symbol idea, widened to 4 symbols): a single wrong
 * symbol at position i changes the number by d·32^i with 0 < |d| < 32; P is a prime greater than
 * 31 and coprime to 32, so it never divides that change — every single-character typo is caught.
 * Swapping two adjacent different symbols changes it by (a−b)·31·32^i, also never a multiple of P,
 * so those are caught too. Any other error slips through with probability about 1 in a million.
 * A typo in the checksum group itself makes it disagree with the data. All of this is checked
 * locally, before any network call, so the holder hears "not valid" rather than a server refusal.
 *
 * Input is forgiving: case, whitespace, dashes (any kind), dots, underscores, full-width forms and
 * the look-alikes I/L→1, O→0 are accepted.
 */
import { crockfordEncode, crockfordDecodeValues, crockfordValue, CROCKFORD_ALPHABET } from "./crockford.js";
import { CryptoInputError } from "./errors.js";
import { hkdfB64u, hkdfKek, importHkdfBase } from "./hkdf.js";
import { randomBytes } from "./random.js";

export const RECOVERY_KEY_BYTES = 32;
export const RECOVERY_AUTH_INFO = "passport/recovery-auth/v1";
export const RECOVERY_INFO = "passport/recovery/v1";

const DATA_SYMBOLS = 52; // ceil(256 / 5)
const CHECK_SYMBOLS = 4;
const CHECK_MODULUS = 1_048_573; // largest prime < 2^20
const GROUP = 4;

// Horner's rule mod P; acc·32 + 31 stays far below 2^53, so plain numbers are exact.
function checksum(values: readonly number[]): number {
  let acc = 0;
  for (const v of values) acc = (acc * 32 + v) % CHECK_MODULUS;
  return acc;
}

function checkSymbols(sum: number): string {
  let out = "";
  for (let i = CHECK_SYMBOLS - 1; i >= 0; i--) out += CROCKFORD_ALPHABET[(sum >> (5 * i)) & 31];
  return out;
}

function group(symbols: string): string {
  return symbols.match(new RegExp(`.{1,${GROUP}}`, "g"))!.join("-");
}

export function generateRecoveryKey(): string {
  const data = crockfordEncode(randomBytes(RECOVERY_KEY_BYTES));
  const values = [...data].map(crockfordValue);
  return group(data + checkSymbols(checksum(values)));
}

/** Parse what the holder typed into the 32 key bytes, or throw CryptoInputError. */
export function normalizeRecoveryKey(input: string): Uint8Array<ArrayBuffer> {
  const invalid = () => new CryptoInputError("recovery key is not valid");
  if (typeof input !== "string") throw invalid();
  // NFKC folds full-width letters/digits (IME input) to ASCII; then drop every kind of separator.
  const compact = input
    .normalize("NFKC")
    .toUpperCase()
    .replace(/[\s\-\u2010-\u2015\u2212_.]/g, "");
  if (compact.length !== DATA_SYMBOLS + CHECK_SYMBOLS) throw invalid();

  const values: number[] = [];
  for (const ch of compact) {
    const v = crockfordValue(ch);
    if (v < 0) throw invalid();
    values.push(v);
  }
  const data = values.slice(0, DATA_SYMBOLS);
  const given = values.slice(DATA_SYMBOLS).reduce((acc, v) => acc * 32 + v, 0);
  if (given !== checksum(data)) throw invalid();
  try {
    return crockfordDecodeValues(data);
  } catch (cause) {
    throw new CryptoInputError("recovery key is not valid", { cause });
  }
}

/**
 * Recovery key → { authKey, kek }, mirroring the password hierarchy with its own HKDF infos.
 * No PBKDF2 here: the key already has 256 bits of entropy, so stretching would only slow down
 * the holder, never an attacker. The server keeps argon2id(authKey) so a holder who lost the
 * password can prove they hold the recovery key; the kek unwraps the recovery copy of the vault key.
 */
export async function deriveRecoveryKeys(
  recoveryKey: string,
): Promise<{ authKey: string; kek: CryptoKey }> {
  const base = await importHkdfBase(normalizeRecoveryKey(recoveryKey));
  const [authKey, kek] = await Promise.all([
    hkdfB64u(base, RECOVERY_AUTH_INFO),
    hkdfKek(base, RECOVERY_INFO),
  ]);
  return { authKey, kek };
}
