import SQLite from "better-sqlite3";
import {
  type AccountRow,
  type GrantRow,
  type MailboxRow,
  type SessionRow,
  SQL,
  type Store,
  type TokenRow,
} from "./store.js";

/** The floor on SQLite: better-sqlite3 statements prepared once, on the file mfd created. */
export function sqliteStore(file: string): Store {
  const db = new SQLite(file, { fileMustExist: true });
  // The pragmas mfd sets (src/db/database.ts); its lock wait is SQLite's own busy_timeout here.
  db.pragma("busy_timeout = 5000");
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");

  const session = db.prepare<[string], SessionRow>(SQL.session);
  const deleteSession = db.prepare<[string]>(SQL.deleteSession);
  const touchSession = db.prepare<[number, string]>(SQL.touchSession);
  const account = db.prepare<[string], AccountRow>(SQL.account);
  const pendingCodes = db.prepare<
    [string, string, string, number, number],
    { purpose: string; target: string }
  >(SQL.pendingCodes);
  const managedDomainNames = db.prepare<[string, string], { name: string }>(SQL.managedDomainNames);
  const domainGrant = db.prepare<[string, string], GrantRow>(SQL.domainGrant);
  const firstPage = db.prepare<[string, number], MailboxRow>(SQL.firstPage);
  const pageAfter = db.prepare<[string, string, number], MailboxRow>(SQL.pageAfter);
  const mailboxCount = db.prepare<[string], { count: number }>(SQL.mailboxCount);
  // One statement per number of ids (a page holds 1…100 mailboxes), prepared on first use.
  const aliases = new Map<number, SQLite.Statement<string[], { mailbox_id: string; alias: string }>>();
  const token = db.prepare<[string, string], TokenRow>(SQL.token);
  const touchToken = db.prepare<[number, string | null, string, number]>(SQL.touchToken);
  const tokenDomains = db.prepare<[string], { domain_id: string }>(SQL.tokenDomains);

  return {
    session: (hash) => session.get(hash),
    deleteSession: (id) => deleteSession.run(id),
    touchSession: (id, now) => touchSession.run(now, id),
    account: (id) => account.get(id),
    pendingCodes: (accountId, now) => pendingCodes.all(accountId, "confirm_phone", "confirm_email", now, 5),
    managedDomainNames: (accountId) => managedDomainNames.all(accountId, accountId),
    domainGrant: (accountId, name) => domainGrant.get(accountId, name),
    page: (domainId, after, limit) =>
      after === null ? firstPage.all(domainId, limit) : pageAfter.all(domainId, after, limit),
    mailboxCount: (domainId) => mailboxCount.get(domainId),
    aliases: (ids) => {
      let statement = aliases.get(ids.length);
      if (!statement) {
        statement = db.prepare(SQL.aliases(ids.length));
        aliases.set(ids.length, statement);
      }
      return statement.all(...ids);
    },
    token: (hash) => token.get(hash, "bearer"),
    touchToken: (id, now, ip, before) => touchToken.run(now, ip, id, before),
    tokenDomains: (id) => tokenDomains.all(id),
    close: async () => {
      db.close();
    },
  };
}
