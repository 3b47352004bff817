/**
 * Where an SD-JWT VC issuer publishes its metadata (its signing keys): the well-known segment goes
 * between the issuer URL's origin and its path, `https://h/verifiers/bank` →
 * `https://h/.well-known/jwt-vc-issuer/verifiers/bank`. The server, the SDK and the admin pages use it.
 */
export function issuerMetadataUrl(iss: string): string {
  const u = new URL(iss);
  const path = u.pathname.replace(/\/+$/, "");
  return `${u.origin}/.well-known/jwt-vc-issuer${path}`;
}
