import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";
import * as packet from "dns-packet";
import { isPublicAddress } from "../lib/public-addresses.js";
import type { DnsLookup } from "./lookup.js";

export type Delegation =
  /** The parent zone refers the domain to these name servers. */
  | { status: "delegated"; nameServers: string[]; zone: string }
  /** The parent zone knows the name but holds no delegation for it. */
  | { status: "not-delegated"; zone: string }
  /** The parent zone says the name does not exist (not registered). */
  | { status: "no-domain"; zone: string }
  | { status: "failed"; reason: string };

export interface ParentOptions {
  /** Port the parent zone's servers are asked on (53; tests use an ephemeral one). */
  port: number;
  timeoutMs: number;
  allowPrivate: boolean;
  /** The zone whose servers hold the delegation at the latest: the public suffix. */
  publicSuffix: string;
}

const RCODE_NOERROR = 0;
const RCODE_NXDOMAIN = 3;
const MAX_SERVERS = 4;
const bare = (host: string) => host.toLowerCase().replace(/\.$/, "");

/**
 * The NS set of `domain` as its parent zone publishes it (the delegation the registrant controls
 * at the registrar). The parent zone is the closest enclosing zone: for a registrable domain, its
 * public suffix. Its servers are found through the resolvers, then asked directly with a
 * non-recursive query and the referral's authority section is read. Never our name servers and
 * never a resolver's cache: what a child zone says about itself proves nothing.
 */
export async function delegationInParent(
  lookup: DnsLookup,
  domain: string,
  options: ParentOptions,
): Promise<Delegation> {
  const zone = await parentZone(lookup, domain, options.publicSuffix);
  if (zone.status === "failed") return zone;

  const addresses: string[] = [];
  for (const host of zone.nameServers) {
    const found = await lookup.addresses(host);
    if (found.status === "found") addresses.push(...found.values);
    if (addresses.length >= MAX_SERVERS) break;
  }
  const usable = addresses
    .filter((address) => options.allowPrivate || isPublicAddress(address))
    // IPv4 first: many hosts have no IPv6 route.
    .sort((a, b) => Number(net.isIPv6(a)) - Number(net.isIPv6(b)))
    .slice(0, MAX_SERVERS);
  if (usable.length === 0)
    return { status: "failed", reason: `no usable address for the servers of "${zone.name}"` };

  let lastReason = "";
  for (const address of usable) {
    let response: packet.DecodedPacket;
    try {
      response = await askNs(address, options.port, domain, options.timeoutMs);
    } catch (error) {
      lastReason = (error as Error).message;
      continue;
    }
    const rcode = (response.flags ?? 0) & 0xf;
    if (rcode === RCODE_NXDOMAIN) return { status: "no-domain", zone: zone.name };
    if (rcode !== RCODE_NOERROR) {
      lastReason = `a server of "${zone.name}" answered with error code ${rcode}`;
      continue;
    }
    // A referral: NS records owned by the domain itself in the authority section. An authoritative
    // answer section would come from the child zone's own data, which its editor controls.
    const nameServers = (response.authorities ?? []).flatMap((record) =>
      record.type === "NS" && bare(record.name) === domain ? [bare(record.data)] : [],
    );
    if (nameServers.length > 0) return { status: "delegated", nameServers, zone: zone.name };
    return { status: "not-delegated", zone: zone.name };
  }
  return { status: "failed", reason: lastReason || `the servers of "${zone.name}" did not answer` };
}

/** Walks up from the domain's parent to the public suffix; the first name with NS records is the zone. */
async function parentZone(
  lookup: DnsLookup,
  domain: string,
  publicSuffix: string,
): Promise<{ status: "found"; name: string; nameServers: string[] } | { status: "failed"; reason: string }> {
  let name = domain;
  while (name !== publicSuffix && name.includes(".")) {
    name = name.slice(name.indexOf(".") + 1);
    const ns = await lookup.ns(name);
    if (ns.status === "found") return { status: "found", name, nameServers: ns.values };
    if (ns.status === "failed")
      return { status: "failed", reason: `name servers of "${name}": ${ns.reason}` };
  }
  return { status: "failed", reason: `no name servers found for "${publicSuffix}"` };
}

/** One non-recursive NS query over UDP, retried over TCP when the answer is truncated. */
async function askNs(
  address: string,
  port: number,
  name: string,
  timeoutMs: number,
): Promise<packet.DecodedPacket> {
  const id = randomInt(0, 65536);
  const query = packet.encode({
    type: "query",
    id,
    flags: 0, // recursion not desired: we want the parent's own referral
    questions: [{ type: "NS", name }],
    additionals: [
      {
        type: "OPT",
        name: ".",
        udpPayloadSize: 1232,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: 0,
        flag_do: false,
        options: [],
      },
    ],
  });
  const check = (response: packet.DecodedPacket): packet.DecodedPacket => {
    const question = response.questions?.[0];
    if (
      response.id !== id ||
      !response.flag_qr ||
      !question ||
      question.type !== "NS" ||
      bare(question.name) !== name
    ) {
      throw new Error(`${address} sent an answer that does not match the question`);
    }
    return response;
  };
  const udp = check(await overUdp(address, port, query, timeoutMs));
  if (!udp.flag_tc) return udp;
  return check(await overTcp(address, port, query, timeoutMs));
}

function overUdp(
  address: string,
  port: number,
  query: Buffer,
  timeoutMs: number,
): Promise<packet.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(address) ? "udp6" : "udp4");
    let settled = false;
    const done = (error: Error | null, response?: packet.DecodedPacket) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(response as packet.DecodedPacket);
    };
    const timer = setTimeout(() => done(new Error(`${address} did not answer in time`)), timeoutMs);
    socket.on("error", (error) => done(new Error(`${address}: ${error.message}`)));
    // A connected socket only receives datagrams from the server it asked.
    socket.connect(port, address, () => socket.send(query));
    socket.on("message", (message) => {
      try {
        done(null, packet.decode(message));
      } catch {
        done(new Error(`${address} sent an unreadable answer`));
      }
    });
  });
}

function overTcp(
  address: string,
  port: number,
  query: Buffer,
  timeoutMs: number,
): Promise<packet.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    let buffered = Buffer.alloc(0);
    let settled = false;
    const done = (error: Error | null, response?: packet.DecodedPacket) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(response as packet.DecodedPacket);
    };
    const timer = setTimeout(() => done(new Error(`${address} did not answer in time over TCP`)), timeoutMs);
    socket.on("error", (error) => done(new Error(`${address}: ${error.message}`)));
    socket.on("connect", () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(query.length);
      socket.write(Buffer.concat([prefix, query]));
    });
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length > 65_537) return done(new Error(`${address} sent too much`));
      if (buffered.length < 2) return;
      const length = buffered.readUInt16BE(0);
      if (buffered.length < 2 + length) return;
      try {
        done(null, packet.decode(buffered.subarray(2, 2 + length)));
      } catch {
        done(new Error(`${address} sent an unreadable answer`));
      }
    });
  });
}
