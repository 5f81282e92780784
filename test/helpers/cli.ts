import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The real `mfd` command line for tests, as an operator runs it: `node bin/mfd.js`, which runs the
 * compiled server in dist/ when it exists (and falls back to compiling the sources with tsx on
 * every start, far too slow for a busy machine). `ensureBuilt()` makes dist/ match src/ first.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DIST = join(ROOT, "dist");
/** Hash of the sources dist/ was compiled from. */
const STAMP = join(DIST, ".source-hash");
const LOCK = join(DIST, ".build-lock");
export const MFD_BIN = join(ROOT, "bin", "mfd.js");

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Everything `tsc -p tsconfig.build.json` reads: the server's sources and the compiler settings. */
function sourceHash(): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) files.push(path);
    }
  };
  walk(join(ROOT, "src"));
  files.sort();
  files.push(join(ROOT, "tsconfig.json"), join(ROOT, "tsconfig.build.json"));
  const hash = createHash("sha256");
  for (const file of files)
    hash.update(relative(ROOT, file)).update("\0").update(readFileSync(file)).update("\0");
  return hash.digest("hex");
}

const readStamp = () => (existsSync(STAMP) ? readFileSync(STAMP, "utf8") : null);
const isCurrent = (hash: string) => readStamp() === hash && existsSync(join(DIST, "main.js"));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * One build at a time per checkout: test files run in parallel (and a SQLite and a PostgreSQL run
 * may share the checkout). The lock file names its holder; a holder that died leaves it behind,
 * and the next one takes it over.
 */
async function withBuildLock(work: () => Promise<void>): Promise<void> {
  mkdirSync(DIST, { recursive: true });
  for (;;) {
    try {
      const fd = openSync(LOCK, "wx");
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder = Number.NaN;
    let age = 0;
    try {
      holder = Number.parseInt(readFileSync(LOCK, "utf8"), 10);
      age = Date.now() - statSync(LOCK).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    // An empty lock file is a holder between creating and naming itself, unless it is old.
    const abandoned = Number.isNaN(holder) ? age > 60_000 : !alive(holder);
    if (abandoned) rmSync(LOCK, { force: true });
    else await pause(250);
  }
  try {
    await work();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

function compile(outDir: string): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  return new Promise((resolve, reject) => {
    // --noCheck: only emit. Type errors are `npm run typecheck`'s business; a test run must not
    // stop at one in code it does not touch.
    execFile(
      process.execPath,
      [tsc, "-p", "tsconfig.build.json", "--noCheck", "--outDir", outDir],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`tsc -p tsconfig.build.json failed:\n${stdout}${stderr}`)) : resolve(),
    );
  });
}

/** Moves every file of `from` into `to`, one rename each: a running `mfd` reads an old or a new file, never half of one. */
function install(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) {
      mkdirSync(target, { recursive: true });
      install(source, target);
    } else {
      renameSync(source, target);
    }
  }
}

/**
 * Compiles the server into dist/ (`tsc -p tsconfig.build.json`, as `npm run build` does) unless
 * dist/ was already compiled from these very sources, so a run compiles at most once. Call it at
 * the top of a test file: module loading has no time limit, a busy machine may take minutes.
 */
export async function ensureBuilt(): Promise<void> {
  if (isCurrent(sourceHash())) return;
  await withBuildLock(async () => {
    const hash = sourceHash();
    if (isCurrent(hash)) return; // another test file built it while this one waited
    // Only the lock's holder builds: a staging folder found now is what a killed build left.
    for (const entry of readdirSync(DIST))
      if (entry.startsWith(".staging-")) rmSync(join(DIST, entry), { recursive: true, force: true });
    const staging = mkdtempSync(join(DIST, ".staging-"));
    try {
      await compile(staging);
      install(staging, DIST);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    writeFileSync(`${STAMP}.tmp`, hash);
    renameSync(`${STAMP}.tmp`, STAMP);
  });
  if (!existsSync(join(DIST, "main.js"))) throw new Error(`no ${join(DIST, "main.js")} after the build`);
}

/** Runs `mfd <args>` to completion; a non-zero exit is a result, not an error. */
export function mfd(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [MFD_BIN, ...args], { env, cwd: ROOT }, (error, stdout, stderr) => {
      if (!error) resolve({ stdout, stderr, code: 0 });
      else if (typeof error.code === "number") resolve({ stdout, stderr, code: error.code });
      else
        reject(new Error(`mfd ${args.join(" ")} did not run to an exit code: ${error.message}\n${stderr}`));
    });
  });
}

/** Starts `mfd <args>` and hands back the process (for `serve`). */
export function spawnMfd(args: string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [MFD_BIN, ...args], { env, cwd: ROOT });
}
