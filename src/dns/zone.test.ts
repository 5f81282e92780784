import { describe, expect, it } from "vitest";
import { indexZone, negativeTtlOf, type Zone, type ZoneRecord, ZoneSet } from "./zone.js";

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
