import * as packet from "dns-packet";
import { describe, expect, it } from "vitest";
import { parseRdata, printRdata, type RdataType, relativeName, resolveName } from "./rdata.js";

const origin = "example.org";

/** Parses, prints, parses again, and sends the data through dns-packet's encoder and decoder. */
function roundTrip(type: RdataType, text: string): string {
  const first = parseRdata(type, text, origin);
  if (!first.ok) throw new Error(`${type} ${text}: ${first.error.detail}`);
  const printed = printRdata(type, first.data);
  const again = parseRdata(type, printed, origin);
  expect(again).toEqual(first);
  const answer = { type, name: origin, ttl: 60, class: "IN", data: first.data } as packet.Answer;
  const decoded = packet.decode(packet.encode({ type: "response", answers: [answer] })).answers?.[0];
  expect(printRdata(type, (decoded as unknown as { data: never }).data)).toBe(printed);
  return printed;
}

describe("RDATA presentation text", () => {
  it("reads and prints every type, relative names completed with the origin", () => {
    expect(roundTrip("A", " 192.0.2.1 ")).toBe("192.0.2.1");
    expect(roundTrip("AAAA", "2001:DB8::1")).toBe("2001:db8::1");
    expect(roundTrip("NS", "ns1")).toBe("ns1.example.org.");
    expect(roundTrip("CNAME", "Www.Example.NET.")).toBe("www.example.net.");
    expect(roundTrip("MX", "10   @")).toBe("10 example.org.");
    expect(roundTrip("MX", "0 .")).toBe("0 .");
    expect(roundTrip("SRV", "10 5 5060 _sip._tcp")).toBe("10 5 5060 _sip._tcp.example.org.");
    expect(roundTrip("CAA", '0 issue "letsencrypt.org"')).toBe('0 issue "letsencrypt.org"');
    expect(roundTrip("CAA", "128 iodef mailto:ca@example.org")).toBe('128 iodef "mailto:ca@example.org"');
    expect(roundTrip("SOA", "ns1 hostmaster 2026120101 3600 600 1209600 300")).toBe(
      "ns1.example.org. hostmaster.example.org. 2026120101 3600 600 1209600 300",
    );
    expect(roundTrip("TXT", "v=spf1 mx -all")).toBe('"v=spf1 mx -all"');
    expect(roundTrip("TXT", '"a b" "say \\"hi\\"" "\\000\\255"')).toBe('"a b" "say \\"hi\\"" "\\000\\255"');
  });

  it("splits TXT text over 255 bytes into strings of 255", () => {
    const parsed = parseRdata("TXT", "x".repeat(600), origin);
    expect(parsed.ok && parsed.data.map((s) => s.length)).toEqual([255, 255, 90]);
    expect(roundTrip("TXT", `"${"y".repeat(256)}"`)).toBe(`"${"y".repeat(255)}" "y"`);
  });

  it("names the field at fault and the precise code", () => {
    const error = (type: RdataType, text: string) => {
      const result = parseRdata(type, text, origin);
      return result.ok ? null : { code: result.error.code, field: result.error.field };
    };
    expect(error("A", "192.0.2.256")).toEqual({ code: "INVALID_RECORD_DATA", field: "address" });
    expect(error("AAAA", "192.0.2.1")).toEqual({ code: "INVALID_RECORD_DATA", field: "address" });
    expect(error("MX", "65536 mx")).toEqual({ code: "INVALID_RECORD_DATA", field: "preference" });
    expect(error("MX", "10")).toEqual({ code: "INVALID_RECORD_DATA", field: "exchange" });
    expect(error("MX", "10 mx extra")).toEqual({ code: "INVALID_RECORD_DATA", field: "exchange" });
    expect(error("SRV", "1 2 70000 sip")).toEqual({ code: "INVALID_RECORD_DATA", field: "port" });
    expect(error("SRV", "1 -2 5060 sip")).toEqual({ code: "INVALID_RECORD_DATA", field: "weight" });
    expect(error("CAA", '0 policy "x"')).toEqual({ code: "INVALID_RECORD_DATA", field: "tag" });
    expect(error("CAA", '0 iodef "ftp://x"')).toEqual({ code: "INVALID_RECORD_DATA", field: "value" });
    expect(error("CAA", '256 issue "ca.example"')).toEqual({ code: "INVALID_RECORD_DATA", field: "flags" });
    expect(error("CNAME", `${"a".repeat(64)}.example.net.`)).toEqual({
      code: "LABEL_TOO_LONG",
      field: "target",
    });
    expect(error("NS", `${"a.".repeat(127)}b.`)).toEqual({ code: "NAME_TOO_LONG", field: "target" });
    expect(error("NS", "a..b.")).toEqual({ code: "INVALID_RECORD_DATA", field: "target" });
    expect(error("CNAME", "*.example.net.")).toEqual({ code: "INVALID_RECORD_DATA", field: "target" });
    expect(error("TXT", '"open')).toEqual({ code: "INVALID_RECORD_DATA", field: "text" });
    expect(error("TXT", '"a" b')).toEqual({ code: "INVALID_RECORD_DATA", field: "text" });
    expect(error("TXT", "")).toEqual({ code: "INVALID_RECORD_DATA", field: "text" });
  });

  it("resolves owner names and gives them back relative to the origin", () => {
    expect(resolveName("@", origin)).toEqual({ ok: true, name: origin });
    expect(resolveName("*.Dev", origin)).toEqual({ ok: true, name: "*.dev.example.org" });
    expect(resolveName("www.example.org.", origin)).toEqual({ ok: true, name: "www.example.org" });
    expect(relativeName("example.org", origin)).toBe("@");
    expect(relativeName("_dmarc.example.org", origin)).toBe("_dmarc");
    expect(relativeName("example.net", origin)).toBe("example.net.");
  });
});
