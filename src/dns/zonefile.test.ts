import { describe, expect, it } from "vitest";
import { parseTtl, parseZoneFile, printZoneFile, readZoneFile, tokenize } from "./zonefile.js";

const read = (text: string) => readZoneFile(text, { origin: "example.org", defaultTtl: 3600 });
const brief = (text: string) =>
  read(text).entries.map(({ line, name, ttl, type, rdata }) => ({ line, name, ttl, type, rdata }));

describe("zone-file tokenizer", () => {
  it("joins parenthesised lines, drops comments and keeps quoted strings whole", () => {
    const { lines, problems } = tokenize(
      [
        "@ IN SOA ns1.example.org. admin.example.org. ( ; the SOA",
        "    2024010101 ; serial",
        "    3600 900 604800 300 )",
        'txt IN TXT "a ; not a comment" "b \\" c"',
      ].join("\n"),
    );
    expect(problems).toEqual([]);
    expect(lines.map((l) => [l.line, l.tokens.map((t) => t.raw)])).toEqual([
      [
        1,
        [
          "@",
          "IN",
          "SOA",
          "ns1.example.org.",
          "admin.example.org.",
          "2024010101",
          "3600",
          "900",
          "604800",
          "300",
        ],
      ],
      [4, ["txt", "IN", "TXT", '"a ; not a comment"', '"b \\" c"']],
    ]);
  });

  it("reports an unclosed quote or parenthesis with its line and skips only that record", () => {
    const { lines, problems } = tokenize(
      ["a A 192.0.2.1", 'b TXT "open', "c A 192.0.2.3", "d MX ( 10 mx"].join("\n"),
    );
    expect(lines.map((l) => l.tokens[0]?.raw)).toEqual(["a", "c"]);
    expect(problems).toEqual([
      { line: 2, code: "ZONE_FILE_SYNTAX", detail: "a quoted string is not closed on its line" },
      { line: 4, code: "ZONE_FILE_SYNTAX", detail: '"(" is not closed' },
    ]);
  });

  it("marks lines that start with a blank as continuing the previous owner", () => {
    const { lines } = tokenize("www A 192.0.2.1\n\tAAAA 2001:db8::1\n");
    expect(lines.map((l) => l.blankOwner)).toEqual([false, true]);
  });
});

describe("TTL values", () => {
  it.each([
    ["3600", 3600],
    ["1h", 3600],
    ["1h30m", 5400],
    ["2D", 172_800],
    ["1w1d", 691_200],
    ["0", 0],
  ])("%s is %d seconds", (text, seconds) => expect(parseTtl(text)).toBe(seconds));

  it.each(["", "h", "1x", "1h 2m", "-5", "4294967296", "1.5h"])("%j is not a TTL", (text) =>
    expect(parseTtl(text)).toBeNull(),
  );
});

describe("readZoneFile", () => {
  it("resolves $ORIGIN, $TTL, @, relative and absolute names, blank owners, TTL and class in either order", () => {
    const text = [
      "$TTL 1h",
      "@        IN  SOA ns1 hostmaster ( 1 2 3 4 5 )",
      "         IN  NS  ns1.example.org.",
      "         300 MX  10 mail",
      "www      IN 600 A 192.0.2.1",
      "                 AAAA 2001:db8::1",
      "$ORIGIN sub.example.org.",
      "api      A 192.0.2.2",
      '@        TXT "v=spf1 -all"',
      "Abs.Example.ORG. 60 IN CNAME www.example.org.",
    ].join("\n");
    expect(read(text).problems).toEqual([]);
    expect(brief(text)).toEqual([
      { line: 2, name: "example.org", ttl: 3600, type: "SOA", rdata: "ns1 hostmaster 1 2 3 4 5" },
      { line: 3, name: "example.org", ttl: 3600, type: "NS", rdata: "ns1.example.org." },
      { line: 4, name: "example.org", ttl: 300, type: "MX", rdata: "10 mail" },
      { line: 5, name: "www.example.org", ttl: 600, type: "A", rdata: "192.0.2.1" },
      { line: 6, name: "www.example.org", ttl: 3600, type: "AAAA", rdata: "2001:db8::1" },
      { line: 8, name: "api.sub.example.org", ttl: 3600, type: "A", rdata: "192.0.2.2" },
      { line: 9, name: "sub.example.org", ttl: 3600, type: "TXT", rdata: '"v=spf1 -all"' },
      { line: 10, name: "abs.example.org", ttl: 60, type: "CNAME", rdata: "www.example.org." },
    ]);
    // Relative names inside RDATA are resolved by the caller against the origin in force.
    expect(read(text).entries.map((e) => e.origin)).toEqual([
      ...Array(5).fill("example.org"),
      ...Array(3).fill("sub.example.org"),
    ]);
  });

  it("without $TTL takes the previous record's TTL, and the default before any", () => {
    expect(brief("a A 192.0.2.1\nb 120 A 192.0.2.2\nc A 192.0.2.3").map((e) => e.ttl)).toEqual([
      3600, 120, 120,
    ]);
  });

  it("accepts the origin with a trailing dot and in any case", () => {
    const { entries } = readZoneFile("www A 192.0.2.1", { origin: "Example.ORG.", defaultTtl: 60 });
    expect(entries[0]?.name).toBe("www.example.org");
  });

  it("reports what it cannot use, line by line, and keeps the rest", () => {
    const text = [
      "$INCLUDE /etc/passwd",
      "$GENERATE 1-10 host$ A 192.0.2.$",
      "$TTL forever",
      "$ORIGIN example.net.",
      'www CH TXT "chaos"',
      "evil.example.net. A 192.0.2.9",
      "a\\.b A 192.0.2.1",
      "ok A 192.0.2.1",
      "nothing 300 IN",
      "another.org. A 192.0.2.1",
    ].join("\n");
    const { entries, problems } = read(text);
    expect(entries.map((e) => e.name)).toEqual(["ok.example.org"]);
    expect(problems.map((p) => [p.line, p.code])).toEqual([
      [1, "ZONE_FILE_DIRECTIVE_NOT_SUPPORTED"],
      [2, "ZONE_FILE_DIRECTIVE_NOT_SUPPORTED"],
      [3, "ZONE_FILE_BAD_TTL"],
      [4, "ZONE_FILE_OUT_OF_ZONE"],
      [5, "ZONE_FILE_CLASS_NOT_SUPPORTED"],
      [6, "ZONE_FILE_OUT_OF_ZONE"],
      [7, "ZONE_FILE_BAD_NAME"],
      [9, "ZONE_FILE_SYNTAX"],
      [10, "ZONE_FILE_OUT_OF_ZONE"],
    ]);
  });

  it("refuses a first record with a blank owner", () => {
    expect(read("  A 192.0.2.1").problems).toEqual([
      { line: 1, code: "ZONE_FILE_SYNTAX", detail: "the first record has no owner name" },
    ]);
  });

  it("reads CRLF files and an empty file", () => {
    expect(brief("www A 192.0.2.1\r\nmail A 192.0.2.2\r\n").map((e) => e.name)).toEqual([
      "www.example.org",
      "mail.example.org",
    ]);
    expect(read("")).toEqual({ entries: [], problems: [] });
  });
});

describe("printZoneFile", () => {
  const records = [
    { name: "www.example.org", type: "A", ttl: 300, data: "192.0.2.1" },
    { name: "example.org", type: "MX", ttl: 3600, data: "10 mx.example.net." },
    { name: "example.org", type: "NS", ttl: 3600, data: "ns1.example.net." },
    {
      name: "example.org",
      type: "SOA",
      ttl: 3600,
      data: "ns1.example.net. hostmaster.example.net. 7 3600 900 604800 300",
    },
    { name: "a.www.example.org", type: "TXT", ttl: 60, data: '"hello world" "second; part"' },
    { name: "_sip._tcp.example.org", type: "SRV", ttl: 60, data: "10 5 5060 sip.example.org." },
  ];

  it("writes $ORIGIN and $TTL, the apex first with SOA and NS leading, and names relative to the origin", () => {
    expect(printZoneFile("example.org", 3600, records)).toBe(
      [
        "$ORIGIN example.org.",
        "$TTL 3600",
        "@         3600 IN SOA   ns1.example.net. hostmaster.example.net. 7 3600 900 604800 300",
        "@         3600 IN NS    ns1.example.net.",
        "@         3600 IN MX    10 mx.example.net.",
        "_sip._tcp 60 IN SRV   10 5 5060 sip.example.org.",
        "www       300 IN A     192.0.2.1",
        'a.www     60 IN TXT   "hello world" "second; part"',
        "",
      ].join("\n"),
    );
  });

  it("reads back to the same records", () => {
    const text = printZoneFile("example.org", 3600, records);
    const { entries, problems } = read(text);
    expect(problems).toEqual([]);
    const back = entries.map(({ name, type, ttl, rdata }) => ({ name, type, ttl, data: rdata }));
    const key = (r: { name: string; type: string }) => `${r.name} ${r.type}`;
    expect(back.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      [...records].sort((a, b) => key(a).localeCompare(key(b))),
    );
  });
});

describe("parseZoneFile", () => {
  const BIND = [
    "; exported by BIND 9",
    "$ORIGIN example.org.",
    "$TTL 86400",
    "@\tIN\tSOA\tns1.example.org. hostmaster.example.org. (",
    "\t\t2024060101 ; serial",
    "\t\t7200 3600 1209600 3600 )",
    "\tIN\tNS\tns1",
    "\tIN\tMX\t10 mail",
    '\tIN\tTXT\t"v=spf1 mx -all"',
    "words\tIN\tTXT\thello world",
    "mail\tIN\tA\t192.0.2.25",
    "www\t300\tIN\tCNAME\t@",
    "_sip._tcp\tSRV\t10 60 5060 sip",
    '@\tCAA\t0 issue "letsencrypt.org"',
    "bad\tA\t999.1.1.1",
    'old\tHINFO\t"PC" "DOS"',
  ].join("\n");

  it("parses each record's RDATA relative to its origin and reports the ones it cannot serve", () => {
    const { records, problems } = parseZoneFile(BIND, { origin: "example.org", defaultTtl: 3600 });
    expect(records.map((r) => [r.line, r.name, r.ttl, r.type, r.text])).toEqual([
      [
        4,
        "example.org",
        86400,
        "SOA",
        "ns1.example.org. hostmaster.example.org. 2024060101 7200 3600 1209600 3600",
      ],
      [7, "example.org", 86400, "NS", "ns1.example.org."],
      [8, "example.org", 86400, "MX", "10 mail.example.org."],
      [9, "example.org", 86400, "TXT", '"v=spf1 mx -all"'],
      [10, "words.example.org", 86400, "TXT", '"hello" "world"'],
      [11, "mail.example.org", 86400, "A", "192.0.2.25"],
      [12, "www.example.org", 300, "CNAME", "example.org."],
      [13, "_sip._tcp.example.org", 86400, "SRV", "10 60 5060 sip.example.org."],
      [14, "example.org", 86400, "CAA", '0 issue "letsencrypt.org"'],
    ]);
    expect(problems.map((p) => [p.line, p.code])).toEqual([
      [15, "INVALID_RECORD_DATA"],
      [16, "ZONE_FILE_TYPE_NOT_SUPPORTED"],
    ]);
  });

  it("reads its own export back to the same records", () => {
    const { records } = parseZoneFile(BIND, { origin: "example.org", defaultTtl: 3600 });
    const printed = printZoneFile(
      "example.org",
      3600,
      records.map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, data: r.text })),
    );
    const again = parseZoneFile(printed, { origin: "example.org", defaultTtl: 3600 });
    expect(again.problems).toEqual([]);
    const key = (r: { name: string; type: string; text: string; ttl: number }) =>
      `${r.name} ${r.type} ${r.ttl} ${r.text}`;
    expect(again.records.map(key).sort()).toEqual(records.map(key).sort());
  });
});

describe("never throws", () => {
  // Deterministic pseudo-random input, so a failure is reproducible from its seed.
  const random = (seed: number) => () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const VALID = [
    "$ORIGIN example.org.",
    "$TTL 1h",
    "@ IN SOA ns1 host ( 1 2 3 4 5 )",
    '  IN TXT "a;b" "c\\"d"',
    "www 300 IN A 192.0.2.1",
    "_sip._tcp SRV 1 2 3 sip",
    '@ CAA 0 issue "ca.example"',
  ].join("\n");
  const ALPHABET = ' \t\n();"\\$@.*0123456789abcINASOXMTRCV-_';

  it("on random text and on mutations of a valid file", () => {
    const next = random(42);
    for (let round = 0; round < 3000; round++) {
      let text: string;
      if (round % 2 === 0) {
        text = Array.from({ length: Math.floor(next() * 200) }, () =>
          ALPHABET.charAt(Math.floor(next() * ALPHABET.length)),
        ).join("");
      } else {
        const chars = [...VALID];
        for (let k = 0; k < 1 + Math.floor(next() * 8); k++) {
          const at = Math.floor(next() * chars.length);
          chars[at] = ALPHABET.charAt(Math.floor(next() * ALPHABET.length));
        }
        text = chars.join("");
      }
      const { records, problems } = parseZoneFile(text, { origin: "example.org", defaultTtl: 3600 });
      for (const record of records) expect(record.name.endsWith("example.org"), text).toBe(true);
      for (const problem of problems) expect(problem.line, text).toBeGreaterThan(0);
    }
  });
});
