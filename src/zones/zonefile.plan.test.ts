import { describe, expect, it } from "vitest";
import { planImport } from "./zonefile.plan.js";

const FILE = [
  "$TTL 300",
  "@ IN SOA ns1.other.net. hostmaster.other.net. 1 7200 3600 1209600 300",
  "@ IN NS ns1.other.net.",
  "@ IN MX 10 mx.mfd.test.",
  '@ IN TXT "v=spf1 mx -all"',
  "www IN A 192.0.2.1",
  "www IN A 192.0.2.1",
  "sub IN NS ns1.other.net.",
  "bad IN A not-an-address",
].join("\n");

describe("planImport", () => {
  it("adds what the zone lacks, counts what it has, and skips the SOA, the apex NS, repeats and bad lines", () => {
    const plan = planImport("example.org", FILE, [
      { fqdn: "example.org", type: "MX", data: "10 mx.mfd.test." },
      { fqdn: "example.org", type: "TXT", data: '"v=spf1 -all"' },
    ]);
    expect(plan.toAdd.map((r) => [r.line, r.name, r.type, r.text, r.ttl])).toEqual([
      [5, "example.org", "TXT", '"v=spf1 mx -all"', 300],
      [6, "www.example.org", "A", "192.0.2.1", 300],
      [8, "sub.example.org", "NS", "ns1.other.net.", 300],
    ]);
    expect(plan.unchanged).toBe(1);
    expect(plan.skipped.map((s) => [s.line, s.code])).toEqual([
      [2, "RECORD_TYPE_NOT_ALLOWED"],
      [3, "RECORD_TYPE_NOT_ALLOWED"],
      [7, "DUPLICATE_RECORD"],
      [9, "INVALID_RECORD_DATA"],
    ]);
  });

  it("finds nothing to add in the zone's own export", () => {
    const plan = planImport("example.org", "www 300 IN A 192.0.2.1\n", [
      { fqdn: "www.example.org", type: "A", data: "192.0.2.1" },
    ]);
    expect(plan).toEqual({ toAdd: [], unchanged: 1, skipped: [] });
  });
});
