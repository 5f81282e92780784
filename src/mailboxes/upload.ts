/**
 * The API's CSV import (the console's upload): the file's text in a request, read by the same
 * parser and columns as `mfd mailboxes import` and created through the same batch rules. A dry run
 * checks every row and creates nothing; an import takes at most BATCH_MAX rows, so a client cuts a
 * larger file into slices of whole rows at the `start` offsets the dry run gives (each slice is the
 * header followed by rows) and shows its progress slice by slice.
 */
import type { Static } from "@sinclair/typebox";
import type { RequestContext } from "../access/actor.js";
import { authorizeDomain } from "../access/domain-access.js";
import type { Deps } from "../deps.js";
import { AppError } from "../lib/errors.js";
import { type BatchRow, createMailboxes } from "./batch.js";
import { type CsvRecord, detectSeparator, parseCsv } from "./csv.js";
import { fieldCountProblem, header } from "./csv-columns.js";
import { BATCH_MAX, type CsvImportResult } from "./mailboxes.schemas.js";
import { domainName } from "./queries.js";

export type CsvImportView = Static<typeof CsvImportResult>;
type Row = CsvImportView["rows"][number];

export async function importCsvText(
  deps: Deps,
  ctx: RequestContext,
  rawDomain: string,
  text: string,
  options: { dryRun: boolean },
): Promise<CsvImportView> {
  // A stranger learns nothing about the file's problems: access first.
  await authorizeDomain(deps.database.db, ctx.actor, domainName(rawDomain), "mailboxes:write");
  // Comma, semicolon or tab, as the header line has it (as `mfd mailboxes import` reads it).
  const separator = detectSeparator(text);
  const records: CsvRecord[] = [];
  for await (const record of parseCsv(once(text), separator)) records.push(record);
  const [head, ...data] = records;
  if (!head) throw new AppError("VALIDATION_FAILED", "The file is empty: it needs a header line.");
  const columns = header(head, separator);
  if (!options.dryRun && data.length > BATCH_MAX)
    throw new AppError(
      "VALIDATION_FAILED",
      `An import takes at most ${BATCH_MAX} rows at a time (this file has ${data.length}): send it in slices.`,
      { field: "csv", limit: BATCH_MAX },
    );

  const rows: Row[] = [];
  const batch: Array<{ index: number; row: BatchRow }> = [];
  for (const record of data) {
    const field = (name: string) => {
      const index = columns.get(name);
      return index === undefined ? undefined : record.fields[index];
    };
    const row: Row = {
      line: record.line,
      start: record.start,
      login: field("login") ?? "",
      status: "failed",
    };
    const problem = record.error ?? fieldCountProblem(record, columns.size);
    if (problem) Object.assign(row, { code: "VALIDATION_FAILED", detail: problem });
    else
      batch.push({
        index: rows.length,
        row: {
          login: row.login,
          password: field("password") ?? "",
          firstName: field("first_name"),
          lastName: field("last_name"),
        },
      });
    rows.push(row);
  }

  if (batch.length > 0) {
    const outcome = await createMailboxes(
      deps,
      ctx,
      rawDomain,
      batch.map((b) => b.row),
      { via: "import", dryRun: options.dryRun },
    );
    outcome.results.forEach((result, i) => {
      const row = rows[(batch[i] as { index: number }).index] as Row;
      Object.assign(row, result);
    });
  }
  const count = (status: Row["status"]) => rows.filter((r) => r.status === status).length;
  return {
    dryRun: options.dryRun,
    rows,
    created: count("created"),
    skipped: count("skipped"),
    failed: count("failed"),
  };
}

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}
