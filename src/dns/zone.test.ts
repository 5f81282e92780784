import { describe, expect, it } from "vitest";
import { answerFromZone, preparedAnswer } from "./answer.js";
import { prepareReply } from "./wire.js";
import { type IndexedZone, indexZone, negativeTtlOf, type Zone, type ZoneRecord, ZoneSet } from "./zone.js";

const soa = (origin: string, ttl = 3600, minimum = 300): ZoneRecord => ({
  name: origin,
  type: "SOA",
  ttl,
  data: { mname: `ns.${origin}`, rname: `h.${origin}`, serial: 1, refresh: 1, retry: 1, expire: 1, minimum },
});
const zone = (origin: string, records: ZoneRecord[] = []): Zone => ({
  origin,
  serial: 1,
  negativeTtl: 300,
  records: [soa(origin), ...records],
});

describe("ZoneSet", () => {
  it("finds the zone with the longest origin a name lies in, whatever its case or trailing dot", () => {
    const zones = new ZoneSet();
    zones.set(zone("example.org"));
    zones.set(zone("sub.example.org"));
    expect(zones.size).toBe(2);
    expect(zones.find("WWW.Example.ORG.")?.origin).toBe("example.org");
    expect(zones.find("a.sub.example.org")?.origin).toBe("sub.example.org");
    expect(zones.find("sub.example.org")?.origin).toBe("sub.example.org");
    expect(zones.find("example.com")).toBeUndefined();
    expect(zones.find("notexample.org")).toBeUndefined();
    zones.delete("SUB.example.org.");
    expect(zones.find("a.sub.example.org")?.origin).toBe("example.org");
    expect(zones.size).toBe(1);
  });

  it("replaces a zone whole", () => {
    const zones = new ZoneSet();
    zones.set(zone("example.org", [{ name: "a.example.org", type: "A", ttl: 60, data: "192.0.2.1" }]));
    zones.set(zone("example.org"));
    expect(zones.size).toBe(1);
    expect(zones.findIndexed("a.example.org")?.nodes.has("a.example.org")).toBe(false);
  });
});

describe("indexZone", () => {
  it("knows the empty non-terminals, the cuts and the SOA, and leaves out names outside the zone", () => {
    const indexed = indexZone(
      zone("example.org", [
        { name: "a.b.c.example.org", type: "A", ttl: 60, data: "192.0.2.1" },
        { name: "Child.example.org.", type: "NS", ttl: 60, data: "ns.child.example.org" },
        { name: "example.org", type: "NS", ttl: 60, data: "ns.example.org" },
        { name: "stray.example.com", type: "A", ttl: 60, data: "192.0.2.2" },
      ]),
    );
    expect([...indexed.nodes.keys()].sort()).toEqual([
      "a.b.c.example.org",
      "b.c.example.org",
      "c.example.org",
      "child.example.org",
      "example.org",
    ]);
    expect([...indexed.cuts]).toEqual(["child.example.org"]);
    expect(indexed.soa?.type).toBe("SOA");
    expect(indexed.nodes.has("stray.example.com")).toBe(false);
    expect(indexed.nodes.get("b.c.example.org")?.rrsets).toEqual([]);
  });

  it("computes the negative TTL as min(SOA TTL, SOA minimum)", () => {
    expect(negativeTtlOf(soa("example.org", 3600, 300))).toBe(300);
    expect(negativeTtlOf(soa("example.org", 120, 300))).toBe(120);
  });
});

describe("reindexZone (a change applied to the index served)", () => {
  const origin = "example.org";
  const soaAt = (serial: number): ZoneRecord => ({
    name: origin,
    type: "SOA",
    ttl: 3600,
    data: {
      mname: "ns1.example.net",
      rname: "h.example.net",
      serial,
      refresh: 1,
      retry: 1,
      expire: 1,
      minimum: 300,
    },
  });
  // Names at several depths: empty non-terminals, a wildcard, a delegation with glue, CNAME chains, MX targets.
  const names = [
    "",
    "www",
    "mail",
    "a.b.c",
    "b.c",
    "c",
    "d.b.c",
    "*.w",
    "sub",
    "ns.sub",
    "deep.sub",
    "alias",
    "alias2",
    "txt",
  ];
  const fqdn = (label: string) => (label === "" ? origin : `${label}.${origin}`);
  const randomRecord = (next: () => number, serial: number): ZoneRecord => {
    const name = fqdn(names[Math.floor(next() * names.length)] as string);
    const n = Math.floor(next() * 4);
    switch (Math.floor(next() * 8)) {
      case 0:
        return { name, type: "AAAA", ttl: 60, data: `2001:db8::${n + 1}` };
      case 1:
        return { name, type: "TXT", ttl: 300, data: `text ${serial} ${n}` };
      case 2:
        return {
          name,
          type: "MX",
          ttl: 300,
          data: { preference: n, exchange: fqdn(n % 2 ? "mail" : "www") },
        };
      case 3:
        return { name: name === origin ? fqdn("sub") : name, type: "NS", ttl: 300, data: fqdn("ns.sub") };
      case 4:
        return { name, type: "CNAME", ttl: 300, data: fqdn(["www", "alias", "mail", "nope"][n] as string) };
      case 5:
        return {
          name,
          type: "SRV",
          ttl: 300,
          data: { priority: 1, weight: n, port: 443, target: fqdn("www") },
        };
      default:
        return { name, type: "A", ttl: n % 2 ? 60 : 3600, data: `192.0.2.${n + 1}` };
    }
  };
  const qnames = [
    ...names.map(fqdn),
    fqdn("nope"),
    fqdn("x.w"),
    fqdn("y.z.w"),
    fqdn("q.www"),
    fqdn("z.d.b.c"),
    fqdn("q.deep.sub"),
  ];
  const qtypes = [1, 2, 5, 6, 15, 16, 28, 33, 257, 255, 43];
  const answers = (zone: IndexedZone, cached: boolean) =>
    qnames.flatMap((qname) =>
      qtypes.map((qtype) => {
        const reply = cached
          ? preparedAnswer(zone, qname, undefined, qtype)
          : prepareReply(answerFromZone(zone, qname, undefined, qtype));
        return `${qname} ${qtype} ${reply.rcode} ${reply.authoritative} ${reply.answerCount}/${reply.authorityCount}/${reply.additionalCount} ${reply.body.toString("hex")}`;
      }),
    );
  const shape = (zone: IndexedZone) => ({
    nodes: [...zone.nodes]
      .map(
        ([name, node]) =>
          [
            name,
            [...node.rrsets].sort((a, b) => (a[0]?.type ?? "").localeCompare(b[0]?.type ?? "")),
          ] as const,
      )
      .sort((a, b) => a[0].localeCompare(b[0])),
    cuts: [...zone.cuts].sort(),
    soa: zone.soa,
  });

  it("gives exactly the answers of the zone indexed whole, change after change, with answers cached on the nodes shared", () => {
    // A fixed sequence (a linear congruential generator): the same zones every run.
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const zones = new ZoneSet();
    let zone: Zone = { origin, serial: 1, negativeTtl: 300, records: [soaAt(1)] };
    zones.set(zone);
    let inPlace = 0;
    for (let serial = 2; serial < 300; serial++) {
      const before = zones.findIndexed(origin) as IndexedZone;
      // Answers cached in the version served: the next one must not answer from them.
      answers(before, true);
      const others = before.zone.records.slice(1);
      const removed: ZoneRecord[] = [before.zone.records[0] as ZoneRecord];
      for (let k = Math.floor(next() * 2); k > 0 && others.length > 0; k--)
        removed.push(...others.splice(Math.floor(next() * others.length), 1));
      const added = [soaAt(serial)];
      for (let k = Math.floor(next() * 3); k > 0; k--) added.push(randomRecord(next, serial));
      zone = {
        origin,
        serial,
        negativeTtl: 300,
        records: [added[0] as ZoneRecord, ...others, ...added.slice(1)],
      };
      zones.set(zone, { previous: before.zone, removed, added });
      const changed = zones.findIndexed(origin) as IndexedZone;
      // Changed in place, not made again.
      if (changed.nodes === before.nodes) inPlace++;
      const whole = indexZone({ ...zone, records: zone.records.map((r) => ({ ...r })) });
      expect(shape(changed)).toEqual(shape(whole));
      expect(answers(changed, true)).toEqual(answers(whole, false));
    }
    expect(inPlace).toBe(298);
    expect(zones.findIndexed(origin)?.nodes.size).toBeGreaterThan(10);
  });

  it("indexes the zone whole when the one served is not the version the change was made on", () => {
    const zones = new ZoneSet();
    const first: Zone = { origin, serial: 1, negativeTtl: 300, records: [soaAt(1)] };
    zones.set(first);
    zones.set({ origin, serial: 2, negativeTtl: 300, records: [soaAt(2)] });
    const www: ZoneRecord = { name: fqdn("www"), type: "A", ttl: 60, data: "192.0.2.1" };
    const third: Zone = { origin, serial: 3, negativeTtl: 300, records: [soaAt(3), www] };
    zones.set(third, {
      previous: first,
      removed: [first.records[0] as ZoneRecord],
      added: [third.records[0] as ZoneRecord, www],
    });
    expect(shape(zones.findIndexed(origin) as IndexedZone)).toEqual(shape(indexZone(third)));
  });
});
