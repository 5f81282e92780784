import { existsSync } from "node:fs";

/** A program some tests need that npm does not install (Debian's chromium, Dovecot's doveadm). */
export interface Prerequisite {
  /** Which tests need it, as the warning names them: "Browser tests". */
  what: string;
  path: string;
  install: string;
}

/**
 * Without the program, its tests are skipped with a warning on a developer's machine, so the
 * README's test command works there; on CI (`CI` set) they run and fail with a clear message, so
 * a CI machine that lacks it never passes quietly. Returns true when the tests should be skipped.
 */
export function skipWithout(tool: Prerequisite, env: NodeJS.ProcessEnv = process.env): boolean {
  if (existsSync(tool.path)) return false;
  if (env.CI) return false;
  console.warn(`${tool.what} skipped: no ${tool.path} (${tool.install}).`);
  return true;
}
