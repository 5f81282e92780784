import { en } from "./en";

/**
 * The console's message catalog. Every user-facing string goes through `t()`. English is the
 * reference catalog (its keys are the type of every message); another language is a
 * `Partial<Catalog>` added to `catalogs` (missing keys fall back to English).
 */
export type MessageKey = keyof typeof en;
export type Catalog = Record<MessageKey, string>;
export type Params = Record<string, string | number>;

const catalogs: Record<string, Partial<Catalog>> = { en };
export const LOCALES = Object.keys(catalogs);

function pickLocale(): string {
  const wanted = typeof navigator !== "undefined" ? navigator.languages : [];
  for (const tag of wanted ?? []) {
    const base = tag.toLowerCase().split("-")[0] ?? "";
    if (base in catalogs) return base;
  }
  return "en";
}

let locale = pickLocale();
if (typeof document !== "undefined") document.documentElement.lang = locale;

export const currentLocale = (): string => locale;

export function setLocale(next: string): void {
  if (!(next in catalogs)) return;
  locale = next;
  document.documentElement.lang = next;
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
  const category = new Intl.PluralRules(locale).select(count);
  const key = hasMessage(`${base}.${category}`) ? `${base}.${category}` : `${base}.other`;
  return hasMessage(key) ? t(key, { count, ...params }) : String(count);
}

export function formatDateTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === "") return t("common.never");
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** "in 5 minutes", "3 hours ago". */
export function formatRelative(value: string | number | null | undefined, now = Date.now()): string {
  if (value === null || value === undefined || value === "") return t("common.never");
  const at = new Date(value).getTime();
  if (Number.isNaN(at)) return String(value);
  const seconds = Math.round((at - now) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  const abs = Math.abs(seconds);
  if (abs < 60) return format.format(seconds, "second");
  if (abs < 3600) return format.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return format.format(Math.round(seconds / 3600), "hour");
  return format.format(Math.round(seconds / 86400), "day");
}

/** 100000 → "100,000" in the reader's locale. */
export function formatNumber(value: number): string {
  return new Intl.NumberFormat(locale).format(value);
}
