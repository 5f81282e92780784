import type { DnsLookup } from "./lookup.js";

/** ok = the expected value is published; absent = nothing of ours; wrong = another value of ours; failed = could not tell. */
export type ChallengeResult = "ok" | "absent" | "wrong" | "failed";

/**
 * Whether the TXT record set at `name` holds exactly `expected`, as the configured resolvers see it
 * now (never our own zone tables, docs/SECURITY.md §30). A value starting with `prefix` that is not
 * `expected` is "wrong": a token of an older or another claim or hand-over, which proves nothing.
 * Used by domain verification (src/domains/verification) and hand-overs (src/handovers).
 */
export async function checkTxtChallenge(
  lookup: DnsLookup,
  name: string,
  expected: string,
  prefix: string,
  what: string,
): Promise<{ result: ChallengeResult; detail: string }> {
  const found = await lookup.txt(name);
  if (found.status === "failed") return { result: "failed", detail: `TXT ${name}: ${found.reason}` };
  if (found.status === "absent") return { result: "absent", detail: `No TXT record at ${name}.` };
  if (found.values.some((value) => value.trim() === expected))
    return { result: "ok", detail: `TXT ${name} holds ${what}'s token.` };
  if (found.values.some((value) => value.trim().startsWith(prefix)))
    return {
      result: "wrong",
      detail: `TXT ${name} holds a verification token, but not ${what}'s (an old or another one?).`,
    };
  return { result: "absent", detail: `TXT ${name} has no ${prefix.replace(/=$/, "")} value.` };
}
