import pg from "pg";
import {
  type AccountRow,
  type GrantRow,
  type MailboxRow,
  type SessionRow,
  SQL,
  type Store,
  type TokenRow,
} from "./store.js";

// As mfd does (src/db/database.ts): int8 columns hold epoch milliseconds, read them as numbers.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

/** `?` → `$1, $2 …`, once at start. */
const numbered = (text: string) => {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
};

/**
 * The floor on PostgreSQL: a pool as large as mfd's, every query a named prepared statement (pg
 * parses and plans it once per connection, then only binds and executes).
 */
export function postgresStore(url: string): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    application_name: "mfd-floor",
    keepAlive: true,
  });
  pool.on("error", () => {}); // an idle connection lost: the pool opens another on next use

  function query<Row extends pg.QueryResultRow>(name: string, sql: string) {
    const text = numbered(sql);
    return async (values: unknown[]): Promise<Row[]> => (await pool.query<Row>({ name, text, values })).rows;
  }

  const session = query<SessionRow>("session", SQL.session);
  const deleteSession = query("deleteSession", SQL.deleteSession);
  const touchSession = query("touchSession", SQL.touchSession);
  const account = query<AccountRow>("account", SQL.account);
  const pendingCodes = query<{ purpose: string; target: string }>("pendingCodes", SQL.pendingCodes);
  const managedDomainNames = query<{ name: string }>("managedDomainNames", SQL.managedDomainNames);
  const domainGrant = query<GrantRow>("domainGrant", SQL.domainGrant);
  const firstPage = query<MailboxRow>("firstPage", SQL.firstPage);
  const pageAfter = query<MailboxRow>("pageAfter", SQL.pageAfter);
  const mailboxCount = query<{ count: number }>("mailboxCount", SQL.mailboxCount);
  const aliases = new Map<
    number,
    (values: unknown[]) => Promise<Array<{ mailbox_id: string; alias: string }>>
  >();
  const token = query<TokenRow>("token", SQL.token);
  const touchToken = query("touchToken", SQL.touchToken);
  const tokenDomains = query<{ domain_id: string }>("tokenDomains", SQL.tokenDomains);

  return {
    session: async (hash) => (await session([hash]))[0],
    deleteSession: (id) => deleteSession([id]),
    touchSession: (id, now) => touchSession([now, id]),
    account: async (id) => (await account([id]))[0],
    pendingCodes: (accountId, now) => pendingCodes([accountId, "confirm_phone", "confirm_email", now, 5]),
    managedDomainNames: (accountId) => managedDomainNames([accountId, accountId]),
    domainGrant: async (accountId, name) => (await domainGrant([accountId, name]))[0],
    page: (domainId, after, limit) =>
      after === null ? firstPage([domainId, limit]) : pageAfter([domainId, after, limit]),
    mailboxCount: async (domainId) => (await mailboxCount([domainId]))[0],
    aliases: (ids) => {
      let run = aliases.get(ids.length);
      if (!run) {
        run = query<{ mailbox_id: string; alias: string }>(`aliases${ids.length}`, SQL.aliases(ids.length));
        aliases.set(ids.length, run);
      }
      return run([...ids]);
    },
    token: async (hash) => (await token([hash, "bearer"]))[0],
    touchToken: (id, now, ip, before) => touchToken([now, ip, id, before]),
    tokenDomains: (id) => tokenDomains([id]),
    close: () => pool.end(),
  };
}
