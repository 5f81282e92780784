import { rmSync } from "node:fs";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { newDataDir, runMfd, startMfd } from "./helpers/mfd-process.js";

/** `mfd serve --roles`: the processes come from the modules' role registry (src/modules.ts). */
const dataDir = newDataDir();
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** What a GET of `url` gets: its status, or the network error's code when nothing answers. */
async function probe(url: string): Promise<number | string> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(10_000) })).status;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? String(error);
  }
}

describe("mfd serve --roles", () => {
  it("refuses an unknown role, naming the known ones", async () => {
    const result = await runMfd(dataDir, ["serve", "--roles", "web,nope"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown role "nope": the roles are web, worker, dns, inbound');
    expect(result.stdout).not.toContain("mfd is running");
  });

  it("lists the roles in its help and keeps --services out of it", async () => {
    const help = await runMfd(dataDir, ["serve", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--roles <list>");
    expect(help.stdout).toContain("web (the web console and the API)");
    expect(help.stdout).toContain("worker (the background jobs");
    expect(help.stdout).not.toContain("--services");
  });

  it("runs the worker alone: it says so and answers no HTTP", async () => {
    const mfd = await startMfd(dataDir, {}, ["serve", "--roles", "worker"]);
    onTestFinished(() => mfd.stop());
    expect(mfd.output()).toContain("mfd is running: worker (no web server)");
    expect(await probe(`${mfd.url}/healthz`)).toBe("ECONNREFUSED");
    mfd.child.kill("SIGTERM");
    expect(await mfd.exited).toBe(0);
  });

  it("runs the web server alone, also when asked with the older --services", async () => {
    for (const args of [
      ["serve", "--roles", "web"],
      ["serve", "--services", "web"],
    ]) {
      const mfd = await startMfd(dataDir, {}, args);
      onTestFinished(() => mfd.stop());
      expect(mfd.output(), args.join(" ")).toContain(`mfd is running: console at ${mfd.url}`);
      expect(await probe(`${mfd.url}/healthz`), args.join(" ")).toBe(200);
      mfd.child.kill("SIGTERM");
      expect(await mfd.exited, args.join(" ")).toBe(0);
    }
  });
});
