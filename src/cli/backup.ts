import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { randomSecret } from "../lib/random.js";

export class BackupError extends Error {}

/**
 * Copies a live SQLite database into `target` with SQLite's online backup API, while `mfd serve`
 * goes on using it: the copy is one consistent snapshot (taken in one step, so writers do not
 * restart it), written into a file only its owner can read (it holds password hashes and
 * sessions), checked, switched out of WAL mode so it is one self-contained file, and only then
 * put under its name. An existing file is never overwritten.
 */
export async function backupSqlite(sourceFile: string, target: string): Promise<{ bytes: number }> {
  const destination = resolve(target);
  if (statSync(destination, { throwIfNoEntry: false }))
    throw new BackupError(`${target} exists already: choose a new file name`);
  const partial = join(dirname(destination), `.${basename(destination)}.${randomSecret(6)}.partial`);
  // Created empty with mode 0600 before SQLite writes into it, so it is never readable by others.
  closeSync(openSync(partial, "wx", 0o600));
  try {
    const source = new SQLite(sourceFile, { fileMustExist: true });
    try {
      source.pragma("busy_timeout = 5000");
      await source.backup(partial, { progress: () => 0x7fffffff });
    } finally {
      source.close();
    }
    const copy = new SQLite(partial);
    try {
      copy.pragma("journal_mode = DELETE");
      const check = copy.pragma("quick_check", { simple: true });
      if (check !== "ok") throw new BackupError(`the copy failed its integrity check: ${String(check)}`);
    } finally {
      copy.close();
    }
    const fd = openSync(partial, "r");
    fsyncSync(fd);
    closeSync(fd);
    renameSync(partial, destination);
    const dir = openSync(dirname(destination), "r");
    fsyncSync(dir);
    closeSync(dir);
    return { bytes: statSync(destination).size };
  } catch (error) {
    rmSync(partial, { force: true });
    rmSync(`${partial}-journal`, { force: true });
    throw error;
  }
}
