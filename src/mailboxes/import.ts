import { createReadStream, statSync } from "node:fs";
import { operatorContext } from "../access/actor.js";
import type { Deps } from "../deps.js";
import { AppError } from "../lib/errors.js";
import type { BatchRow } from "./batch.js";
import { detectSeparator, parseCsv, type Separator } from "./csv.js";
import { fieldCountProblem, header } from "./csv-columns.js";
import { MailboxesService } from "./mailboxes.service.js";

/** Rows handed to the service at a time: each is one `createMany`, itself written in chunks. */
const IMPORT_CHUNK = 500;

export interface ImportOptions {
  /** The domain to create the mailboxes on. */
  domain: string;
  /** The service account acting: the domain's owner or one of its deputies. */
  as: string;
  /** Path of the CSV file (header: login,password,first_name,last_name). */
  file: string;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  rows: number;
  created: number;
  skipped: number;
  failed: number;
}

export interface ImportedRow {
  line: number;
  login: string;
  status: "created" | "skipped" | "failed";
  code?: string;
  detail?: string;
}

export interface ImportSummary {
  created: number;
  skipped: number;
  failed: number;
  /** Every row that was not created, with its reason. */
  notCreated: ImportedRow[];
}

/**
 * `mfd mailboxes import`: creates the mailboxes of a CSV file as the given account, through the
 * same service, authorization and audit as the API's batch. Existing mailboxes are skipped and
 * never changed, so the same file can be imported again after a failure. Throws an AppError when
 * nothing can be imported at all (unknown account, a domain the account does not manage, a file
 * without the required columns).
 */
export async function importMailboxes(deps: Deps, options: ImportOptions): Promise<ImportSummary> {
  const service = new MailboxesService(deps);
  const account = await deps.database.db
    .selectFrom("accounts")
    .select("id")
    .where("login", "=", accountLogin(options.as, deps.config.serviceDomain))
    .executeTakeFirst();
  if (!account) throw new AppError("ACCOUNT_NOT_FOUND", `There is no service account "${options.as}".`);
  // The operator acts as the account: its domain access, and audited as it.
  const context = () => operatorContext("mfd mailboxes import", deps.clock.now(), { accountId: account.id });
  // Fail before reading the file when the account may not create mailboxes there.
  await service.checkAccess(context(), options.domain, "mailboxes:write");

  const totalBytes = statSync(options.file).size;
  const progress: ImportProgress = { bytesRead: 0, totalBytes, rows: 0, created: 0, skipped: 0, failed: 0 };
  const notCreated: ImportedRow[] = [];
  const settle = (row: ImportedRow) => {
    progress[row.status]++;
    if (row.status !== "created") notCreated.push(row);
  };

  let columns: Map<string, number> | null = null;
  // The first line of each login in the file: a second row of it is reported as a duplicate.
  const firstLineOf = new Map<string, number>();
  let pending: Array<{ line: number; row: BatchRow }> = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const result = await service.createMany(
      context(),
      options.domain,
      batch.map((p) => p.row),
      { via: "import" },
    );
    result.results.forEach((r, i) => {
      settle({ line: (batch[i] as { line: number }).line, ...r });
    });
    options.onProgress?.({ ...progress });
  };

  const { separator, chunks } = await withSeparator(countingReader(options.file, progress));
  for await (const record of parseCsv(chunks, separator)) {
    if (columns === null) {
      columns = header(record, separator);
      continue;
    }
    progress.rows++;
    const problem = record.error ?? fieldCountProblem(record, columns.size);
    if (problem) {
      settle({
        line: record.line,
        login: record.fields[columns.get("login") as number] ?? "",
        status: "failed",
        code: "VALIDATION_FAILED",
        detail: problem,
      });
      continue;
    }
    const field = (name: string) => {
      const index = columns?.get(name);
      return index === undefined ? undefined : record.fields[index];
    };
    const login = field("login") as string;
    const key = sameLogin(login, options.domain);
    const earlier = firstLineOf.get(key);
    if (earlier !== undefined && key !== "") {
      settle({
        line: record.line,
        login,
        status: "failed",
        code: "VALIDATION_FAILED",
        detail: `The login "${login.trim()}" appears twice in the file: first on line ${earlier}. Only the first row is imported.`,
      });
      continue;
    }
    firstLineOf.set(key, record.line);
    pending.push({
      line: record.line,
      row: {
        login: field("login") as string,
        password: field("password") as string,
        firstName: field("first_name"),
        lastName: field("last_name"),
      },
    });
    if (pending.length >= IMPORT_CHUNK) await flush();
  }
  if (columns === null) throw new AppError("VALIDATION_FAILED", "The file is empty: it needs a header line.");
  await flush();
  options.onProgress?.({ ...progress, bytesRead: totalBytes });
  return { created: progress.created, skipped: progress.skipped, failed: progress.failed, notCreated };
}

/** `alice` or `alice@<service domain>`. */
function accountLogin(value: string, serviceDomain: string): string {
  const login = value.trim().toLowerCase();
  return login.endsWith(`@${serviceDomain}`) ? login.slice(0, -serviceDomain.length - 1) : login;
}

/** A login as the service stores it, to find the same login written twice (`Anna`, `anna@domain`). */
function sameLogin(login: string, domain: string): string {
  const lower = login.trim().toLowerCase();
  const suffix = `@${domain.trim().toLowerCase().replace(/\.$/, "")}`;
  return lower.endsWith(suffix) ? lower.slice(0, -suffix.length) : lower;
}

/** The separator, detected from the file's first chunk (which holds its header line), and the chunks. */
async function withSeparator(
  chunks: AsyncGenerator<string>,
): Promise<{ separator: Separator; chunks: AsyncGenerator<string> }> {
  const first = await chunks.next();
  const head = first.done ? "" : first.value;
  async function* again(): AsyncGenerator<string> {
    if (!first.done) yield head;
    yield* chunks;
  }
  return { separator: detectSeparator(head), chunks: again() };
}

/** The file as text chunks, counting the bytes read for the progress bar. */
async function* countingReader(file: string, progress: ImportProgress): AsyncGenerator<string> {
  // Fatal: a password with a replacement character in it would be a password nobody can type.
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) {
      progress.bytesRead += (chunk as Buffer).length;
      yield decoder.decode(chunk as Buffer, { stream: true });
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch (error) {
    if (error instanceof TypeError && "code" in error && error.code === "ERR_ENCODING_INVALID_ENCODED_DATA")
      throw new AppError(
        "VALIDATION_FAILED",
        "The file is not UTF-8 text; save it as UTF-8 and import again.",
      );
    throw error;
  }
}

/** A one-line progress bar for a terminal: `[#####·····]  48%  1,204 rows  created …`. */
export function progressLine(p: ImportProgress, width = 24): string {
  const share = p.totalBytes === 0 ? 1 : Math.min(1, p.bytesRead / p.totalBytes);
  const filled = Math.round(share * width);
  const n = (value: number) => value.toLocaleString("en-US");
  return `[${"#".repeat(filled)}${"·".repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${n(p.rows)} rows  created ${n(p.created)}  skipped ${n(p.skipped)}  failed ${n(p.failed)}`;
}

/**
 * The command line around `importMailboxes`: a progress bar on stderr (redrawn in place on a
 * terminal, a line per tenth otherwise), then every row not created with its reason and the
 * totals on stdout. Returns the exit code: 0 when no row failed (skipped rows are fine), 1 else.
 */
export async function runImportCommand(
  deps: Deps,
  options: Omit<ImportOptions, "onProgress">,
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream & { isTTY?: boolean } } = {
    out: process.stdout,
    err: process.stderr,
  },
): Promise<number> {
  let lastTenth = -1;
  let lastDraw = 0;
  const draw = (p: ImportProgress) => {
    if (io.err.isTTY) {
      const now = Date.now();
      if (now - lastDraw < 100 && p.bytesRead < p.totalBytes) return;
      lastDraw = now;
      io.err.write(`\r${progressLine(p)}`);
      return;
    }
    const tenth = p.totalBytes === 0 ? 10 : Math.floor((p.bytesRead / p.totalBytes) * 10);
    if (tenth === lastTenth) return;
    lastTenth = tenth;
    io.err.write(`${progressLine(p)}\n`);
  };
  try {
    const summary = await importMailboxes(deps, { ...options, onProgress: draw });
    if (io.err.isTTY) io.err.write("\n");
    for (const row of summary.notCreated) {
      const reason = row.code ? `${row.code}: ${row.detail ?? ""}` : (row.detail ?? "");
      io.out.write(`line ${row.line}\t${row.login}\t${row.status}\t${reason}\n`);
    }
    io.out.write(
      `created ${summary.created}, skipped ${summary.skipped} (already exist), failed ${summary.failed}\n`,
    );
    return summary.failed > 0 ? 1 : 0;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (io.err.isTTY) io.err.write("\n");
    const reason =
      error.code === "NOT_FOUND"
        ? `${options.as} does not manage a confirmed domain ${options.domain}.`
        : error.message;
    io.err.write(`mfd mailboxes import: ${reason} (${error.code})\n`);
    return 1;
  }
}
