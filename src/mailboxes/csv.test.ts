import { describe, expect, it } from "vitest";
import { detectSeparator, parseCsv } from "./csv.js";

/** Parses `text` delivered in chunks of `size` characters, so records cross chunk borders. */
async function parse(text: string, size = 3) {
  async function* chunks() {
    for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
  }
  const records = [];
  // Where records start has a test of its own, below.
  for await (const { start: _start, ...record } of parseCsv(chunks())) records.push(record);
  return records;
}

describe("parseCsv", () => {
  it("says where each record starts, so the text can be cut into slices of whole records", async () => {
    const text = '\uFEFFlogin,name\r\n\r\nann,"two\nlines"\r\nbob,b\rcid,\u00e9\u{1F600}\ndan,d';
    for (const size of [1, 2, 5, 1000]) {
      const starts = [];
      async function* chunks() {
        for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
      }
      for await (const record of parseCsv(chunks())) starts.push(record.start);
      expect(starts.map((start) => text.slice(start, start + 3))).toEqual([
        "log",
        "ann",
        "bob",
        "cid",
        "dan",
      ]);
      // The header and any slice of records, each ending where the next begins, is a file of its own.
      const slice = text.slice(0, starts[1]) + text.slice(starts[2], starts[4]);
      const again = [];
      for await (const record of parseCsv(
        (async function* () {
          yield slice;
        })(),
      ))
        again.push(record.fields);
      expect(again).toEqual([
        ["login", "name"],
        ["bob", "b"],
        ["cid", "\u00e9\u{1F600}"],
      ]);
    }
  });

  it("reads plain and quoted fields with commas, doubled quotes and line breaks, across chunks", async () => {
    for (const size of [1, 2, 7, 1000]) {
      const records = await parse('a,b,c\r\n"x, y","say ""hi""","two\nlines"\nlast,,\n', size);
      expect(records).toEqual([
        { fields: ["a", "b", "c"], line: 1 },
        { fields: ["x, y", 'say "hi"', "two\nlines"], line: 2 },
        { fields: ["last", "", ""], line: 4 },
      ]);
    }
  });

  it("ignores a byte-order mark and blank lines, and reads a last line without a line end", async () => {
    expect(await parse("\uFEFFlogin\r\n\r\n\nbob")).toEqual([
      { fields: ["login"], line: 1 },
      { fields: ["bob"], line: 4 },
    ]);
    expect(await parse("")).toEqual([]);
  });

  it("keeps empty quoted fields and lone CR line ends", async () => {
    expect(await parse('"",x\r"y",""\r')).toEqual([
      { fields: ["", "x"], line: 1 },
      { fields: ["y", ""], line: 2 },
    ]);
  });

  it("marks malformed records instead of guessing, and reads on", async () => {
    const records = await parse('ab"c,d\n"x"y,z\nok,1\n"never closed,2\n');
    expect(records.map((r) => r.error ?? null)).toEqual([
      "line 1: a quote inside an unquoted field (quote the whole field and double the quote)",
      "line 2: text after a closing quote",
      null,
      "line 4: a quoted field is never closed",
    ]);
    expect(records[2]).toEqual({ fields: ["ok", "1"], line: 3 });
  });
});

describe("detectSeparator", () => {
  it("takes the separator of the header line: comma, semicolon or tab, quotes and later lines aside", async () => {
    expect(detectSeparator("login,password\nx;y;z;w\n")).toBe(",");
    expect(detectSeparator("\uFEFFlogin;password;first_name\n")).toBe(";");
    expect(detectSeparator("login\tpassword\n")).toBe("\t");
    expect(detectSeparator('"a,b,c";password\n')).toBe(";");
    expect(detectSeparator("login\n")).toBe(",");
    const records = [];
    async function* chunks() {
      yield 'a;"b;c"\n1;2\n';
    }
    for await (const record of parseCsv(chunks(), ";")) records.push(record.fields);
    expect(records).toEqual([
      ["a", "b;c"],
      ["1", "2"],
    ]);
  });
});
