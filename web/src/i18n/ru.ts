import { account } from "./ru/account.js";
import { deputies } from "./ru/deputies.js";
import { dns } from "./ru/dns.js";
import { domains } from "./ru/domains.js";
import { handovers } from "./ru/handovers.js";
import { mailboxes } from "./ru/mailboxes.js";
import { recovery } from "./ru/recovery.js";
import { shared } from "./ru/shared.js";
import { support } from "./ru/support.js";
import { tokens } from "./ru/tokens.js";

/**
 * Russian, complete: one part per capability in ru/, mirroring en/ key for key (each part
 * `satisfies Translation<typeof en part>`). Plural forms are `.one` / `.few` / `.many` / `.other`.
 */
export const ruParts = {
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

export const ru = {
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
