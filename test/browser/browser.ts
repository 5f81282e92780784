import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { WAIT_MS } from "../helpers/patience.js";
import { skipWithout } from "../helpers/prerequisites.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

/** Shared set-up of the browser tests: Debian's chromium driven by playwright-core. */

export const CHROMIUM = process.env.MFD_CHROMIUM ?? "/usr/bin/chromium";
export const WEB_DIST_INDEX = fileURLToPath(new URL("../../web/dist/index.html", import.meta.url));
const RESULTS = fileURLToPath(new URL("../../test-results/", import.meta.url));

export const haveChromium = existsSync(CHROMIUM);

/**
 * Without chromium the browser tests fail on CI (in beforeAll, with a clear message) and are
 * skipped with a warning elsewhere. Returns true when the suite should be skipped.
 */
export const skipWithoutChromium = (): boolean =>
  skipWithout({
    what: "Browser tests",
    path: CHROMIUM,
    install: "apt-get install chromium, or set MFD_CHROMIUM",
  });

export async function launch(): Promise<Browser> {
  if (!haveChromium) {
    throw new Error(`No chromium at ${CHROMIUM}: install Debian's chromium package (or set MFD_CHROMIUM).`);
  }
  if (!existsSync(WEB_DIST_INDEX)) {
    throw new Error(
      "web/dist is missing: build the console first with `npx vite build web` (or `npm run build`).",
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
}

/**
 * Chromium and an mfd test server for the tests of one `describe`: started before them, closed
 * after. Read `browser` and `server` inside the tests (they exist once `beforeAll` has run).
 */
export function browserAndServer(env?: Parameters<typeof startTestServer>[0]): {
  readonly browser: Browser;
  readonly server: TestServer;
} {
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  beforeAll(async () => {
    browser = await launch();
    server = await startTestServer(env);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the browser tests' set-up (beforeAll) has not run");
    return value;
  };
  return {
    get browser() {
      return started(browser);
    },
    get server() {
      return started(server);
    },
  };
}

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Saves test-results/<folder>/<NN>-<name>.png. */
  shot(name: string): Promise<void>;
  /** Console errors, CSP violations and uncaught exceptions seen so far. */
  problems: string[];
  /** Runs a walk; on failure saves a screenshot and adds the browser's complaints to the error. */
  walk(steps: () => Promise<void>): Promise<void>;
}

export async function openPage(browser: Browser, baseURL: string, folder: string): Promise<Session> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 1280, height: 860 },
    locale: "en-GB",
  });
  // Every step waits for what the user would see; on a busy machine that can take long. Set on
  // the context, so the page and the API calls through `context.request` (30 s otherwise) share it.
  context.setDefaultTimeout(WAIT_MS);
  context.setDefaultNavigationTimeout(WAIT_MS);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  const dir = `${RESULTS}${folder}/`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let step = 0;
  const shot = async (name: string) => {
    step += 1;
    // From the top, so the sticky header sits where a user sees it in the full-page picture.
    await page.evaluate("window.scrollTo(0, 0)");
    await page.screenshot({ path: `${dir}${String(step).padStart(2, "0")}-${name}.png`, fullPage: true });
  };
  return {
    context,
    page,
    problems,
    shot,
    async walk(steps: () => Promise<void>) {
      try {
        await steps();
      } catch (error) {
        await shot("failure").catch(() => {});
        if (error instanceof Error && problems.length > 0) {
          error.message += `\nBrowser reported:\n  ${problems.join("\n  ")}`;
        }
        throw error;
      }
    },
  };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's violations on the page as it is now (WCAG 2 A and AA rules), one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the devtools protocol: the console's CSP (script-src 'self') refuses a script tag.
  await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })`,
  )) as { violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> };
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}
