import { negativeTtlOf, type Zone, type ZoneRecord } from "../../src/dns/zone.js";

const record = (name: string, type: ZoneRecord["type"], data: unknown, ttl = 3600): ZoneRecord => ({
  name: name === "@" ? "example.test" : `${name}.example.test`,
  type,
  ttl,
  data,
});

const soa = record("@", "SOA", {
  mname: "ns1.example.test",
  rname: "hostmaster.example.test",
  serial: 2026120101,
  refresh: 3600,
  retry: 600,
  expire: 1209600,
  minimum: 300,
});

/** A zone with one of each case the server must answer: chains, wildcards, a delegation, big RRsets. */
export const exampleZone = (): Zone => {
  const records: ZoneRecord[] = [
    soa,
    record("@", "NS", "ns1.example.test"),
    record("@", "NS", "ns2.example.net"),
    record("@", "A", "192.0.2.1"),
    record("@", "MX", { preference: 10, exchange: "mail.example.test" }),
    record("@", "TXT", "v=spf1 mx -all"),
    record("ns1", "A", "192.0.2.53"),
    record("mail", "A", "192.0.2.25"),
    record("mail", "AAAA", "2001:db8::25"),
    record("www", "CNAME", "web.example.test"),
    record("web", "CNAME", "host.example.test"),
    record("host", "A", "192.0.2.80", 120),
    record("dangling", "CNAME", "nowhere.example.test"),
    record("out", "CNAME", "elsewhere.example.net"),
    record("loop1", "CNAME", "loop2.example.test"),
    record("loop2", "CNAME", "loop1.example.test"),
    record("x.ent", "A", "192.0.2.7"),
    record("*.wild", "A", "192.0.2.99"),
    record("*.wild", "TXT", "from the wildcard"),
    record("sub.wild", "TXT", "a real name"),
    record("y.*.ewild", "A", "192.0.2.98"),
    record("*.wc", "CNAME", "host.example.test"),
    record("_sip._tcp", "SRV", { priority: 10, weight: 5, port: 5060, target: "mail.example.test" }),
    record("@", "CAA", { flags: 0, tag: "issue", value: "letsencrypt.org" }),
    record("child", "NS", "ns.child.example.test"),
    record("child", "NS", "ns.elsewhere.net"),
    record("ns.child", "A", "192.0.2.200"),
    record("ns.child", "AAAA", "2001:db8::200"),
  ];
  // 700 bytes of TXT: more than 512, less than 1232.
  for (let i = 0; i < 7; i++) records.push(record("medium", "TXT", `${i}${"m".repeat(99)}`));
  // About 5 kB: more than any UDP answer we give.
  for (let i = 0; i < 25; i++) records.push(record("big", "TXT", `${i}${"b".repeat(199)}`));
  return { origin: "example.test", serial: 2026120101, records, negativeTtl: negativeTtlOf(soa) };
};
