// "The server never holds a key that opens a holder's data", tested the way a thief with a copy of
// the server would: collect every key and secret the server keeps (server_keys unsealed, client
// secrets, cookie keys, KEY_ENCRYPTION_SECRET) and try each on every sealed payload in `shares` and
// every blob (as the file key, and as the vault key that wraps it).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { compactDecrypt, decodeProtectedHeader, importJWK, type JWK } from "jose";
import { ClientEntity, ServerKeyEntity, ShareEntity, VaultFileEntity } from "../../src/db/entities.js";
import { openFileWithKey, unwrapItemKey } from "../../src/crypto/envelope.js";
import type { SecretBox } from "../../src/services/secret-box.js";
import type { TestServer } from "./server.js";

export interface HeldKey {
  name: string;
  /** A private (or symmetric) JWK. */
  jwk?: JWK;
  /** Raw byte strings a secret could be used as: its UTF-8, base64url, hex and SHA-256 forms. */
  raw?: Uint8Array<ArrayBuffer>[];
}

export interface Sealed {
  jwes: { name: string; jwe: string }[];
  files: { name: string; id: string; wrappedKey: string; bytes: Uint8Array<ArrayBuffer> }[];
}

const bytes = (b: Buffer) => new Uint8Array(b) as Uint8Array<ArrayBuffer>;

function rawForms(secret: string): Uint8Array<ArrayBuffer>[] {
  const forms = [Buffer.from(secret, "utf8"), Buffer.from(secret, "base64url"), crypto.createHash("sha256").update(secret).digest()];
  if (/^[0-9a-f]+$/i.test(secret) && secret.length % 2 === 0) forms.push(Buffer.from(secret, "hex"));
  return forms.filter((b) => b.length > 0).map(bytes);
}

/** Every object with a `kty` and a private or symmetric part, however deep. */
function privateJwks(v: unknown): JWK[] {
  if (!v || typeof v !== "object") return [];
  const o = v as Record<string, unknown>;
  const self = typeof o.kty === "string" && ("d" in o || "k" in o) ? [o as JWK] : [];
  return [...self, ...Object.values(o).flatMap(privateJwks)];
}

function held(name: string, value: string): HeldKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // a plain secret
  }
  const jwks = privateJwks(parsed);
  return jwks.length ? jwks.map((jwk, i) => ({ name: `${name}#${i}`, jwk })) : [{ name, raw: rawForms(value) }];
}

/** Everything the server keeps that could be a key. The KeyRing's own SecretBox unseals the rows. */
export async function serverHeldKeys(s: TestServer): Promise<HeldKey[]> {
  const ds = s.app.container.ds;
  const box = (s.app.container.keys as unknown as { box?: SecretBox }).box;
  if (typeof box?.open !== "function") throw new Error("the KeyRing's SecretBox was not found: update this helper");
  const open = (sealed: string) => {
    try {
      return box.open(sealed);
    } catch {
      return sealed; // not sealed (a hash, say): try it as it is
    }
  };
  const out: HeldKey[] = [];
  for (const row of await ds.getRepository(ServerKeyEntity).find()) out.push(...held(`server_keys:${row.kid}`, open(row.privateData)));
  for (const row of await ds.getRepository(ClientEntity).find()) {
    const stored = JSON.parse(row.metadata) as { secret?: unknown; secretHash?: unknown; input?: unknown };
    if (typeof stored.secret === "string") out.push(...held(`clients:${row.clientId}:secret`, open(stored.secret)));
    if (typeof stored.secretHash === "string") out.push(...held(`clients:${row.clientId}:secretHash`, stored.secretHash));
    out.push(...privateJwks(stored.input).map((jwk) => ({ name: `clients:${row.clientId}:jwks`, jwk })));
  }
  for (const [i, k] of ((s.app.koa.keys ?? []) as string[]).entries()) out.push(...held(`cookie key ${i}`, String(k)));
  if (s.cfg.keyEncryptionSecret) out.push(...held("KEY_ENCRYPTION_SECRET", s.cfg.keyEncryptionSecret));
  else if (fs.existsSync(s.cfg.keyFile)) out.push(...held("KEY_FILE", fs.readFileSync(s.cfg.keyFile, "utf8").trim()));
  return out;
}

/** Every stored payload and every vault file with its blob bytes (local blob folder or blobs table). */
export async function sealedOnServer(s: TestServer): Promise<Sealed> {
  const ds = s.app.container.ds;
  const jwes = (await ds.getRepository(ShareEntity).find()).map((r) => ({ name: `shares:${r.grantId}`, jwe: r.jwe }));
  const blobs = new Map<string, Uint8Array<ArrayBuffer>>();
  if (s.cfg.blobs.store === "local" && fs.existsSync(s.cfg.blobs.dir)) {
    for (const e of fs.readdirSync(s.cfg.blobs.dir, { recursive: true, withFileTypes: true })) {
      if (e.isFile()) blobs.set(e.name, bytes(fs.readFileSync(path.join(e.parentPath, e.name))));
    }
  } else {
    for (const r of (await ds.query("SELECT hash, data FROM blobs")) as { hash: string; data: Buffer }[]) blobs.set(r.hash, bytes(Buffer.from(r.data)));
  }
  const files = (await ds.getRepository(VaultFileEntity).find()).flatMap((f) => {
    const b = blobs.get(f.blobHash);
    return b ? [{ name: `vault_files:${f.id}`, id: f.id, wrappedKey: f.wrappedKey, bytes: b }] : [];
  });
  return { jwes, files };
}

const succeeds = (p: Promise<unknown>) => p.then(() => true, () => false);

/** "key opens target" for every pair that opens; empty when none does. */
export async function keysThatOpen(keys: HeldKey[], sealed: Sealed): Promise<string[]> {
  const hits: string[] = [];
  for (const { name, jwe } of sealed.jwes) {
    const alg = String(decodeProtectedHeader(jwe).alg);
    for (const k of keys) {
      const candidates = k.jwk ? [importJWK(k.jwk, alg).catch(() => null)] : (k.raw ?? []).map((r) => Promise.resolve(r));
      for (const c of candidates) {
        const key = await c;
        if (key && (await succeeds(compactDecrypt(jwe, key)))) hits.push(`${k.name} opens ${name}`);
      }
    }
  }
  for (const f of sealed.files) {
    for (const k of keys) {
      for (const r of (k.raw ?? []).filter((b) => b.length === 16 || b.length === 32)) {
        const aes = await crypto.webcrypto.subtle.importKey("raw", r, "AES-GCM", false, ["encrypt", "decrypt", "unwrapKey"]);
        if (await succeeds(openFileWithKey(aes, f.id, f.bytes))) hits.push(`${k.name} opens ${f.name} as its file key`);
        if (await succeeds(unwrapItemKey(f.wrappedKey, aes, f.id))) hits.push(`${k.name} unwraps ${f.name}'s key as the vault key`);
      }
    }
  }
  return hits;
}
