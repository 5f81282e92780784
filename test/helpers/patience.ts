/**
 * How long tests wait. Tests wait on conditions (a text on the page, a process's banner, a lock
 * wait), never for fixed times; these limits only decide when a condition that never comes counts
 * as a failure. They are far above what a test needs on an idle machine because on a busy 2-core
 * machine everything runs 10–20 times slower: argon2 hashes, processes starting, the browser.
 */

/** A condition not met after this long is a failure (a page text, a lock wait, a started server). */
export const WAIT_MS = 120_000;

/** Vitest's limit per test and per hook: a test that hangs, not one that is slow (above WAIT_MS, so a wait's own message wins). */
export const TEST_TIME_LIMIT_MS = 300_000;
