// Sharing with relying parties: which key the holder's browser seals to, storing the sealed
// payload with the grant, serving it at userinfo and its scans at the files endpoint, the share
// log and connected apps, and error reports. The server only ever handles the JWE, never its content.
import type { Readable } from "node:stream";
import type { JWK } from "jose";
import type { ShareStore } from "../db/shares.js";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors.js";
import { DOCUMENT_SCHEMAS } from "../documents/schemas.js";
import { isDocumentType, type DocumentType } from "../documents/types.js";
import { JWE_TYP, pickEncryptionKey } from "../sharing/payload.js";
import type { ClientService } from "./clients.js";
import type { ItemError, VaultService } from "./vault.js";

export interface EncryptionKey {
  jwk: JWK;
  alg: "RSA-OAEP-256" | "ECDH-ES+A256KW";
}

export interface SaveShareInput {
  grantId: string;
  accountId: string;
  clientId: string;
  clientName: string;
  jwe: string;
  types: string[];
  fileIds: string[];
  /** The types the request allows; a payload may carry no others. */
  allowedTypes: DocumentType[];
}

/** An access token as the files and errors endpoints see it. */
export interface TokenInfo {
  clientId: string;
  grantId: string;
  accountId: string;
}

export const ERROR_KINDS = ["data", "front_side", "reverse_side", "selfie", "file", "files", "translation_file", "translation_files", "unspecified"] as const;

export interface ErrorReport {
  type: string;
  version: number;
  kind: (typeof ERROR_KINDS)[number];
  field?: string;
  fileId?: string;
  message: string;
}

export interface ConnectedApp {
  clientId: string;
  name: string;
  logoUri: string | null;
  scopes: string[];
  lastShared: number | null;
  log: { types: string[]; at: number }[];
}

const MAX_JWE = 512 * 1024;
type JwksFetcher = (uri: string) => Promise<{ keys: JWK[] }>;

export class SharingService {
  constructor(
    private readonly store: ShareStore,
    private readonly clients: ClientService,
    private readonly vault: VaultService,
    /** The guarded, cached jwks_uri fetch (jwks-fetch.ts), shared with client authentication. */
    private readonly fetchJwks: JwksFetcher,
  ) {}

  /** The newest suitable encryption key the client registered, or null if it has none. */
  async encryptionKey(clientId: string): Promise<EncryptionKey | null> {
    const client = await this.clients.get(clientId).catch(() => null);
    if (!client) return null;
    const jwks = client.input.jwks ?? (client.input.jwksUri ? await this.fetchJwks(client.input.jwksUri).catch(() => null) : null);
    return jwks ? pickEncryptionKey(jwks as { keys: JWK[] }) : null;
  }

  /** Cheap check for the authorization endpoint: inline keys are looked at, a JWKS URI is trusted until consent. */
  async mayReceivePassport(clientId: string): Promise<boolean> {
    const client = await this.clients.get(clientId).catch(() => null);
    if (!client) return false;
    if (client.input.jwksUri) return true;
    return Boolean(client.input.jwks && pickEncryptionKey(client.input.jwks as { keys: JWK[] }));
  }

  /** Checks a payload before anything is recorded: its form, its types and its files. */
  async validate(input: Omit<SaveShareInput, "grantId">, key: EncryptionKey): Promise<void> {
    checkJwe(input.jwe, key);
    const types = [...new Set(input.types)];
    for (const t of types) {
      if (!isDocumentType(t) || !input.allowedTypes.includes(t)) throw new ValidationError(`the request does not allow sharing ${t}`, { types: `${t} not requested` });
    }
    // Claims without documents (passport:derived alone): no scan may go with them.
    if (input.fileIds.length && !input.allowedTypes.length) throw new ValidationError("this request asks for no documents, so no files may go", { fileIds: "not requested" });
    if (input.fileIds.length && !(await this.vault.ownsAttachedFiles(input.accountId, input.fileIds))) {
      throw new ValidationError("the payload names files that are not in your vault", { fileIds: "unknown file" });
    }
  }

  async save(input: SaveShareInput, key: EncryptionKey): Promise<void> {
    await this.validate(input, key);
    const types = [...new Set(input.types)];
    await this.store.save(
      {
        grantId: input.grantId,
        accountId: input.accountId,
        clientId: input.clientId,
        jwe: input.jwe,
        types: JSON.stringify(types),
        fileIds: JSON.stringify([...new Set(input.fileIds)]),
        createdAt: Date.now(),
      },
      input.clientName,
    );
  }

  /** The JWE for userinfo's `passport` claim. */
  async payloadForGrant(grantId: string | undefined): Promise<string | undefined> {
    if (!grantId) return undefined;
    return (await this.store.byGrant(grantId))?.jwe;
  }

  /** A scan shared under the token's grant, as ciphertext; anything else does not exist. */
  async sharedFile(token: TokenInfo, fileId: string): Promise<{ stream: Readable; size: number; sha256: string }> {
    const share = await this.store.byGrant(token.grantId);
    if (!share || share.clientId !== token.clientId || !(JSON.parse(share.fileIds) as string[]).includes(fileId)) throw new NotFoundError("no such file");
    const { stream, file } = await this.vault.downloadShared(fileId);
    return { stream, size: file.size, sha256: file.sha256 };
  }

  async reportErrors(token: TokenInfo, clientName: string, reports: ErrorReport[]): Promise<number> {
    const share = await this.store.byGrant(token.grantId);
    if (!share || share.clientId !== token.clientId) throw new ForbiddenError("this token carries no shared documents");
    const shared = JSON.parse(share.types) as string[];
    const sharedFiles = new Set(JSON.parse(share.fileIds) as string[]);
    const byType = new Map<string, { version: number; errors: ItemError[] }>();
    for (const [i, r] of reports.entries()) {
      if (!shared.includes(r.type)) throw new ValidationError(`${r.type} was not shared with you`, { type: `${r.type} not shared` });
      // The holder is shown what a report names: it must be a field of the type, a file of this share.
      if (r.field !== undefined && !fieldsOf(r.type as DocumentType).includes(r.field)) {
        throw new ValidationError(`${r.type} has no field ${r.field}`, { [`errors.${i}.field`]: `not a field of ${r.type}` });
      }
      if (r.fileId !== undefined && !sharedFiles.has(r.fileId)) {
        throw new ValidationError(`the file ${r.fileId} was not shared with you`, { [`errors.${i}.file_id`]: "not a file of this share" });
      }
      const entry = byType.get(r.type) ?? { version: r.version, errors: [] };
      if (entry.version !== r.version) throw new ValidationError(`two versions of ${r.type} in one report`, { version: "differs" });
      entry.errors.push({ source: clientName, kind: r.kind, field: r.field, fileId: r.fileId, message: r.message, reportedAt: Date.now() });
      byType.set(r.type, entry);
    }
    for (const [type, { version, errors }] of byType) await this.vault.reportErrors(token.accountId, type, version, errors);
    return reports.length;
  }

  async connectedApps(accountId: string): Promise<ConnectedApp[]> {
    const [grants, log] = await Promise.all([this.store.grantsOf(accountId), this.store.logOf(accountId)]);
    const apps = new Map<string, ConnectedApp>();
    for (const g of grants) {
      const clientId = String(g.payload.clientId);
      const client = await this.clients.get(clientId).catch(() => null);
      const app = apps.get(clientId) ?? { clientId, name: client?.name ?? clientId, logoUri: client?.input.logoUri ?? null, scopes: [], lastShared: null, log: [] };
      const scope = String((g.payload.openid as { scope?: string } | undefined)?.scope ?? "");
      app.scopes = [...new Set([...app.scopes, ...scope.split(" ").filter(Boolean)])];
      apps.set(clientId, app);
    }
    for (const entry of log) {
      const app = apps.get(entry.clientId);
      if (!app) continue;
      app.log.push({ types: JSON.parse(entry.types), at: entry.createdAt });
      app.lastShared = Math.max(app.lastShared ?? 0, entry.createdAt);
    }
    return [...apps.values()];
  }

  /** The holder's share log (what, to whom, when), including apps since disconnected. */
  async history(accountId: string): Promise<{ clientId: string; clientName: string; types: string[]; at: number }[]> {
    return (await this.store.logOf(accountId)).map((e) => ({ clientId: e.clientId, clientName: e.clientName, types: JSON.parse(e.types), at: e.createdAt }));
  }

  /** Disconnects an app: every grant, token, stored payload and file access ends at once. */
  async revoke(accountId: string, clientId: string): Promise<number> {
    const grants = (await this.store.grantsOf(accountId)).filter((g) => g.payload.clientId === clientId);
    if (!grants.length) throw new NotFoundError("you have not shared anything with this app");
    await this.store.revokeGrants(grants.map((g) => g.grantId));
    return grants.length;
  }
}

/** The field names a document type has (what a data error may name). */
function fieldsOf(type: DocumentType): string[] {
  return Object.keys((DOCUMENT_SCHEMAS[type] as unknown as { shape: Record<string, unknown> }).shape);
}

/** The browser's JWE must be compact, sealed with A256GCM to the key we named. */
function checkJwe(jwe: string, key: EncryptionKey): void {
  if (jwe.length > MAX_JWE) throw new ValidationError("the sealed payload is too large", { jwe: "too large" });
  const parts = jwe.split(".");
  if (parts.length !== 5 || !parts.every((p, i) => (i === 1 && key.alg.startsWith("ECDH-ES") && p === "") || /^[A-Za-z0-9_-]+$/.test(p))) {
    throw new ValidationError("the sealed payload is not a compact JWE", { jwe: "not a compact JWE" });
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8"));
  } catch {
    throw new ValidationError("the sealed payload's header cannot be read", { jwe: "bad header" });
  }
  if (header.alg !== key.alg || header.enc !== "A256GCM" || header.typ !== JWE_TYP || (key.jwk.kid && header.kid !== key.jwk.kid)) {
    throw new ValidationError(`the payload must be sealed with ${key.alg}/A256GCM to the client's key ${key.jwk.kid ?? ""}`.trim(), { jwe: "wrong key or algorithm" });
  }
}

