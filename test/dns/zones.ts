import type { Kysely } from "kysely";
import type { DB } from "../../src/db/schema.js";
import type { Zone, ZoneRecord } from "../../src/dns/zone.js";

/** Zones for the DNS tests: every record type we serve, at known serials. */
export const soa = (origin: string, serial: number): ZoneRecord => ({
  name: origin,
  type: "SOA",
  ttl: 3600,
  data: {
    mname: `ns1.${origin}`,
    rname: `hostmaster.${origin}`,
    serial,
    refresh: 3600,
    retry: 600,
    expire: 1209600,
    minimum: 300,
  },
});

export function exampleZone(origin: string, serial: number, extra: ZoneRecord[] = []): Zone {
  return {
    origin,
    serial,
    negativeTtl: 300,
    records: [
      soa(origin, serial),
      { name: origin, type: "NS", ttl: 3600, data: `ns1.${origin}` },
      { name: origin, type: "MX", ttl: 3600, data: { preference: 10, exchange: "mx.example.net" } },
      { name: origin, type: "TXT", ttl: 3600, data: ["v=spf1 mx -all"] },
      { name: origin, type: "CAA", ttl: 3600, data: { flags: 0, tag: "issue", value: "letsencrypt.org" } },
      { name: `ns1.${origin}`, type: "A", ttl: 3600, data: "192.0.2.53" },
      { name: `www.${origin}`, type: "AAAA", ttl: 300, data: "2001:db8::1" },
      { name: `mail.${origin}`, type: "CNAME", ttl: 300, data: `www.${origin}` },
      {
        name: `_imaps._tcp.${origin}`,
        type: "SRV",
        ttl: 3600,
        data: { priority: 0, weight: 1, port: 993, target: "imap.example.net" },
      },
      ...extra,
    ],
  };
}

/** The serial a domain's zone holds in the database (moves on every change). */
export const storedSerial = async (db: Kysely<DB>, domainId: string): Promise<number> =>
  Number(
    (await db.selectFrom("zones").select("serial").where("domainId", "=", domainId).executeTakeFirstOrThrow())
      .serial,
  );
