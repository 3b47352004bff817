// Passport as an issuer of SD-JWT VCs in its own name (today: the email attestation). It signs with
// the provider's own EC key (src/oidc/keys.ts): the server holding its own signing key is fine, it
// never holds a holder's key. Its issuer URL is ISSUER; its keys are published as SD-JWT VC issuer
// metadata at the bare /.well-known/jwt-vc-issuer, and its Token Status Lists are rows of
// status_lists without a verifier, at ${ISSUER}/status/<id>.
import crypto from "node:crypto";
import type { JWK } from "jose";
import { newStatusListToken, readStatusListToken, revokeInStatusListToken } from "../credentials/index.js";
import type { StatusListStore } from "../db/status-lists.js";
import { AppError, NotFoundError } from "../errors.js";
import type { KeyRing } from "../oidc/keys.js";

const PRIVATE = ["d", "p", "q", "dp", "dq", "qi"];
const publicOf = (k: JWK): JWK => Object.fromEntries(Object.entries(k).filter(([n]) => !PRIVATE.includes(n))) as JWK;
/** Compare-and-set attempts when revocations of one list race. */
const CAS_ATTEMPTS = 20;

export class PassportIssuer {
  constructor(
    private readonly keys: KeyRing,
    private readonly lists: StatusListStore,
    readonly issuer: string,
    private readonly listSize: number,
  ) {}

  statusUri(listId: string): string {
    return `${this.issuer}/status/${listId}`;
  }

  /** The EC key that signs now (the provider's: rotated with it). */
  async signingKey(): Promise<{ jwk: JWK; kid: string }> {
    const { jwks } = await this.keys.signingKeys();
    const jwk = jwks.find((k) => k.kty === "EC" && k.crv === "P-256");
    if (!jwk?.kid) throw new AppError("server_error", "no EC signing key", 500);
    return { jwk, kid: jwk.kid };
  }

  /**
   * Every EC key of the ring, public halves: the active one, keys retired but still kept (what they
   * signed still verifies until the ring drops them) and keys about to sign.
   */
  async publicKeys(): Promise<JWK[]> {
    const { jwks } = await this.keys.signingKeys();
    return jwks.filter((k) => k.kty === "EC" && k.crv === "P-256").map((k) => ({ ...publicOf(k), use: "sig", alg: "ES256" }));
  }

  /** SD-JWT VC issuer metadata. */
  async metadata(): Promise<{ issuer: string; jwks: { keys: JWK[] } }> {
    return { issuer: this.issuer, jwks: { keys: await this.publicKeys() } };
  }

  /** The key for `iss` and `kid`, if `iss` is Passport itself. */
  async keyFor(iss: string, kid: string | undefined): Promise<JWK | null> {
    if (iss !== this.issuer) return null;
    return (await this.publicKeys()).find((k) => !kid || k.kid === kid) ?? null;
  }

  /** One of Passport's own status lists (public: relying parties fetch it). */
  async statusList(listId: string): Promise<{ token: string; version: number; updatedAt: number }> {
    const list = /^[0-9a-f-]{36}$/.test(listId) ? await this.lists.get(listId) : null;
    if (!list || list.verifierId !== null) throw new NotFoundError("no such status list");
    return { token: list.token, version: list.version, updatedAt: list.updatedAt };
  }

  /**
   * A fresh status entry: one index of a list with room, reserved by a conditional UPDATE before
   * anything is signed; a new list when all are full (parallel callers may each start one: harmless).
   */
  async reserveStatus(): Promise<{ listId: string; uri: string; idx: number }> {
    for (let round = 0; round < 3; round++) {
      for (const list of await this.lists.ownWithRoom()) {
        const idx = await this.lists.reserveOne(list.id);
        if (idx !== null) return { listId: list.id, uri: this.statusUri(list.id), idx };
      }
      const id = crypto.randomUUID();
      const { jwk, kid } = await this.signingKey();
      const token = await newStatusListToken({ issuer: this.issuer, uri: this.statusUri(id), size: this.listSize, signingKey: jwk, kid });
      await this.lists.insert({ id, verifierId: null, size: this.listSize, nextIndex: 0, token, version: 1, updatedAt: Date.now() });
    }
    throw new AppError("server_error", "no room in any status list", 503);
  }

  /**
   * Sets these entries of one list to revoked: read, re-sign, compare-and-set on the version (a
   * parallel revocation makes this one start again from the token it wrote). Idempotent.
   */
  async revoke(listId: string, indices: number[]): Promise<void> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const list = await this.lists.get(listId);
      if (!list || list.verifierId !== null) return;
      const current = readStatusListToken(list.token);
      const todo = indices.filter((i) => i >= 0 && i < current.size && !current.isRevoked(i));
      if (!todo.length) return;
      const { jwk, kid } = await this.signingKey();
      let token = list.token;
      for (const i of todo) token = await revokeInStatusListToken(token, i, jwk, kid);
      if (await this.lists.replaceToken(listId, list.version, token, Date.now())) return;
    }
    throw new AppError("server_error", "the status list kept changing; try again", 503);
  }
}
