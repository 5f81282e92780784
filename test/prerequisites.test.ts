import { describe, expect, it, vi } from "vitest";
import { skipWithout } from "./helpers/prerequisites.js";

/** A tool the tests need (chromium, doveadm): what happens when it is not installed. */
describe("a missing test prerequisite", () => {
  const tool = { what: "Dovecot tests", path: "/nowhere/doveadm", install: "apt-get install dovecot-core" };

  it("skips its tests with a warning that says how to install it, outside CI", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect(skipWithout(tool, {})).toBe(true);
      expect(warn).toHaveBeenCalledWith(
        "Dovecot tests skipped: no /nowhere/doveadm (apt-get install dovecot-core).",
      );
    } finally {
      warn.mockRestore();
    }
  });

  it("runs them on CI, where they fail, so a CI machine without it never passes quietly", () => {
    expect(skipWithout(tool, { CI: "true" })).toBe(false);
  });

  it("runs them wherever the tool is installed", () => {
    expect(skipWithout({ ...tool, path: process.execPath }, {})).toBe(false);
  });
});
