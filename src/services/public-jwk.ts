// Public keys as holders' and verifiers' browsers send them: P-256 only (ES256 signing, ECDH-ES
// encryption), and never a private part: a JWK with `d` is refused, so a confused client cannot
// hand the server a key that opens anything.
import { z } from "zod";

const coordinate = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "is not a P-256 coordinate");

export const publicEcJwk = z
  .object({
    kty: z.literal("EC", { message: "must be an EC key" }),
    crv: z.literal("P-256", { message: "must be a P-256 key" }),
    x: coordinate,
    y: coordinate,
    kid: z.string().min(1).max(200).optional(),
    alg: z.string().max(40).optional(),
    use: z.enum(["sig", "enc"]).optional(),
    key_ops: z.array(z.string().max(40)).max(8).optional(),
    ext: z.boolean().optional(),
  })
  .passthrough()
  .superRefine((k, ctx) => {
    if ("d" in k) ctx.addIssue({ code: "custom", message: "must be a public key (it has a private part)" });
  });

/** A verifier's signing key needs a `kid`: credentials name it, the issuer metadata lists it. */
export const signingJwk = publicEcJwk.refine((k) => !!k.kid, { message: "needs a kid" });

export type PublicEcJwk = z.infer<typeof publicEcJwk>;

/** Only the public members, in a stable order (what is stored and published). */
export function stripJwk(k: PublicEcJwk): Record<string, string> {
  const out: Record<string, string> = { kty: k.kty, crv: k.crv, x: k.x, y: k.y };
  if (k.kid) out.kid = k.kid;
  if (k.alg) out.alg = k.alg;
  if (k.use) out.use = k.use;
  return out;
}
