/** One CSV record: its fields, the line it starts on, and what was wrong with it, if anything. */
export interface CsvRecord {
  fields: string[];
  line: number;
  /** Where the record begins in the text (UTF-16 units, a byte-order mark counted), to cut a file in slices. */
  start: number;
  error?: string;
}

/** The separators a spreadsheet writes: comma, semicolon (locales with a decimal comma), tab. */
export const SEPARATORS = [",", ";", "\t"] as const;
export type Separator = (typeof SEPARATORS)[number];

/** How a separator is named in messages. */
export const separatorName = (separator: Separator): string =>
  separator === "\t" ? "tab" : separator === ";" ? 'semicolon ";"' : 'comma ","';

/**
 * The separator of a file from its first line (the header, outside quotes): the one of comma,
 * semicolon and tab that occurs most; a comma when none does (a header of one column).
 */
export function detectSeparator(text: string): Separator {
  const counts = new Map<Separator, number>(SEPARATORS.map((s) => [s, 0]));
  let quoted = false;
  for (const char of text.startsWith("\uFEFF") ? text.slice(1) : text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === "\n" || char === "\r")) break;
    else if (!quoted && counts.has(char as Separator))
      counts.set(char as Separator, (counts.get(char as Separator) ?? 0) + 1);
  }
  let best: Separator = ",";
  for (const [separator, count] of counts) if (count > (counts.get(best) ?? 0)) best = separator;
  return best;
}

/**
 * Reads RFC 4180 CSV from text chunks, one record at a time (a file of a million rows is never
 * held in memory): fields separated by commas (or the `separator` given), optionally in double
 * quotes, which may contain separators, line breaks and doubled quotes (`""`); CRLF or LF line ends; a UTF-8 byte-order mark is
 * ignored; blank lines are skipped. A quote in the middle of an unquoted field, text after a
 * closing quote or a quote left open at the end marks the record with an error instead of guessing.
 */
export async function* parseCsv(
  chunks: AsyncIterable<string>,
  separator: Separator = ",",
): AsyncGenerator<CsvRecord> {
  let fields: string[] = [];
  let field = "";
  let quoted = false; // inside a quoted field
  let closed = false; // a quoted field's closing quote was read
  let error: string | undefined;
  let line = 1;
  let recordLine = 1;
  let first = true;
  let pendingCr = false;
  let offset = 0; // UTF-16 units read so far
  let recordStart = 0;
  let atRecordStart = true;

  const endField = () => {
    fields.push(field);
    field = "";
    closed = false;
  };
  const endRecord = (): CsvRecord | null => {
    endField();
    const record: CsvRecord = { fields, line: recordLine, start: recordStart, ...(error ? { error } : {}) };
    const blank = fields.length === 1 && fields[0] === "" && !error;
    fields = [];
    error = undefined;
    return blank ? null : record;
  };

  for await (let chunk of chunks) {
    if (first) {
      if (chunk.startsWith("\uFEFF")) {
        chunk = chunk.slice(1);
        offset = 1;
      }
      first = false;
    }
    for (const char of chunk) {
      const at = offset;
      offset += char.length;
      if (pendingCr) {
        pendingCr = false;
        if (char === "\n") continue; // the LF of a CRLF already ended the record
      }
      if (atRecordStart) {
        recordStart = at;
        atRecordStart = false;
      }
      if (quoted) {
        if (char === '"') {
          quoted = false;
          closed = true;
        } else {
          if (char === "\n") line++;
          field += char;
        }
        continue;
      }
      if (char === '"') {
        if (closed) {
          // `""` inside a quoted field: one literal quote, and the field goes on.
          field += '"';
          quoted = true;
          closed = false;
        } else if (field === "") quoted = true;
        else {
          error ??= `line ${line}: a quote inside an unquoted field (quote the whole field and double the quote)`;
          field += char;
        }
        continue;
      }
      if (char === separator) {
        endField();
        continue;
      }
      if (char === "\n" || char === "\r") {
        pendingCr = char === "\r";
        const record = endRecord();
        atRecordStart = true;
        line++;
        recordLine = line;
        if (record) yield record;
        continue;
      }
      if (closed) error ??= `line ${line}: text after a closing quote`;
      field += char;
    }
  }
  if (quoted) error ??= `line ${recordLine}: a quoted field is never closed`;
  const last = endRecord();
  if (last) yield last;
}
