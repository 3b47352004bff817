// A software authenticator for HTTP-level tests: makes WebAuthn registration and assertion
// responses the way a browser and a platform authenticator would (attestation "none", ES256),
// so the passkey routes can be driven without a browser. The Chromium tests use Chromium's own
// virtual authenticator instead.
import crypto from "node:crypto";
import { isoCBOR } from "@simplewebauthn/server/helpers";

const b64u = (b: Uint8Array | Buffer) => Buffer.from(b).toString("base64url");
const sha256 = (b: Uint8Array | string) => crypto.createHash("sha256").update(b).digest();

interface Held {
  privateKey: crypto.KeyObject;
  counter: number;
}

export class SoftAuthenticator {
  readonly credentials = new Map<string, Held>();

  constructor(
    readonly origin: string,
    readonly rpID = new URL(origin).hostname,
  ) {}

  private clientData(type: string, challenge: string, origin = this.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** Answers registration options (what startRegistration() would send back). */
  create(options: { challenge: string }, opts: { origin?: string } = {}) {
    const id = crypto.randomBytes(16);
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    const cose = isoCBOR.encode(new Map<number, number | Uint8Array>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, "base64url")], [-3, Buffer.from(jwk.y!, "base64url")]]));
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(id.length);
    // rpIdHash, flags (user present, user verified, attested credential data), counter 0, aaguid, id, key.
    const authData = Buffer.concat([sha256(this.rpID), Buffer.from([0x45]), Buffer.alloc(4), Buffer.alloc(16), idLen, id, Buffer.from(cose)]);
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]) as never);
    this.credentials.set(b64u(id), { privateKey, counter: 0 });
    return {
      id: b64u(id),
      rawId: b64u(id),
      type: "public-key" as const,
      clientExtensionResults: {},
      response: { clientDataJSON: b64u(this.clientData("webauthn.create", options.challenge, opts.origin)), attestationObject: b64u(attestationObject), transports: ["internal"] },
    };
  }

  /** Answers authentication options with the first allowed credential it holds (or `credentialId`). */
  get(options: { challenge: string; allowCredentials?: { id: string }[] }, opts: { credentialId?: string; origin?: string } = {}) {
    const id = opts.credentialId ?? options.allowCredentials?.map((c) => c.id).find((c) => this.credentials.has(c)) ?? [...this.credentials.keys()][0];
    const held = id ? this.credentials.get(id) : undefined;
    if (!id || !held) throw new Error("no credential for these options");
    held.counter += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(held.counter);
    const authData = Buffer.concat([sha256(this.rpID), Buffer.from([0x05]), counter]);
    const clientDataJSON = this.clientData("webauthn.get", options.challenge, opts.origin);
    const signature = crypto.sign("sha256", Buffer.concat([authData, sha256(clientDataJSON)]), held.privateKey);
    return {
      id,
      rawId: id,
      type: "public-key" as const,
      clientExtensionResults: {},
      response: { clientDataJSON: b64u(clientDataJSON), authenticatorData: b64u(authData), signature: b64u(signature) },
    };
  }
}
