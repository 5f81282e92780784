import { account } from "./en/account.js";
import { deputies } from "./en/deputies.js";
import { dns } from "./en/dns.js";
import { domains } from "./en/domains.js";
import { handovers } from "./en/handovers.js";
import { mailboxes } from "./en/mailboxes.js";
import { recovery } from "./en/recovery.js";
import { shared } from "./en/shared.js";
import { support } from "./en/support.js";
import { tokens } from "./en/tokens.js";

/**
 * English, the reference catalog: every message the console shows, one part per capability in
 * en/. Keys start with their page; `{name}` is a placeholder; plural forms end in `.one` /
 * `.other` (and `.few` / `.many` for languages that need them). A new language copies en/ and
 * this file and translates the values.
 */
export const enParts = {
  shared,
  account,
  recovery,
  domains,
  mailboxes,
  deputies,
  tokens,
  dns,
  support,
  handovers,
};

// Spread, not merged at run time, so that every key stays a literal type (MessageKey). A key in
// two parts would silently keep the later one: test/catalog.test.ts refuses that.
export const en = {
  ...shared,
  ...account,
  ...recovery,
  ...domains,
  ...mailboxes,
  ...deputies,
  ...tokens,
  ...dns,
  ...support,
  ...handovers,
};
