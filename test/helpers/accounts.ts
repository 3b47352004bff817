// Creates holders the way the browser does (src/crypto), with the server's KDF cost.
import { createAccountMaterial, derivePasswordKeys, deriveRecoveryKeys, type KdfParams } from "../../src/crypto/index.js";
import type { Container } from "../../src/container.js";

export interface TestHolder {
  id: string;
  email: string;
  password: string;
  recoveryKey: string;
}

let n = 0;
export function uniqueEmail(prefix = "holder"): string {
  n += 1;
  return `${prefix}-${Date.now().toString(36)}-${n}@example.test`;
}

/** `unconfirmed`: leave the recovery key unconfirmed, as a sign-up whose tab closed too early. */
export async function createHolder(c: Container, opts: { email?: string; password?: string; admin?: boolean; unconfirmed?: boolean } = {}): Promise<TestHolder> {
  const email = opts.email ?? uniqueEmail();
  const password = opts.password ?? "correct horse battery staple";
  // The server's own cost (TEST_KDF_ITERATIONS unless a test raised it), as its sign-up page asks.
  const { body, recoveryKey } = await createAccountMaterial(password, c.cfg.kdfIterations);
  const account = await c.accounts.signUp({ email, ...body }, { admin: opts.admin ?? false });
  // As the holder does on the sign-up page: without it the account cannot use the vault or apps.
  if (!opts.unconfirmed) await c.accounts.confirmRecoveryKey(account.id, (await deriveRecoveryKeys(recoveryKey)).authKey);
  return { id: account.id, email, password, recoveryKey };
}

/** The authKey the browser would send for this password. */
export async function authKeyFor(password: string, kdf: KdfParams): Promise<string> {
  return (await derivePasswordKeys(password, kdf)).authKey;
}
