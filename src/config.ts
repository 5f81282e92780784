import { isIP } from "node:net";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { parseSecondaries, type Secondary } from "./dns/transfer.js";
import { parseTsigKey, type TsigKey } from "./dns/tsig.js";

/**
 * Every MFD_* variable in one place. `loadConfig` validates all of them at start and reports every
 * problem at once, so an operator fixes the environment in one go instead of one error per boot.
 */
export interface Config {
  serviceDomain: string;
  listen: { host: string; port: number };
  /** Where the `dns` role's authoritative server answers, on UDP and TCP (docs/operations.md: port 53). */
  dnsListen: { host: string; port: number };
  /** Secondary name servers: allowed to transfer, notified on change (src/dns/transfer.ts). */
  dnsSecondaries: Secondary[];
  /** TSIG key transfers must be signed with; null: unsigned transfers from the secondaries' addresses. */
  dnsTsigKey: TsigKey | null;
  dataDir: string;
  databaseUrl: string; // "sqlite:<path>" or "postgres://…"
  publicUrl: string;
  smtpUrl: string | null;
  smtpFrom: string;
  /**
   * The support desk's address: requesters are answered with Reply-To `<local>+<ticket>.<secret>@<domain>`
   * of it, which the `inbound` role accepts (src/support/inbound.role.ts).
   */
  supportAddress: { local: string; domain: string };
  /** Where the `inbound` role's SMTP server listens for replies to tickets. */
  inboundSmtpListen: { host: string; port: number };
  /** The largest inbound message accepted, in bytes (SMTP SIZE). */
  inboundMaxBytes: number;
  smsUrl: string | null;
  trustedProxy: string[] | null;
  dev: boolean;
  /** A crash test's pause point (MFD_FAULT_PAUSE, development mode only); null in every real run. */
  faultPause: string | null;
  mxHost: string;
  /** The name servers every hosted zone names in its NS records (and its SOA's primary, the first). */
  nameServers: string[];
  dnsResolvers: string[];
  allowPrivateFetch: boolean;
  verifyHttpPort: number;
  dnsParentPort: number;
  /** How long an ownership or MX check waits for one DNS answer, and for the file check's site. */
  dnsTimeoutMs: number;
  verifyHttpTimeoutMs: number;
  domainLimit: number;
  mailboxLimit: number;
  /** Waiting period between an approved restore and the move (src/handovers/). */
  restoreWaitMs: number;
  /** A restore needs two different agents' approvals. */
  supportTwoPerson: boolean;
  /** Restore of domain access without an agent. */
  selfServiceRecovery: boolean;
  /** Per-address limits count an IPv6 client by this network prefix. */
  ipv6Prefix: number;
  /** Bearer secret for /metrics; without it /metrics is served in development mode only. */
  metricsToken: string | null;
  /** Base64 of the 32-byte key stored secrets are encrypted with; null: a key file in dataDir. */
  secretKey: string | null;
  /** Each network step of one SMTP delivery (connect, greeting, every reply) may take this long. */
  smtpTimeoutMs: number;
  /** One SMS gateway request may take this long. */
  smsTimeoutMs: number;
  /** How long SIGTERM waits for requests in flight and the worker's current job before exiting. */
  shutdownTimeoutMs: number;
  /** How long the database may take before a request answers 503 instead of waiting on. */
  timeouts: {
    dbConnectMs: number;
    dbStatementMs: number;
    /** SQLite: how long a write waits for another process's write lock. */
    dbLockWaitMs: number;
    requestMs: number;
  };
  /** Level of the JSON request and error log. */
  logLevel: LogLevel;
  /** Password hashes computed at once (the hashing pool reads it itself, see hashConcurrency). */
  hashConcurrency: number;
}

interface VariableSpec {
  description: string;
  /** The value taken when the variable is unset or empty; loadConfig parses it like a set one. */
  default?: string;
  /** How a default computed from other settings is described (README, `mfd config variables`). */
  defaultText?: string;
  secret?: boolean;
}

/**
 * Every MFD_* variable with its default and meaning: loadConfig takes its defaults from here, and
 * README's configuration table (`npm run readme`) and `mfd config variables` are printed from it.
 */
export const CONFIG_VARIABLES = {
  MFD_SERVICE_DOMAIN: {
    description: "The service's own domain: accounts are login@<this>.",
    default: "mfd.localhost",
  },
  MFD_LISTEN: { description: "host:port the web console and API listen on.", default: "127.0.0.1:8080" },
  MFD_DNS_LISTEN: {
    description:
      "host:port the authoritative DNS server answers on (UDP and TCP); binding port 53 is in docs/operations.md.",
    default: "127.0.0.1:10053",
  },
  MFD_DNS_SECONDARIES: {
    description:
      "Comma-separated secondary name servers (ip, ip:port or [ipv6]:port; port 53 by default): the only addresses allowed to transfer zones (AXFR/IXFR), and notified of every change.",
    defaultText: "none: transfers refused",
  },
  MFD_DNS_TSIG_KEY: {
    description:
      "name:base64-secret of the HMAC-SHA256 TSIG key (tsig-keygen) the secondaries must sign transfers with; NOTIFY is signed with it too.",
    defaultText: "none: transfers unsigned",
    secret: true,
  },
  MFD_DATA_DIR: {
    description: "Folder for the embedded SQLite database and other state.",
    default: "./data",
  },
  MFD_DATABASE_URL: {
    description: "postgres://user:pass@host/db for PostgreSQL; empty means SQLite in MFD_DATA_DIR.",
    defaultText: "SQLite in MFD_DATA_DIR",
    secret: true,
  },
  MFD_PUBLIC_URL: {
    description:
      "The one URL users reach the console at (links in messages, the CSRF origin check); a browser at another address is redirected to it. In development mode on localhost, 127.0.0.1 and [::1] work alike.",
    defaultText: "http://localhost:<port of MFD_LISTEN>",
  },
  MFD_SMTP_URL: {
    description: "smtp://user:pass@host:port for outgoing mail; unset keeps mail in the outbox.",
    secret: true,
  },
  MFD_SMTP_FROM: { description: "Sender address of notifications.", defaultText: "mfd@<service domain>" },
  MFD_SUPPORT_ADDRESS: {
    description:
      "The support desk's e-mail address; replies to a ticket go to <local>+<ticket>.<secret>@<its domain>, which must reach the inbound role (MX or a relay).",
    defaultText: "support@<service domain>",
  },
  MFD_INBOUND_SMTP_LISTEN: {
    description:
      "host:port the inbound role's SMTP server listens on for replies to support tickets (a relay or port 25 in front of it, docs/operations.md).",
    default: "127.0.0.1:10025",
  },
  MFD_INBOUND_MAX_BYTES: {
    description: "The largest e-mail the inbound role accepts, in bytes; larger ones are refused (552).",
    default: "1048576",
  },
  MFD_SMS_URL: { description: "HTTP gateway that receives POST {to, text} for SMS.", secret: true },
  MFD_TRUSTED_PROXY: { description: "Comma-separated proxy addresses whose X-Forwarded-For is believed." },
  MFD_DEV: {
    description: "1 for development mode: messages readable at /dev/outbox, cookies without Secure.",
    default: "0",
  },
  MFD_LOG_LEVEL: {
    description: "Level of the JSON request and error log: fatal, error, warn, info, debug, trace or silent.",
    defaultText: "info; warn in development mode",
  },
  MFD_MX_HOST: {
    description: "The host customers' MX records must point at.",
    defaultText: "mx.<service domain>",
  },
  MFD_NAME_SERVERS: {
    description:
      "Comma-separated host names of the name servers serving customers' zones (their NS records).",
    defaultText: "ns1.<service domain>,ns2.<service domain>",
  },
  MFD_DNS_RESOLVERS: {
    description: "Comma-separated resolvers (ip or ip:port) for ownership checks.",
    defaultText: "system resolvers",
  },
  MFD_ALLOW_PRIVATE_FETCH: {
    description:
      "1 lets ownership checks contact private addresses (file fetch, parent-zone queries; tests only).",
    default: "0",
  },
  MFD_VERIFY_HTTP_PORT: {
    description: "Port the file ownership check fetches http://<domain>/ on (tests only change it).",
    default: "80",
  },
  MFD_DNS_TIMEOUT_MS: {
    description: "Milliseconds an ownership or MX check waits for a DNS answer before counting it failed.",
    default: "2000",
  },
  MFD_VERIFY_HTTP_TIMEOUT_MS: {
    description:
      "Milliseconds the file ownership check waits for the site's answer before counting it failed.",
    default: "5000",
  },
  MFD_DNS_PARENT_PORT: {
    description:
      "Port the parent zones' name servers are asked on for delegation checks (tests only change it).",
    default: "53",
  },
  MFD_DOMAIN_LIMIT: { description: "Domains one account may connect.", default: "50" },
  MFD_MAILBOX_LIMIT: { description: "Mailboxes per domain.", default: "1000" },
  MFD_RESTORE_WAIT_HOURS: {
    description:
      "Hours between an approved restore of domain access and the move, during which the current owner can cancel.",
    default: "72",
  },
  MFD_FAULT_PAUSE: {
    description:
      "Crash tests only, with MFD_DEV=1: `handover-move` stops the process forever inside a domain move's transaction, before it commits.",
  },
  MFD_SUPPORT_TWO_PERSON: {
    description: "1: a restore of domain access needs the approval of two different support agents.",
    default: "0",
  },
  MFD_SELF_SERVICE_RECOVERY: {
    description:
      "1: a requester may restore domain access without an agent (DNS proof, waiting period, the owner may cancel).",
    default: "0",
  },
  MFD_SECRET_KEY: {
    description:
      "32 random bytes in base64 (openssl rand -base64 32) encrypting stored TOTP secrets; unset, a key file secret.key in MFD_DATA_DIR is created and used.",
    defaultText: "key file in MFD_DATA_DIR",
    secret: true,
  },
  MFD_METRICS_TOKEN: {
    description:
      "Bearer secret Prometheus sends to /metrics; unset, /metrics answers 404 outside development mode.",
    secret: true,
  },
  MFD_IPV6_PREFIX: {
    description: "Rate limits count IPv6 clients by this network prefix length (one client holds a /64).",
    default: "64",
  },
  MFD_HASH_CONCURRENCY: {
    description:
      "Password hashes computed at once; more starve the event loop on few cores (bench/README.md).",
    defaultText: "CPU cores less one, at least 1",
  },
  MFD_SMTP_TIMEOUT: {
    description: "Seconds (1–60) each step of an SMTP delivery may take before it is retried later.",
    default: "20",
  },
  MFD_SMS_TIMEOUT: {
    description: "Seconds (1–60) one SMS gateway request may take before it is retried later.",
    default: "10",
  },
  MFD_SHUTDOWN_TIMEOUT: {
    description: "Seconds SIGTERM waits for requests in flight and the current delivery before exiting.",
    default: "30",
  },
  MFD_DB_CONNECT_TIMEOUT_MS: {
    description: "PostgreSQL: how long opening a connection may take before the request answers 503.",
    default: "5000",
  },
  MFD_DB_STATEMENT_TIMEOUT_MS: {
    description:
      "PostgreSQL: how long one statement may run (or wait for a lock) before it is cancelled (503).",
    default: "10000",
  },
  MFD_DB_LOCK_WAIT_MS: {
    description: "SQLite: how long a write waits for another process's write lock before answering 503.",
    default: "5000",
  },
  MFD_REQUEST_TIMEOUT_MS: {
    description: "How long a request may take in all before it answers 503 with Retry-After.",
    default: "30000",
  },
} as const satisfies Record<`MFD_${string}`, VariableSpec>;

export type VariableName = keyof typeof CONFIG_VARIABLES;
type VariableWithDefault = {
  [Name in VariableName]: (typeof CONFIG_VARIABLES)[Name] extends { default: string } ? Name : never;
}[VariableName];

/** The variables as a list, in the order they are documented. */
export const VARIABLES: { name: VariableName; description: string; default?: string; secret?: boolean }[] =
  Object.entries(CONFIG_VARIABLES).map(([name, spec]: [string, VariableSpec]) => ({
    name: name as VariableName,
    description: spec.description,
    default: spec.default ?? spec.defaultText,
    secret: spec.secret,
  }));

/** README's configuration table, as `npm run readme` writes it between its markers. */
export function configurationTable(): string {
  const rows = VARIABLES.map((variable) => {
    const spec: VariableSpec = CONFIG_VARIABLES[variable.name];
    // Markdown would take <service domain> for an HTML tag and | for a cell's end.
    const text = (plain: string) => plain.replaceAll("<", "\\<").replaceAll("|", "\\|");
    const fallback = spec.default !== undefined ? `\`${spec.default}\`` : text(spec.defaultText ?? "–");
    return [`\`${variable.name}\``, fallback, text(variable.description)];
  });
  const header = ["variable", "default", "meaning"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

/** Levels the request and error log (pino) knows. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const positiveWhole = (raw: string | undefined): number | null => {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? n : null;
};

/**
 * MFD_HASH_CONCURRENCY as the password hashing pool reads it when its module loads (before any
 * loadConfig); loadConfig reports a value that is not a whole number of at least 1.
 */
export const hashConcurrency = (env: Record<string, string | undefined> = process.env): number =>
  positiveWhole(env.MFD_HASH_CONCURRENCY?.trim()) ?? Math.max(1, availableParallelism() - 1);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

const flag = (value: string | undefined): boolean | null => {
  if (value === undefined || value === "") return false;
  if (["1", "true", "yes", "on"].includes(value.toLowerCase())) return true;
  if (["0", "false", "no", "off"].includes(value.toLowerCase())) return false;
  return null;
};

const hostPort = (value: string): { host: string; port: number } | null => {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  if (!match) return null;
  const port = Number(match[3]);
  if (port > 65535) return null;
  return { host: (match[1] ?? match[2]) as string, port };
};

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
  // A variable unset or empty reads as its default from CONFIG_VARIABLES, when it has one.
  function get(name: VariableWithDefault): string;
  function get(name: VariableName): string | undefined;
  function get(name: VariableName): string | undefined {
    const v = env[name];
    if (v !== undefined && v.trim() !== "") return v.trim();
    const spec: VariableSpec = CONFIG_VARIABLES[name];
    return spec.default;
  }

  const serviceDomain = get("MFD_SERVICE_DOMAIN").toLowerCase().replace(/\.$/, "");
  if (!HOSTNAME.test(serviceDomain) || !serviceDomain.includes(".")) {
    problems.push(
      `MFD_SERVICE_DOMAIN must be a domain name such as mail.example.net (got "${serviceDomain}")`,
    );
  }

  const listen = hostPort(get("MFD_LISTEN"));
  if (!listen) problems.push('MFD_LISTEN must be host:port, for example "127.0.0.1:8080"');

  const dnsListen = hostPort(get("MFD_DNS_LISTEN"));
  if (!dnsListen) problems.push('MFD_DNS_LISTEN must be host:port, for example "0.0.0.0:53"');
  const { secondaries: dnsSecondaries, problems: secondaryProblems } = parseSecondaries(
    get("MFD_DNS_SECONDARIES"),
  );
  for (const problem of secondaryProblems) problems.push(`MFD_DNS_SECONDARIES entry ${problem}`);
  const tsigText = get("MFD_DNS_TSIG_KEY");
  const tsig = tsigText === undefined ? null : parseTsigKey(tsigText);
  if (typeof tsig === "string") problems.push(`MFD_DNS_TSIG_KEY ${tsig}`);
  const dnsTsigKey = typeof tsig === "string" ? null : tsig;

  const dataDir = resolve(get("MFD_DATA_DIR"));

  let databaseUrl = get("MFD_DATABASE_URL") ?? `sqlite:${resolve(dataDir, "mfd.sqlite")}`;
  if (databaseUrl.startsWith("postgresql://")) databaseUrl = `postgres://${databaseUrl.slice(13)}`;
  if (!databaseUrl.startsWith("postgres://") && !databaseUrl.startsWith("sqlite:")) {
    problems.push("MFD_DATABASE_URL must start with postgres:// or sqlite:");
  }

  const publicUrl = (get("MFD_PUBLIC_URL") ?? `http://localhost:${listen?.port ?? 8080}`).replace(/\/$/, "");
  if (!/^https?:\/\/[^/]+/.test(publicUrl))
    problems.push("MFD_PUBLIC_URL must be an http:// or https:// URL");

  const smtpUrl = get("MFD_SMTP_URL") ?? null;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl))
    problems.push("MFD_SMTP_URL must start with smtp:// or smtps://");
  const smsUrl = get("MFD_SMS_URL") ?? null;
  if (smsUrl && !/^https?:\/\//.test(smsUrl)) problems.push("MFD_SMS_URL must be an http:// or https:// URL");

  const trusted = get("MFD_TRUSTED_PROXY");
  const trustedProxy = trusted
    ? trusted
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : null;
  for (const proxy of trustedProxy ?? []) {
    if (!isIP(proxy.split("/")[0] ?? ""))
      problems.push(`MFD_TRUSTED_PROXY entry "${proxy}" is not an IP address or CIDR`);
  }

  const dev = flag(get("MFD_DEV"));
  if (dev === null) problems.push("MFD_DEV must be 0 or 1");
  const allowPrivateFetch = flag(get("MFD_ALLOW_PRIVATE_FETCH"));
  if (allowPrivateFetch === null) problems.push("MFD_ALLOW_PRIVATE_FETCH must be 0 or 1");

  const mxHost = (get("MFD_MX_HOST") ?? `mx.${serviceDomain}`).toLowerCase().replace(/\.$/, "");
  if (!HOSTNAME.test(mxHost)) problems.push("MFD_MX_HOST must be a host name");
  const nameServers = (get("MFD_NAME_SERVERS") ?? `ns1.${serviceDomain},ns2.${serviceDomain}`)
    .split(",")
    .map((s) => s.trim().toLowerCase().replace(/\.$/, ""))
    .filter(Boolean);
  if (nameServers.length === 0 || !nameServers.every((ns) => HOSTNAME.test(ns)))
    problems.push("MFD_NAME_SERVERS must be comma-separated host names");

  const resolversRaw = get("MFD_DNS_RESOLVERS");
  const dnsResolvers = resolversRaw
    ? resolversRaw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
  for (const r of dnsResolvers) {
    const ip = r.startsWith("[") ? r.slice(1, r.indexOf("]")) : r.includes(".") ? (r.split(":")[0] ?? "") : r;
    if (!isIP(ip)) problems.push(`MFD_DNS_RESOLVERS entry "${r}" is not ip or ip:port`);
  }

  const positive = (name: VariableWithDefault): number => {
    const n = positiveWhole(get(name));
    if (n !== null) return n;
    problems.push(`${name} must be a whole number of at least 1`);
    return Number(CONFIG_VARIABLES[name].default);
  };
  const domainLimit = positive("MFD_DOMAIN_LIMIT");
  const port = (name: VariableWithDefault): number => {
    const n = positive(name);
    if (n > 65535) problems.push(`${name} must be a port number (1–65535)`);
    return n;
  };
  const verifyHttpPort = port("MFD_VERIFY_HTTP_PORT");
  const dnsParentPort = port("MFD_DNS_PARENT_PORT");
  const dnsTimeoutMs = positive("MFD_DNS_TIMEOUT_MS");
  const verifyHttpTimeoutMs = positive("MFD_VERIFY_HTTP_TIMEOUT_MS");
  const mailboxLimit = positive("MFD_MAILBOX_LIMIT");
  const restoreWaitMs = positive("MFD_RESTORE_WAIT_HOURS") * 3600_000;
  const faultPause = get("MFD_FAULT_PAUSE") || null;
  if (faultPause !== null && faultPause !== "handover-move")
    problems.push("MFD_FAULT_PAUSE must be handover-move (or unset)");
  if (faultPause !== null && dev !== true)
    problems.push("MFD_FAULT_PAUSE needs MFD_DEV=1: it is for crash tests");
  const supportTwoPerson = flag(get("MFD_SUPPORT_TWO_PERSON"));
  if (supportTwoPerson === null) problems.push("MFD_SUPPORT_TWO_PERSON must be 0 or 1");
  const selfServiceRecovery = flag(get("MFD_SELF_SERVICE_RECOVERY"));
  if (selfServiceRecovery === null) problems.push("MFD_SELF_SERVICE_RECOVERY must be 0 or 1");
  const ipv6Prefix = positive("MFD_IPV6_PREFIX");
  if (ipv6Prefix > 128) problems.push("MFD_IPV6_PREFIX must be a prefix length (1–128)");

  const secretKey = get("MFD_SECRET_KEY") ?? null;
  if (secretKey !== null && Buffer.from(secretKey, "base64").length !== 32)
    problems.push("MFD_SECRET_KEY must be 32 bytes in base64 (openssl rand -base64 32)");

  const metricsToken = get("MFD_METRICS_TOKEN") ?? null;
  if (metricsToken !== null && metricsToken.length < 16)
    problems.push("MFD_METRICS_TOKEN must be at least 16 characters long");
  // A claimed message is leased for five minutes: three steps of at most 60 s fit well inside.
  const transportSeconds = (name: VariableWithDefault): number => {
    const n = positive(name);
    if (n > 60) problems.push(`${name} must be at most 60 seconds`);
    return n * 1000;
  };
  const smtpTimeoutMs = transportSeconds("MFD_SMTP_TIMEOUT");
  const smsTimeoutMs = transportSeconds("MFD_SMS_TIMEOUT");
  const shutdownTimeoutMs = positive("MFD_SHUTDOWN_TIMEOUT") * 1000;
  const timeouts = {
    dbConnectMs: positive("MFD_DB_CONNECT_TIMEOUT_MS"),
    dbStatementMs: positive("MFD_DB_STATEMENT_TIMEOUT_MS"),
    dbLockWaitMs: positive("MFD_DB_LOCK_WAIT_MS"),
    requestMs: positive("MFD_REQUEST_TIMEOUT_MS"),
  };

  const smtpFrom = get("MFD_SMTP_FROM") ?? `mfd@${serviceDomain}`;
  const supportText = (get("MFD_SUPPORT_ADDRESS") ?? `support@${serviceDomain}`).toLowerCase();
  const supportMatch = /^([a-z0-9._-]{1,12})@([^@\s]+)$/.exec(supportText);
  if (!supportMatch || !HOSTNAME.test(supportMatch[2] as string))
    problems.push(
      "MFD_SUPPORT_ADDRESS must be an address such as support@mail.example.net (local part: up to 12 letters, digits, . _ -; no +)",
    );
  const supportAddress = {
    local: supportMatch?.[1] ?? "support",
    domain: supportMatch?.[2] ?? serviceDomain,
  };
  const inboundSmtpListen = hostPort(get("MFD_INBOUND_SMTP_LISTEN"));
  if (!inboundSmtpListen)
    problems.push('MFD_INBOUND_SMTP_LISTEN must be host:port, for example "0.0.0.0:25"');
  const inboundMaxBytes = positive("MFD_INBOUND_MAX_BYTES");

  const hashRaw = get("MFD_HASH_CONCURRENCY");
  if (hashRaw !== undefined && positiveWhole(hashRaw) === null)
    problems.push("MFD_HASH_CONCURRENCY must be a whole number of at least 1");
  // Request logs are JSON for log collectors; in development they would drown the console.
  const logLevel = (get("MFD_LOG_LEVEL") ?? (dev ? "warn" : "info")) as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`MFD_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    serviceDomain,
    listen: listen as { host: string; port: number },
    dnsListen: dnsListen as { host: string; port: number },
    dnsSecondaries,
    dnsTsigKey,
    dataDir,
    databaseUrl,
    publicUrl,
    smtpUrl,
    smtpFrom,
    supportAddress,
    inboundSmtpListen: inboundSmtpListen as { host: string; port: number },
    inboundMaxBytes,
    smsUrl,
    trustedProxy,
    dev: dev as boolean,
    faultPause,
    mxHost,
    nameServers,
    dnsResolvers,
    allowPrivateFetch: allowPrivateFetch as boolean,
    verifyHttpPort,
    dnsParentPort,
    dnsTimeoutMs,
    verifyHttpTimeoutMs,
    domainLimit,
    mailboxLimit,
    restoreWaitMs,
    supportTwoPerson: supportTwoPerson as boolean,
    selfServiceRecovery: selfServiceRecovery as boolean,
    ipv6Prefix,
    metricsToken,
    secretKey,
    smtpTimeoutMs,
    smsTimeoutMs,
    shutdownTimeoutMs,
    timeouts,
    logLevel,
    hashConcurrency: hashConcurrency(env),
  };
}

/** The configuration with secrets (passwords inside URLs) replaced, for `mfd config print`. */
export function redactedConfig(config: Config): Record<string, unknown> {
  const redactUrl = (url: string | null) => url?.replace(/\/\/([^:/@]+):([^@]+)@/, "//$1:***@") ?? null;
  return {
    ...config,
    databaseUrl: redactUrl(config.databaseUrl),
    smtpUrl: redactUrl(config.smtpUrl),
    smsUrl: redactUrl(config.smsUrl),
    metricsToken: config.metricsToken === null ? null : "***",
    secretKey: config.secretKey === null ? null : "***",
    dnsTsigKey: config.dnsTsigKey === null ? null : { name: config.dnsTsigKey.name, secret: "***" },
  };
}
