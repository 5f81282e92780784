import type { Deps } from "../deps.js";
import type { Job } from "../jobs/worker.js";
import { DnsHealthService, healthSettings } from "./health.service.js";

/** The health service of the zones module: MFD_NAME_SERVERS and MFD_MX_HOST, the domain's active DKIM keys. */
export const dnsHealthService = (deps: Deps): DnsHealthService =>
  new DnsHealthService(deps, healthSettings(deps.config, deps.config.nameServers), (db, domainId) =>
    db
      .selectFrom("dkimKeys")
      .select(["selector", "publicKey"])
      .where("domainId", "=", domainId)
      .where("active", "=", 1)
      .execute(),
  );

/** Re-checks due domains' delegation and mail records (src/zones/health.service.ts says when). */
export const dnsHealthJob: Job = {
  name: "check-dns-health",
  everyMs: 60_000,
  run: (deps) => dnsHealthService(deps).runDue(),
};
