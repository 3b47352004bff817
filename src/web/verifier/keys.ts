// The verifier's keys in the member's browser. The first member to open the console of a verifier
// without keys makes them here: a signing and an encryption key pair, the private halves sealed to
// the member's own holder encryption key, and an empty status list signed with the new key. Later
// members get the keys from any member who has them, sealed to their holder encryption key.
import { calculateJwkThumbprint, type JWK } from "jose";
import { generateVerifierKeys, newStatusListToken, openVerifierKeys, sealVerifierKeys, type HolderKeys } from "../../credentials/index.js";
import { ApiError, loadConsole, setUpKeys, shareKeys, type ConsoleView, type WaitingMember } from "./api.js";

export interface VerifierKeys {
  signingKey: CryptoKey;
  encryptionKey: CryptoKey;
  privateJwks: { signing: JWK; encryption: JWK };
  /** The `kid` of the signing key as the issuer metadata publishes it. */
  kid: string;
}

/** The signing key's id: the one it was published with, or its RFC 7638 thumbprint. */
export const kidOf = async (jwk: JWK): Promise<string> => jwk.kid ?? (await calculateJwkThumbprint(jwk));

type Opened = Awaited<ReturnType<typeof openVerifierKeys>>;

async function asVerifierKeys(opened: Opened, signingPublic: JWK): Promise<VerifierKeys> {
  return { signingKey: opened.signingKey, encryptionKey: opened.encryptionKey, privateJwks: opened.privateJwks, kid: await kidOf(signingPublic) };
}

/**
 * The state of the keys for this member: opened, waiting for someone to share them, or freshly
 * made (first member). `view` is refreshed when the keys were made here.
 */
export async function verifierKeys(slug: string, passportIssuer: string, view: ConsoleView, holder: HolderKeys): Promise<{ keys: VerifierKeys | null; view: ConsoleView; made: boolean }> {
  const v = view.verifier;
  if (v.signingJwk && view.sealedKeys) {
    return { keys: await asVerifierKeys(await openVerifierKeys(view.sealedKeys, holder.encryptionKey), v.signingJwk), view, made: false };
  }
  if (v.signingJwk) return { keys: null, view, made: false };
  const made = await generateVerifierKeys();
  const kid = await kidOf(made.publicJwks.signing);
  const sealedKeys = await sealVerifierKeys(made.privateJwks, holder.encryptionJwk);
  const opened = await openVerifierKeys(sealedKeys, holder.encryptionKey);
  // The status list lives on this server whoever publishes the keys: its URI names a fresh list id.
  const uri = `${passportIssuer.replace(/\/+$/, "")}/verifiers/${slug}/status/${crypto.randomUUID()}`;
  const statusListToken = await newStatusListToken({ issuer: v.issuer, uri, size: view.statusListSize, signingKey: opened.signingKey, kid });
  try {
    await setUpKeys(slug, { signingJwk: made.publicJwks.signing, encryptionJwk: made.publicJwks.encryption, sealedKeys, statusListToken });
  } catch (err) {
    // Another member made keys at the same moment; theirs stand, and they share them with us.
    if (err instanceof ApiError && err.status === 409) return verifierKeys(slug, passportIssuer, await loadConsole(slug), holder);
    throw err;
  }
  return { keys: await asVerifierKeys(opened, made.publicJwks.signing), view: await loadConsole(slug), made: true };
}

/** Seals the verifier's private keys to a waiting member's holder encryption key. */
export async function shareWith(slug: string, keys: VerifierKeys, member: WaitingMember): Promise<void> {
  await shareKeys(slug, member.accountId, await sealVerifierKeys(keys.privateJwks, member.encryptionJwk));
}
