// Signing keys, cookie keys and server secrets: generated on first start, persisted (private
// parts sealed by SecretBox), rotated with overlap. After a rotation the previous public keys stay
// in the JWKS until every token they signed has expired.
import crypto from "node:crypto";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { type ServerKeyStore, versionOf } from "../db/server-keys.js";
import type { ServerKeyRow } from "../db/entities.js";
import type { SecretBox } from "../services/secret-box.js";

/** One key per family; RS256 and PS256 share the RSA key (a JWK without `alg` serves both). */
const FAMILIES = [
  { alg: "RSA", gen: () => generateKeyPair("RS256", { modulusLength: 2048, extractable: true }) },
  { alg: "EC", gen: () => generateKeyPair("ES256", { extractable: true }) },
  { alg: "OKP", gen: () => generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true }) },
] as const;

export interface SigningKeySet {
  /** Private JWKs for oidc-provider, active keys first. */
  jwks: JWK[];
  version: string;
}

export class KeyRing {
  constructor(
    private readonly store: ServerKeyStore,
    private readonly box: SecretBox,
    /** Longest lifetime of anything a retired key may have signed, in ms. */
    private readonly overlapMs: number,
    /**
     * How long new keys are published before they sign (ms): two key-refresh intervals, so every
     * process lists a new key in its JWKS before any process signs with it. 0 signs at once.
     */
    private readonly activationMs = 0,
  ) {}

  async ensureSigningKeys(): Promise<void> {
    const rows = await this.store.list("sig");
    if (!rows.some((r) => r.status === "active")) await this.store.insertMany(await this.generateSet());
  }

  /** New keys become active; the old ones keep verifying until tokens they signed expire. */
  async rotateSigningKeys(now = Date.now()): Promise<string[]> {
    const generated = await this.generateSet(now);
    // Stamped once made (an RSA key takes a while): the activation delay counts from publication.
    const at = Math.max(now, Date.now());
    const fresh = generated.map((r) => ({ ...r, createdAt: at }));
    await this.store.replaceActive("sig", fresh, now);
    await this.dropExpired(now);
    return fresh.map((r) => r.kid);
  }

  async dropExpired(now = Date.now()): Promise<number> {
    const rows = await this.store.list("sig");
    // A retired key may still sign during the activation delay of its successor.
    const gone = rows.filter((r) => r.status === "retiring" && (r.retiredAt ?? 0) + this.activationMs + this.overlapMs < now);
    await this.store.remove(gone.map((r) => r.kid));
    return gone.length;
  }

  /**
   * Private JWKs for oidc-provider, the ones that sign first (it signs with the first key of an
   * algorithm's family): active keys once published for `activationMs`, then the most recently
   * retired, then keys still waiting (which sign only if nothing else can: a first start).
   */
  async signingKeys(now = Date.now()): Promise<SigningKeySet> {
    const rows = await this.store.list("sig");
    const waiting = (r: ServerKeyRow) => r.status === "active" && r.createdAt + this.activationMs > now;
    const retired = rows.filter((r) => r.status !== "active").sort((a, b) => (b.retiredAt ?? 0) - (a.retiredAt ?? 0));
    const ordered = [...rows.filter((r) => r.status === "active" && !waiting(r)), ...retired, ...rows.filter(waiting)];
    // The version of exactly these rows: read apart, a rotation landing in between would pair the
    // old keys with the new version, and the process would never reload them.
    return {
      jwks: ordered.map((r) => JSON.parse(this.box.open(r.privateData)) as JWK),
      version: this.versionAt(rows, now),
    };
  }

  /** Changes when the keys change and when waiting keys start to sign, so each process reloads then. */
  async signingVersion(now = Date.now()): Promise<string> {
    return this.versionAt(await this.store.list("sig"), now);
  }

  private versionAt(rows: ServerKeyRow[], now: number): string {
    const waiting = rows.filter((r) => r.status === "active" && r.createdAt + this.activationMs > now).map((r) => r.kid);
    return `${versionOf(rows)}|waiting:${waiting.sort().join(",")}`;
  }

  async listSigningKeys(): Promise<{ kid: string; kty: string; status: string; createdAt: number; retiredAt: number | null }[]> {
    const rows = await this.store.list("sig");
    return rows.map((r) => ({ kid: r.kid, kty: r.alg, status: r.status, createdAt: r.createdAt, retiredAt: r.retiredAt }));
  }

  /** A named secret (cookie key, pairwise salt, HMAC keys, …), made once and kept; random unless `make` says otherwise. */
  async secret(name: string, use = "secret", make: () => Promise<string> = async () => crypto.randomBytes(32).toString("base64url")): Promise<string> {
    const existing = await this.store.get(name);
    if (existing) return this.box.open(existing.privateData);
    await this.store.insertIfAbsent({
      kid: name,
      use,
      alg: "random",
      status: "active",
      publicJwk: null,
      privateData: this.box.seal(await make()),
      createdAt: Date.now(),
      retiredAt: null,
    });
    // Re-read: if another process inserted first, its value is the one everybody uses.
    const row = await this.store.get(name);
    return this.box.open(row!.privateData);
  }

  private async generateSet(now = Date.now()): Promise<ServerKeyRow[]> {
    const rows: ServerKeyRow[] = [];
    for (const family of FAMILIES) {
      const { privateKey, publicKey } = await family.gen();
      const kid = crypto.randomBytes(12).toString("base64url");
      const priv = { ...(await exportJWK(privateKey)), kid, use: "sig" };
      const pub = { ...(await exportJWK(publicKey)), kid, use: "sig" };
      rows.push({
        kid,
        use: "sig",
        alg: family.alg,
        status: "active",
        publicJwk: JSON.stringify(pub),
        privateData: this.box.seal(JSON.stringify(priv)),
        createdAt: now,
        retiredAt: null,
      });
    }
    return rows;
  }
}
