import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS } from "../src/audit/actions.js";
import { handoverSchemas } from "../src/handovers/index.js";
import { catalogs } from "../web/src/i18n/catalogs.js";
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

it("names every hand-over kind and state, so the desk's hand-over card never shows a raw word", () => {
  const keys = [
    ...handoverSchemas.HANDOVER_KINDS.map((kind) => `support.handover.kind.${kind}`),
    ...handoverSchemas.HANDOVER_STATES.map((state) => `support.handover.state.${state}`),
  ];
  expect(keys.filter((key) => !(key in en))).toEqual([]);
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

const placeholders = (text: string): string[] => [...new Set(text.match(/\{\w+\}/g) ?? [])].sort();
const PLURAL = /\.(zero|one|two|few|many|other)$/;

describe.each(
  Object.entries(catalogs as Record<string, Record<string, string>>).filter(([code]) => code !== "en"),
)("the %s catalog", (code, catalog) => {
  const messages: Record<string, string> = catalog;
  it("has every message of the English catalog", () => {
    const missing = Object.keys(en).filter((key) => typeof messages[key] !== "string" || !messages[key]);
    expect(missing).toEqual([]);
  });

  it("has no message English lacks, but the plural forms its language needs", () => {
    const unknown = Object.keys(messages).filter((key) => {
      if (key in en) return false;
      const base = key.replace(PLURAL, "");
      return base === key || !(`${base}.other` in en);
    });
    expect(unknown).toEqual([]);
  });

  it("has every plural form its language uses, for every counted message", () => {
    const categories = new Intl.PluralRules(code).resolvedOptions().pluralCategories;
    const bases = Object.keys(en)
      .filter((key) => key.endsWith(".other"))
      .map((key) => key.slice(0, -".other".length))
      .filter((base) => `${base}.one` in en); // "contacts.phone.other" is no plural

    const missing = bases.flatMap((base) =>
      categories.filter((category) => !messages[`${base}.${category}`]).map((c) => `${base}.${c}`),
    );
    expect(missing).toEqual([]);
  });

  it("keeps each message's placeholders, so no value goes missing or shows as {name}", () => {
    const english: Record<string, string> = en;
    const mismatched = Object.entries(messages)
      .map(([key, text]) => {
        const reference = english[key] ?? english[key.replace(PLURAL, ".other")] ?? "";
        return { key, expected: placeholders(reference), found: placeholders(text) };
      })
      .filter(({ expected, found }) => expected.join() !== found.join())
      .map(({ key, expected, found }) => `${key}: ${found.join() || "none"} instead of ${expected.join()}`);
    expect(mismatched).toEqual([]);
  });
});

it("offers Russian, the product's original language", () => {
  expect(Object.keys(catalogs)).toContain("ru");
});
