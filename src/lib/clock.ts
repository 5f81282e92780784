/** Time comes from a clock so tests can move it instead of sleeping. */
export interface Clock {
  now(): number; // epoch milliseconds
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests set and advance by hand. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 10, 28, 12, 0, 0)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Years 1970–9999 print as `YYYY-MM-DD…`; others (and non-numbers) go to `toISOString`. */
const LAST_PLAIN_MS = Date.UTC(10_000, 0, 1) - 1;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
/** "YYYY-MM-DDT" by day number; cleared when full, as a listing's timestamps fall on few days. */
const dayPrefixes = new Map<number, string>();

/**
 * Epoch milliseconds as `Date.prototype.toISOString` writes them (`2026-12-01T16:03:09.042Z`),
 * without a Date per call: the date part is remembered per day and the time of day is arithmetic.
 * A mailbox page holds 100 timestamps; this made their share of the list's CPU small (issue 13).
 */
export function isoTime(ms: number): string {
  if (!(ms >= 0 && ms <= LAST_PLAIN_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY).toISOString().slice(0, 11);
    if (dayPrefixes.size >= 4096) dayPrefixes.clear();
    dayPrefixes.set(day, prefix);
  }
  let rest = ms - day * DAY;
  const millis = rest % 1000;
  rest = (rest - millis) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  return `${prefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[millis]}Z`;
}
