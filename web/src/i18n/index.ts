import { catalogs as languages } from "./catalogs";
import { en } from "./en";

/**
 * The console's message catalog. Every user-facing string goes through `t()`. English is the
 * reference catalog (its keys are the type of every message); every other language has all of
 * them (`Translation` in translation.ts; test/catalog.test.ts checks keys and placeholders), and
 * may add the plural forms English lacks (`.few`, `.many`).
 */
export type MessageKey = keyof typeof en;
export type Catalog = Record<MessageKey, string>;
export type Params = Record<string, string | number>;

export const catalogs: Record<string, Catalog & Record<string, string>> = languages;
export const LOCALES = Object.keys(catalogs);
/** Each language by its own name, for the switcher. */
export const LANGUAGE_NAMES: Record<string, string> = { en: "English", ru: "Русский" };

/** Where the reader's own choice of language (the switcher) is kept between visits. */
const STORAGE_KEY = "mfd.locale";

const baseOf = (tag: string): string => tag.toLowerCase().split("-")[0] ?? "";

const browserTags = (): readonly string[] =>
  typeof navigator === "undefined" ? [] : (navigator.languages ?? [navigator.language]);

function storedChoice(): string | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage refused (privacy settings): the browser's languages decide
  }
}

function pickLocale(): string {
  const stored = storedChoice();
  if (stored && stored in catalogs) return stored;
  for (const tag of browserTags()) {
    if (baseOf(tag) in catalogs) return baseOf(tag);
  }
  return "en";
}

/**
 * The tag for Intl (dates, numbers): the browser's own full tag when it is of the chosen language
 * (en-GB writes 1 December, en-US December 1), else the language itself.
 */
function pickFormatTag(language: string): string {
  return browserTags().find((tag) => baseOf(tag) === language) ?? language;
}

let locale = pickLocale();
let formatTag = pickFormatTag(locale);
const listeners = new Set<() => void>();
if (typeof document !== "undefined") document.documentElement.lang = locale;

export const currentLocale = (): string => locale;
/** The full locale tag dates and numbers are formatted with. */
export const currentFormatTag = (): string => formatTag;

/** Switches the language and remembers the choice; the console re-renders (see `onLocaleChange`). */
export function setLocale(next: string): void {
  if (!(next in catalogs) || next === locale) return;
  locale = next;
  formatTag = pickFormatTag(next);
  document.documentElement.lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not remembered; the choice still holds until the page is reloaded.
  }
  for (const listener of listeners) listener();
}

/** Subscribes to language changes (for useSyncExternalStore); returns the unsubscribe. */
export function onLocaleChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const hasMessage = (key: string): key is MessageKey => Object.hasOwn(en, key);

const interpolate = (text: string, params?: Params): string =>
  params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole)) : text;

/** The message for `key` in the current language, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params?: Params): string {
  const text = catalogs[locale]?.[key] ?? en[key];
  return interpolate(text, params);
}

/** Plural forms: `base.one`, `base.few`, `base.many`, `base.other` (CLDR categories of the locale). */
export function tp(base: string, count: number, params: Params = {}): string {
  if (!hasMessage(`${base}.other`)) return String(count);
  const category = new Intl.PluralRules(locale).select(count);
  const catalog: Record<string, string | undefined> = catalogs[locale] ?? en;
  const text =
    catalog[`${base}.${category}`] ??
    catalog[`${base}.other`] ??
    (en as Record<string, string>)[`${base}.other`] ??
    "";
  return interpolate(text, { count, ...params });
}

export function formatDateTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === "") return t("common.never");
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(formatTag, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** "in 5 minutes", "3 hours ago". */
export function formatRelative(value: string | number | null | undefined, now = Date.now()): string {
  if (value === null || value === undefined || value === "") return t("common.never");
  const at = new Date(value).getTime();
  if (Number.isNaN(at)) return String(value);
  const seconds = Math.round((at - now) / 1000);
  const format = new Intl.RelativeTimeFormat(formatTag, { numeric: "auto" });
  const abs = Math.abs(seconds);
  if (abs < 60) return format.format(seconds, "second");
  if (abs < 3600) return format.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return format.format(Math.round(seconds / 3600), "hour");
  return format.format(Math.round(seconds / 86400), "day");
}

/** 100000 → "100,000" in the reader's locale. */
export function formatNumber(value: number): string {
  return new Intl.NumberFormat(formatTag).format(value);
}
