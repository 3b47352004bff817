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
  ) {}

  async ensureSigningKeys(): Promise<void> {
    const rows = await this.store.list("sig");
    if (!rows.some((r) => r.status === "active")) await this.store.insertMany(await this.generateSet());
  }

  /** New keys become active; the old ones keep verifying until tokens they signed expire. */
  async rotateSigningKeys(now = Date.now()): Promise<string[]> {
    const fresh = await this.generateSet(now);
    await this.store.replaceActive("sig", fresh, now);
    await this.dropExpired(now);
    return fresh.map((r) => r.kid);
  }

  async dropExpired(now = Date.now()): Promise<number> {
    const rows = await this.store.list("sig");
    const gone = rows.filter((r) => r.status === "retiring" && (r.retiredAt ?? 0) + this.overlapMs < now);
    await this.store.remove(gone.map((r) => r.kid));
    return gone.length;
  }

  async signingKeys(): Promise<SigningKeySet> {
    const rows = await this.store.list("sig");
    const ordered = [...rows.filter((r) => r.status === "active"), ...rows.filter((r) => r.status !== "active")];
    // The version of exactly these rows: read apart, a rotation landing in between would pair the
    // old keys with the new version, and the process would never reload them.
    return {
      jwks: ordered.map((r) => JSON.parse(this.box.open(r.privateData)) as JWK),
      version: versionOf(rows),
    };
  }

  signingVersion(): Promise<string> {
    return this.store.version("sig");
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
