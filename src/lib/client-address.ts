import { isIPv4, isIPv6 } from "node:net";

/**
 * What per-address rate limits count: one key per client network. An IPv6 client usually holds a
 * whole /64 and can rotate its address on every request, so IPv6 addresses are cut to their
 * network prefix; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is its IPv4 address. The key is in
 * one canonical form, so two spellings of one network never count separately.
 */
export function clientLimitKey(ip: string | null | undefined, ipv6Prefix: number): string {
  if (!ip) return "unknown";
  const address = ip.split("%")[0] as string; // drop a zone id (fe80::1%eth0)
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address.toLowerCase();
  const words = ipv6Words(address);
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    const high = words[6] as number;
    const low = words[7] as number;
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  for (let i = 0; i < 8; i++) {
    const keep = Math.min(16, Math.max(0, ipv6Prefix - i * 16));
    words[i] = (words[i] as number) & (keep === 0 ? 0 : (0xffff << (16 - keep)) & 0xffff);
  }
  return `${formatIpv6(words)}/${ipv6Prefix}`;
}

/** The eight 16-bit words of a valid IPv6 address (with or without an embedded IPv4 tail). */
function ipv6Words(address: string): number[] {
  let text = address.toLowerCase();
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(":").map((w) => Number.parseInt(w, 16)) : []);
  const left = part(head);
  const right = part(rest);
  const zeros = rest === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of zero words as "::". */
function formatIpv6(words: number[]): string {
  let bestStart = -1;
  let bestLength = 1; // a single zero word is not shortened
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}
