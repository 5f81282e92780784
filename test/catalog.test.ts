import { expect, it } from "vitest";
import { AUDIT_ACTIONS } from "../src/audit/actions.js";
import { en, enParts } from "../web/src/i18n/en.js";

it("names every audit action in the console's catalog, so the activity page never shows a raw name", () => {
  const unnamed = AUDIT_ACTIONS.filter((action) => !(`audit.action.${action}` in en));
  expect(unnamed).toEqual([]);
});

it("keeps no label for an audit action that no longer exists", () => {
  const known = new Set<string>(AUDIT_ACTIONS);
  const stale = Object.keys(en)
    .filter((key) => key.startsWith("audit.action."))
    .map((key) => key.slice("audit.action.".length))
    .filter((action) => !known.has(action));
  expect(stale).toEqual([]);
});

it("keeps each message in one part of the catalog, so that no part silently overrides another", () => {
  const partOf = new Map<string, string>();
  const twice: string[] = [];
  for (const [part, messages] of Object.entries(enParts)) {
    for (const key of Object.keys(messages)) {
      const earlier = partOf.get(key);
      if (earlier) twice.push(`${key} (${earlier}, ${part})`);
      partOf.set(key, part);
    }
  }
  expect(twice).toEqual([]);
});
