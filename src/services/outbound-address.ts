// Which hosts Passport may be made to connect to on a client's behalf (its jwks_uri). A relying
// party must not turn the server into a probe of the operator's own network: loopback, private,
// link-local (cloud metadata), CGNAT, unique-local and other special-use addresses are refused,
// by name at registration and by every resolved address at fetch time.
import net from "node:net";

// Two lists: a BlockList maps IPv4 checks into ::ffff:0:0/96, which the IPv6 list blocks whole.
const blocked4 = new net.BlockList();
const blocked6 = new net.BlockList();
for (const [prefix, bits] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata (169.254.169.254)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 3], // multicast, reserved, broadcast
] as const) {
  blocked4.addSubnet(prefix, bits, "ipv4");
}
for (const [prefix, bits] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["::ffff:0:0", 96], // IPv4-mapped: a public name has no business resolving to one
  ["64:ff9b::", 96], // NAT64: reaches IPv4 addresses through a translator
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local (fd00:ec2::254 is AWS's metadata service)
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const) {
  blocked6.addSubnet(prefix, bits, "ipv6");
}

/** Names that always point inside: localhost and the cloud metadata names. */
const INTERNAL_NAMES = /(^|\.)(localhost|metadata\.google\.internal|metadata|instance-data)\.?$/i;

/** Why an IP address may not be fetched from, or null when it is a public address. */
export function forbiddenAddress(address: string): string | null {
  const family = net.isIP(address);
  if (family === 0) return "is not an IP address";
  return (family === 4 ? blocked4.check(address, "ipv4") : blocked6.check(address, "ipv6")) ? `${address} is a loopback, private, link-local or otherwise internal address` : null;
}

/** Why a URL's host may not be fetched from, judged by its name alone (IP literals included). */
export function forbiddenHost(hostname: string): string | null {
  const host = hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(host)) return forbiddenAddress(host);
  if (INTERNAL_NAMES.test(host)) return `${host} names an internal host`;
  return null;
}
