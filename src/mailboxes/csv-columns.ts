/** The columns of a CSV file of mailboxes, read the same way by `mfd mailboxes import` and the API's import. */
import { AppError } from "../lib/errors.js";
import { type CsvRecord, type Separator, separatorName } from "./csv.js";

export const COLUMNS = ["login", "password", "first_name", "last_name"] as const;
const REQUIRED = ["login", "password"] as const;

/** Column positions from the header line; unknown or missing required columns stop the import. */
export function header(record: CsvRecord, separator: Separator): Map<string, number> {
  if (record.error) throw new AppError("VALIDATION_FAILED", `The header cannot be read: ${record.error}.`);
  const columns = new Map<string, number>();
  record.fields.forEach((raw, index) => {
    const name = raw.trim().toLowerCase();
    if (!(COLUMNS as readonly string[]).includes(name))
      throw new AppError(
        "VALIDATION_FAILED",
        `Unknown column "${raw}" in the header, read with the separator ${separatorName(separator)}; the columns are ${COLUMNS.join(", ")}, separated by a comma, a semicolon or a tab.`,
      );
    if (columns.has(name)) throw new AppError("VALIDATION_FAILED", `The column "${name}" appears twice.`);
    columns.set(name, index);
  });
  for (const name of REQUIRED)
    if (!columns.has(name))
      throw new AppError("VALIDATION_FAILED", `The header has no "${name}" column (${COLUMNS.join(",")}).`);
  return columns;
}

export function fieldCountProblem(record: CsvRecord, expected: number): string | undefined {
  if (record.fields.length === expected) return undefined;
  return `line ${record.line}: ${record.fields.length} fields where the header has ${expected}`;
}
