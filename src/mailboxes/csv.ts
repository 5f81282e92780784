/** One CSV record: its fields, the line it starts on, and what was wrong with it, if anything. */
export interface CsvRecord {
  fields: string[];
  line: number;
  /** Where the record begins in the text (UTF-16 units, a byte-order mark counted), to cut a file in slices. */
  start: number;
  error?: string;
}

/**
 * Reads RFC 4180 CSV from text chunks, one record at a time (a file of a million rows is never
 * held in memory): fields separated by commas, optionally in double quotes, which may contain
 * commas, line breaks and doubled quotes (`""`); CRLF or LF line ends; a UTF-8 byte-order mark is
 * ignored; blank lines are skipped. A quote in the middle of an unquoted field, text after a
 * closing quote or a quote left open at the end marks the record with an error instead of guessing.
 */
export async function* parseCsv(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
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
      if (char === ",") {
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
