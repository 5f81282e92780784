import { promises as dns } from "node:dns";

/**
 * The outcome of one lookup. "absent" is a definite answer (NXDOMAIN or no records of that type);
 * "failed" is everything else (SERVFAIL, REFUSED, timeout, garbage) and never counts as proof.
 */
export type Lookup<T> =
  | { status: "found"; values: T[] }
  | { status: "absent" }
  | { status: "failed"; reason: string };

const ABSENT = new Set<string>([dns.NODATA, dns.NOTFOUND]);

const reasonOf = (error: unknown): string => {
  const code = (error as { code?: string }).code ?? "";
  if (code === dns.SERVFAIL) return "the resolver answered SERVFAIL";
  if (code === dns.TIMEOUT) return "the resolver did not answer in time";
  if (code === dns.REFUSED) return "the resolver refused the query";
  if (code === dns.CONNREFUSED) return "the resolver could not be reached";
  return `the lookup failed (${code || "unknown error"})`;
};

const bare = (host: string) => host.toLowerCase().replace(/\.$/, "");

/**
 * Lookups through the configured resolvers (MFD_DNS_RESOLVERS, or the system's). One try with a
 * short timeout: a verification must see what the internet says now, and a slow or broken answer
 * is a failure to retry later, never a success. node:dns keeps no answer cache (c-ares' query
 * cache is off in Node), so every check asks again.
 */
export class DnsLookup {
  private readonly resolver: dns.Resolver;

  constructor(servers: readonly string[], timeoutMs: number) {
    this.resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
    if (servers.length > 0) this.resolver.setServers([...servers]);
  }

  private async run<T>(query: () => Promise<T[]>): Promise<Lookup<T>> {
    try {
      const values = await query();
      return values.length > 0 ? { status: "found", values } : { status: "absent" };
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      if (ABSENT.has(code)) return { status: "absent" };
      return { status: "failed", reason: reasonOf(error) };
    }
  }

  /** TXT records, each one's strings joined (a long value is split into 255-byte strings). */
  txt(name: string): Promise<Lookup<string>> {
    return this.run(async () => (await this.resolver.resolveTxt(name)).map((chunks) => chunks.join("")));
  }

  cname(name: string): Promise<Lookup<string>> {
    return this.run(async () => (await this.resolver.resolveCname(name)).map(bare));
  }

  ns(name: string): Promise<Lookup<string>> {
    return this.run(async () => (await this.resolver.resolveNs(name)).map(bare));
  }

  mx(name: string): Promise<Lookup<{ exchange: string; priority: number }>> {
    return this.run(async () =>
      (await this.resolver.resolveMx(name)).map((mx) => ({
        exchange: bare(mx.exchange),
        priority: mx.priority,
      })),
    );
  }

  /** IPv4 and IPv6 addresses; "failed" only when neither lookup gave a definite answer. */
  async addresses(name: string): Promise<Lookup<string>> {
    const [v4, v6] = await Promise.all([
      this.run(() => this.resolver.resolve4(name)),
      this.run(() => this.resolver.resolve6(name)),
    ]);
    const values = [...(v4.status === "found" ? v4.values : []), ...(v6.status === "found" ? v6.values : [])];
    if (values.length > 0) return { status: "found", values };
    if (v4.status === "failed") return v4;
    if (v6.status === "failed") return v6;
    return { status: "absent" };
  }
}
