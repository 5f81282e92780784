import type { Generated } from "kysely";

/** The last health check of a hosted zone (migration 011_dns_health). */
export interface DnsHealthTable {
  domainId: string;
  checkedAt: number | null;
  nextCheckAt: number;
  ok: Generated<number>;
  /** JSON: src/dns/health.ts's HealthCheck[]. */
  checks: Generated<string>;
}

export interface DnsHealthTables {
  dnsHealth: DnsHealthTable;
}
