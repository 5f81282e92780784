import { readFileSync } from "node:fs";
import { Command, CommanderError, Help, InvalidArgumentError, Option } from "commander";
import { operatorContext } from "./access/actor.js";
import { endEverySession } from "./accounts/end-everything.js";
import { setSupportAgent } from "./accounts/support-agents.js";
import { buildApp } from "./app.js";
import { exportAuditEvents, parseSince } from "./audit/index.js";
import { backupSqlite } from "./cli/backup.js";
import { openRuntime } from "./cli/runtime.js";
import { shutDown } from "./cli/shutdown.js";
import { ConfigError, loadConfig, redactedConfig, VARIABLES } from "./config.js";
import { openDatabase } from "./db/database.js";
import { migrate } from "./db/migrate.js";
import { listOutbox } from "./delivery/delivery.js";
import { Worker } from "./jobs/worker.js";
import { runImportCommand } from "./mailboxes/import.js";
import type { RoleHandle } from "./module.js";
import { createServices, JOBS, ROLES } from "./modules.js";

/** The installed package's version (package.json sits one level above src/ and dist/). */
const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** Exit code of a command line that cannot be understood (unknown option, bad value, missing option). */
const USAGE_ERROR = 2;

/**
 * A whole number option between `min` and `max`: "abc", "1.5" or "0" stop the command with a
 * message naming the option and the range, instead of falling back to a default unnoticed.
 */
function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got "${value}".`);
    return n;
  };
}

const program = new Command();
program
  .name("mfd")
  .description(
    "mfd — Mail for Domain: e-mail on customers' own domains, self-hosted.\nConfiguration comes from MFD_* environment variables (see `mfd config print`).",
  )
  .version(VERSION, "-V, --version", "print mfd's version")
  .showHelpAfterError()
  // Usage errors (unknown option, bad value, missing required option) exit with USAGE_ERROR below.
  .exitOverride()
  // Commander lists required options among the others: say which they are.
  .configureHelp({
    optionDescription(option) {
      const text = Help.prototype.optionDescription.call(this, option);
      return option.mandatory ? `${text} (required)` : text;
    },
  });

/**
 * The roles `serve` runs, from `--roles` (or its older name `--services`): every registered role
 * when neither is given. An unknown name stops the start, naming the known ones.
 */
function chooseRoles(list: string | undefined): string[] {
  const known = [...ROLES.keys()];
  if (list === undefined) return known;
  const wanted = [...new Set(list.split(",").map((name) => name.trim()))];
  if (wanted.includes(""))
    throw new Error(`an empty role name in "${list}": the roles are ${known.join(", ")}`);
  for (const name of wanted)
    if (!ROLES.has(name)) throw new Error(`unknown role "${name}": the roles are ${known.join(", ")}`);
  return wanted;
}

program
  .command("serve")
  .description(
    `run mfd: ${[...ROLES.values()].map((role) => `${role.name} (${role.description})`).join(", ")}`,
  )
  .addOption(
    new Option(
      "--roles <list>",
      `comma-separated roles to run (default: all of ${[...ROLES.keys()].join(",")})`,
    ),
  )
  // The older name of --roles, kept for scripts that still say it.
  .addOption(new Option("--services <list>").hideHelp())
  .option("--dev", "development mode (same as MFD_DEV=1): messages readable at /dev/outbox, no Secure cookie")
  .action(async (options: { roles?: string; services?: string; dev?: boolean }) => {
    const wanted = chooseRoles(options.roles ?? options.services);
    const { deps, config, database } = await openRuntime(options.dev ? { MFD_DEV: "1" } : {});
    // MFD_LOG_LEVEL; by default quieter in development, where JSON request logs drown the console.
    const built = await buildApp(deps, { logger: { level: config.logLevel } });
    const { app } = built;
    const worker = new Worker(deps, JOBS, (message, error) => app.log.error({ err: error }, message));
    // Installed before anything is announced: until a handler exists the default action of
    // SIGTERM kills at once, so a supervisor that signals right after the banner must find one.
    // They stay registered (not `once`) so a second signal cannot cut the shutdown short.
    let stopping = false;
    const started: RoleHandle[] = [];
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await shutDown({ built, worker, roles: started, database, timeoutMs: config.shutdownTimeoutMs });
      process.exit(0);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    // The worker first, then the web server last, so "mfd is running" means everything runs.
    for (const name of [...wanted].sort((a, b) => Number(a === "web") - Number(b === "web"))) {
      const handle = await ROLES.get(name)?.start({ deps, app, worker });
      if (handle) started.push(handle);
    }
    // The web role says where the console is; without it, say that the process runs at all.
    if (!wanted.includes("web")) console.log(`mfd is running: ${wanted.join(", ")} (no web server)`);
  });

program
  .command("migrate")
  .description("apply pending database migrations and exit")
  .action(async () => {
    const config = loadConfig();
    const database = openDatabase(config.databaseUrl);
    const applied = await migrate(database);
    console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
    await database.destroy();
  });

const configCommand = program.command("config").description("inspect the configuration");
configCommand
  .command("print")
  .description("print the effective configuration (secrets redacted) and the documented variables")
  .action(() => {
    console.log(JSON.stringify(redactedConfig(loadConfig()), null, 2));
  });
configCommand
  .command("variables")
  .description("list every MFD_* variable with its default")
  .action(() => {
    for (const v of VARIABLES)
      console.log(`${v.name}${v.default ? ` (default ${v.default})` : ""}\n    ${v.description}`);
  });

const agents = program
  .command("support-agent")
  .description("grant or remove the support role (operator only)");
for (const [name, value] of [
  ["add", true],
  ["remove", false],
] as const) {
  agents
    .command(`${name} <login>`)
    .description(value ? "give a service account the support role" : "take the support role away")
    .action(async (login: string) => {
      const { deps, database } = await openRuntime();
      try {
        console.log(await setSupportAgent(deps, login, value));
      } finally {
        await database.destroy();
      }
    });
}

program
  .command("dkim")
  .description("DKIM keys of hosted domains (operator only)")
  .command("rotate <domain>")
  .description(
    "give the domain a new DKIM key under a new selector; the old key's record stays until removed",
  )
  .action(async (domain: string) => {
    const { deps, database } = await openRuntime();
    try {
      const { zones } = createServices(deps);
      const done = await zones.rotateDkim(operatorContext("mfd dkim rotate", deps.clock.now()), domain);
      console.log(
        `${domain}: new DKIM selector ${done.selector}${done.retired.length ? `; no longer signing with ${done.retired.join(", ")}` : ""}`,
      );
    } finally {
      await database.destroy();
    }
  });

program
  .command("zones")
  .description("hosted DNS zones (operator only)")
  .command("list")
  .description(
    "print the name of every zone mfd serves, one a line, sorted: what a secondary without catalog zones syncs its zone list from (docs/dns.md)",
  )
  .action(async () => {
    const { deps, database } = await openRuntime();
    try {
      const { zones } = createServices(deps);
      const names = await zones.zoneNames();
      if (names.length > 0) console.log(names.join("\n"));
    } finally {
      await database.destroy();
    }
  });

program
  .command("backup <file>")
  .description(
    "copy the SQLite database into a new file (mode 0600) while mfd serves; for PostgreSQL use pg_dump (docs/operations.md)",
  )
  .action(async (file: string) => {
    const config = loadConfig();
    if (!config.databaseUrl.startsWith("sqlite:"))
      throw new Error(
        "mfd backup copies the embedded SQLite database; this installation uses PostgreSQL: back it up with pg_dump (docs/operations.md)",
      );
    const { bytes } = await backupSqlite(config.databaseUrl.slice("sqlite:".length), file);
    console.log(`backup written to ${file} (${bytes} bytes)`);
  });

const sessionsCommand = program.command("sessions").description("browser sessions of every account");
sessionsCommand
  .command("end-all")
  .description(
    "end every session of every account (everyone signs in again); run it after restoring a backup, before starting mfd",
  )
  .option("--revoke-tokens", "also revoke every API token (holders create new ones)")
  .action(async (options: { revokeTokens?: boolean }) => {
    const { deps, database } = await openRuntime();
    try {
      const ended = await endEverySession(deps, { revokeTokens: options.revokeTokens === true });
      console.log(
        `ended ${ended.sessions} session(s)${options.revokeTokens ? `, revoked ${ended.tokens} API token(s)` : ""}`,
      );
    } finally {
      await database.destroy();
    }
  });

const outbox = program.command("outbox").description("notifications waiting or sent");
outbox
  .command("list")
  .description(
    "show the newest notifications and their delivery state (with bodies in development mode, where codes arrive)",
  )
  .option("-n, --limit <n>", "how many, 1 to 1000", wholeNumber(1, 1000), 20)
  .action(async (options: { limit: number }) => {
    const { deps, config, database } = await openRuntime();
    try {
      const rows = await listOutbox(deps.database.db, options.limit);
      if (rows.length === 0) console.log("the outbox is empty");
      // Bodies carry one-time codes: shown in development mode only (a developer's own inbox).
      if (!config.dev && rows.length > 0)
        console.log("(message bodies are shown in development mode only)\n");
      for (const m of rows) {
        const state = m.sentAt ? "delivered" : m.failedAt ? `failed: ${m.lastError ?? ""}` : "pending";
        const body = config.dev ? `\n  ${m.body.replaceAll("\n", "\n  ")}` : "";
        console.log(
          `${m.createdAt}  ${m.channel.padEnd(5)}  to ${m.recipient}  ${state}\n  ${m.subject}${body}\n`,
        );
      }
    } finally {
      await database.destroy();
    }
  });

const audit = program.command("audit").description("the audit log of every account and domain");
audit
  .command("export")
  .description(
    "write audit events as JSON lines to stdout, oldest first: every account's and agent's actions, sign-ins, moves of domains",
  )
  .requiredOption(
    "--since <ISO>",
    "events at or after this UTC date or date-time, e.g. 2026-11-01 or 2026-11-01T08:00:00Z",
  )
  .option("--domain <name>", "only the events of this domain, under every owner it had")
  .action(async (options: { since: string; domain?: string }) => {
    const since = parseSince(options.since);
    if (since === null) {
      console.error(
        `mfd: --since ${options.since} is not an ISO 8601 date or date-time (e.g. 2026-11-01T08:00:00Z)`,
      );
      process.exitCode = 2;
      return;
    }
    const { database } = await openRuntime();
    try {
      for await (const event of exportAuditEvents(database.db, {
        since,
        ...(options.domain ? { domain: options.domain } : {}),
      })) {
        // Waits for a slow reader (a pipe) instead of buffering the whole log in memory.
        if (!process.stdout.write(`${JSON.stringify(event)}\n`))
          await new Promise((resolve) => process.stdout.once("drain", resolve));
      }
    } finally {
      await database.destroy();
    }
  });

const mailboxes = program.command("mailboxes").description("mailboxes of connected domains");
mailboxes
  .command("import <file>")
  .description(
    "create mailboxes from a CSV file with the header login,password,first_name,last_name, acting as the domain's owner or a deputy; existing mailboxes are skipped (never changed), so a file can be imported again",
  )
  .requiredOption("--domain <domain>", "the confirmed domain to create them on")
  .requiredOption(
    "--as <login>",
    "the service account acting: the domain's owner or a deputy (audited as it)",
  )
  .action(async (file: string, options: { domain: string; as: string }) => {
    const { deps, database } = await openRuntime();
    try {
      process.exitCode = await runImportCommand(deps, { domain: options.domain, as: options.as, file });
    } finally {
      await database.destroy();
    }
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Commander has already printed its message (and the help hint); --help and --version exit 0.
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : USAGE_ERROR);
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(`mfd: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
