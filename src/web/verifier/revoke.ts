// Revoking a credential: the status list is fetched, its bit flipped and the list signed again in
// this browser with the verifier's key. The server takes it only if the signature is the
// verifier's, the bit is now set and nobody changed the list meanwhile (compare-and-set on the
// version); on a conflict the newer list is fetched and the bit flipped again.
import { revokeInStatusListToken } from "../../credentials/index.js";
import { ApiError, loadStatusList, revoke, type IssuedCredential } from "./api.js";
import type { VerifierKeys } from "./keys.js";

const ATTEMPTS = 5;

export async function revokeCredential(slug: string, keys: VerifierKeys, c: IssuedCredential): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const list = await loadStatusList(slug, c.statusListId);
    const token = await revokeInStatusListToken(list.token, c.statusIndex, keys.signingKey, keys.kid);
    try {
      await revoke(slug, c.id, { token, version: list.version });
      return;
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409) || attempt >= ATTEMPTS) throw err;
    }
  }
}
