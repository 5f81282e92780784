import { BlockList, isIPv4, isIPv6 } from "node:net";

/**
 * Addresses the verifier must never contact on a customer's say-so: loopback,
 * private, shared (CGNAT), link-local, unique-local, multicast, documentation and reserved ranges.
 * Otherwise publishing an A record would let anyone make mfd probe its own network.
 */
const internal = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  internal.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const) {
  internal.addSubnet(network, prefix, "ipv6");
}
/**
 * IPv6 hosts are public only in global unicast (2000::/3), and not through the tunnelling forms
 * that carry an IPv4 address inside (6to4 2002::/16, Teredo 2001::/32): outside it lie the
 * IPv4-compatible (::a.b.c.d) and IPv4-translated (::ffff:0:a.b.c.d) forms, among others.
 */
const globalUnicast = new BlockList();
globalUnicast.addSubnet("2000::", 3, "ipv6");
internal.addSubnet("2001::", 32, "ipv6");
internal.addSubnet("2002::", 16, "ipv6");

/** The IPv4 address inside an IPv4-mapped or NAT64 IPv6 address, which reaches that IPv4 host. */
function embeddedIPv4(address: string): string | null {
  const lower = address.toLowerCase();
  const mapped = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return mapped[1] as string;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return null;
  const high = Number.parseInt(hex[1] as string, 16);
  const low = Number.parseInt(hex[2] as string, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

export function isPublicAddress(address: string): boolean {
  if (isIPv4(address)) return !internal.check(address, "ipv4");
  if (!isIPv6(address)) return false;
  const v4 = embeddedIPv4(address);
  if (v4 !== null) return !internal.check(v4, "ipv4");
  return globalUnicast.check(address, "ipv6") && !internal.check(address, "ipv6");
}
