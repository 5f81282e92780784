import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES, ConfigError, loadConfig, redactedConfig } from "./config.js";

describe("configuration", () => {
  it("starts with no variables at all: SQLite in ./data, console on 127.0.0.1:8080", () => {
    const config = loadConfig({});
    expect(config.listen).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(config.dnsListen).toEqual({ host: "127.0.0.1", port: 10053 });
    expect(config.databaseUrl).toMatch(/^sqlite:.*\/data\/mfd\.sqlite$/);
    expect(config.dev).toBe(false);
    expect(config.mxHost).toBe(`mx.${config.serviceDomain}`);
  });

  it("names the hosted zones' name servers: ns1 and ns2 of the service domain unless set", () => {
    expect(loadConfig({ MFD_SERVICE_DOMAIN: "mail.example.net" }).nameServers).toEqual([
      "ns1.mail.example.net",
      "ns2.mail.example.net",
    ]);
    expect(loadConfig({ MFD_NAME_SERVERS: " A.Example.org., b.example.org " }).nameServers).toEqual([
      "a.example.org",
      "b.example.org",
    ]);
    expect(() => loadConfig({ MFD_NAME_SERVERS: "ns1.example.org,not a host" })).toThrow(/MFD_NAME_SERVERS/);
  });

  it("takes a crash test's pause point in development mode only, and only a known one", () => {
    expect(loadConfig({}).faultPause).toBeNull();
    expect(loadConfig({ MFD_DEV: "1", MFD_FAULT_PAUSE: "handover-move" }).faultPause).toBe("handover-move");
    expect(() => loadConfig({ MFD_FAULT_PAUSE: "handover-move" })).toThrow(/MFD_FAULT_PAUSE needs MFD_DEV=1/);
    expect(() => loadConfig({ MFD_DEV: "1", MFD_FAULT_PAUSE: "somewhere" })).toThrow(
      /MFD_FAULT_PAUSE must be/,
    );
  });

  it("lists every problem at once", () => {
    try {
      loadConfig({
        MFD_LISTEN: "nope",
        MFD_DNS_LISTEN: "53",
        MFD_DEV: "maybe",
        MFD_DATABASE_URL: "mysql://x",
        MFD_DOMAIN_LIMIT: "-3",
        MFD_DNS_RESOLVERS: "resolver",
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join("\n");
      for (const name of [
        "MFD_LISTEN",
        "MFD_DNS_LISTEN",
        "MFD_DEV",
        "MFD_DATABASE_URL",
        "MFD_DOMAIN_LIMIT",
        "MFD_DNS_RESOLVERS",
      ])
        expect(problems).toContain(name);
    }
  });

  it("bounds the transport timeouts below the delivery lease and reads them in seconds", () => {
    const config = loadConfig({ MFD_SMTP_TIMEOUT: "5", MFD_SMS_TIMEOUT: "3", MFD_SHUTDOWN_TIMEOUT: "90" });
    expect(config).toMatchObject({ smtpTimeoutMs: 5_000, smsTimeoutMs: 3_000, shutdownTimeoutMs: 90_000 });
    expect(loadConfig({})).toMatchObject({
      smtpTimeoutMs: 20_000,
      smsTimeoutMs: 10_000,
      shutdownTimeoutMs: 30_000,
    });
    expect(() => loadConfig({ MFD_SMTP_TIMEOUT: "61" })).toThrow(/MFD_SMTP_TIMEOUT must be at most 60/);
    expect(() => loadConfig({ MFD_SMS_TIMEOUT: "0" })).toThrow(/MFD_SMS_TIMEOUT/);
  });

  it("gives ownership checks 2 s per DNS answer and 5 s per file fetch, or what the operator sets", () => {
    expect(loadConfig({})).toMatchObject({ dnsTimeoutMs: 2_000, verifyHttpTimeoutMs: 5_000 });
    expect(loadConfig({ MFD_DNS_TIMEOUT_MS: "8000", MFD_VERIFY_HTTP_TIMEOUT_MS: "15000" })).toMatchObject({
      dnsTimeoutMs: 8_000,
      verifyHttpTimeoutMs: 15_000,
    });
    expect(() => loadConfig({ MFD_DNS_TIMEOUT_MS: "0", MFD_VERIFY_HTTP_TIMEOUT_MS: "soon" })).toThrow(
      /MFD_DNS_TIMEOUT_MS[\s\S]*MFD_VERIFY_HTTP_TIMEOUT_MS/,
    );
  });

  it("takes every default from the variables' table", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      serviceDomain: CONFIG_VARIABLES.MFD_SERVICE_DOMAIN.default,
      domainLimit: Number(CONFIG_VARIABLES.MFD_DOMAIN_LIMIT.default),
      mailboxLimit: Number(CONFIG_VARIABLES.MFD_MAILBOX_LIMIT.default),
      timeouts: { requestMs: Number(CONFIG_VARIABLES.MFD_REQUEST_TIMEOUT_MS.default) },
    });
    expect(loadConfig({ MFD_DOMAIN_LIMIT: " " }).domainLimit).toBe(50);
  });

  it("reads the log level and the hashing concurrency, and refuses values they cannot take", () => {
    expect(loadConfig({}).logLevel).toBe("info");
    expect(loadConfig({ MFD_DEV: "1" }).logLevel).toBe("warn");
    expect(loadConfig({ MFD_DEV: "1", MFD_LOG_LEVEL: "debug" }).logLevel).toBe("debug");
    expect(loadConfig({ MFD_HASH_CONCURRENCY: "3" }).hashConcurrency).toBe(3);
    expect(loadConfig({}).hashConcurrency).toBeGreaterThanOrEqual(1);
    expect(() => loadConfig({ MFD_LOG_LEVEL: "loud", MFD_HASH_CONCURRENCY: "0" })).toThrow(
      /MFD_HASH_CONCURRENCY[\s\S]*MFD_LOG_LEVEL must be one of fatal, error/,
    );
  });

  it("redacts passwords inside URLs when printed", () => {
    const printed = JSON.stringify(
      redactedConfig(
        loadConfig({
          MFD_DATABASE_URL: "postgres://mfd:s3cret@db/mfd",
          MFD_SMTP_URL: "smtp://u:hunter2@mail:587",
        }),
      ),
    );
    expect(printed).not.toContain("s3cret");
    expect(printed).not.toContain("hunter2");
    expect(printed).toContain("postgres://mfd:***@db/mfd");
  });

  it("reads the secondaries and the TSIG key, and never prints the key's secret", () => {
    const secret = Buffer.alloc(32, 9).toString("base64");
    const config = loadConfig({
      MFD_DNS_SECONDARIES: "192.0.2.1, [2001:db8::53]:5353",
      MFD_DNS_TSIG_KEY: `xfr.example.net.:${secret}`,
    });
    expect(config.dnsSecondaries).toEqual([
      { host: "192.0.2.1", port: 53 },
      { host: "2001:db8::53", port: 5353 },
    ]);
    expect(config.dnsTsigKey?.name).toBe("xfr.example.net");
    expect(config.dnsTsigKey?.secret.length).toBe(32);
    expect(JSON.stringify(redactedConfig(config))).not.toContain(secret);
    expect(loadConfig({}).dnsSecondaries).toEqual([]);
    expect(loadConfig({}).dnsTsigKey).toBeNull();
    expect(() =>
      loadConfig({ MFD_DNS_SECONDARIES: "ns2.example.net", MFD_DNS_TSIG_KEY: "xfr:c2hvcnQ=" }),
    ).toThrow(
      /MFD_DNS_SECONDARIES entry "ns2.example.net"[\s\S]*MFD_DNS_TSIG_KEY the secret must be at least 16 bytes/,
    );
  });
});
