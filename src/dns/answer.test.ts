import { describe, expect, it } from "vitest";
import { encodeCommon, encodeRecord, toPacketAnswer } from "./answer.js";
import type { ZoneRecord } from "./zone.js";

const records: ZoneRecord[] = [
  { name: "example.org", type: "A", ttl: 3600, data: "192.0.2.1" },
  { name: "www.example.org", type: "A", ttl: 60, data: "255.0.10.254" },
  { name: "example.org", type: "NS", ttl: 86400, data: "ns1.example.net" },
  { name: "*.example.org", type: "CNAME", ttl: 300, data: "example.org." },
  { name: "example.org", type: "MX", ttl: 3600, data: { preference: 10, exchange: "mx.example.net" } },
  { name: "_dmarc.example.org", type: "TXT", ttl: 3600, data: [Buffer.from("v=DMARC1; p=none")] },
  { name: "example.org", type: "TXT", ttl: 3600, data: "v=spf1 mx -all" },
  {
    name: "k._domainkey.example.org",
    type: "TXT",
    ttl: 3600,
    data: [Buffer.from("x".repeat(300)), Buffer.from([0, 255, 7]), Buffer.alloc(0)],
  },
];

describe("answers: records written without dns-packet", () => {
  it.each(records.map((record) => [`${record.name} ${record.type}`, record] as const))(
    "%s: the same bytes as dns-packet writes",
    (_, record) => {
      const direct = encodeCommon(record);
      expect(direct).toBeDefined();
      expect(direct?.toString("hex")).toBe(encodeRecord(toPacketAnswer(record)).toString("hex"));
    },
  );

  it("leaves other types and escaped names to dns-packet", () => {
    expect(encodeCommon({ name: "example.org", type: "AAAA", ttl: 60, data: "2001:db8::1" })).toBeUndefined();
    expect(
      encodeCommon({ name: "a\\032b.example.org", type: "A", ttl: 60, data: "192.0.2.1" }),
    ).toBeUndefined();
    expect(
      encodeCommon({ name: "example.org", type: "CNAME", ttl: 60, data: "we\\.ird.example.net" }),
    ).toBeUndefined();
  });
});
