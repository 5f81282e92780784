import type { Deps } from "../deps.js";
import type { Role } from "../module.js";
import { startInboundServer } from "./inbound.js";
import type { SupportService } from "./support.service.js";

/**
 * The `inbound` role: the SMTP server replies to support tickets arrive at (MFD_INBOUND_SMTP_LISTEN;
 * in production a relay or the MX for MFD_SUPPORT_ADDRESS's domain hands them on, docs/operations.md).
 */
export function inboundRole(serviceOf: (deps: Deps) => SupportService | undefined): Role {
  return {
    name: "inbound",
    description: "the SMTP server that threads e-mail replies into support tickets",
    start: async ({ deps, app }) => {
      const support = serviceOf(deps);
      if (!support) throw new Error("inbound: the support module was not built from this process's deps");
      const { host, port } = deps.config.inboundSmtpListen;
      const server = await startInboundServer({
        support,
        clock: deps.clock,
        host,
        port,
        maxBytes: deps.config.inboundMaxBytes,
        serverName: deps.config.supportAddress.domain,
        log: (message, error) =>
          error === undefined ? app.log.warn(message) : app.log.error({ err: error }, message),
      });
      console.log(
        `mfd inbound SMTP on ${host}:${server.port} for ${deps.config.supportAddress.local}+…@${deps.config.supportAddress.domain}`,
      );
      return {
        async stop(timeoutMs) {
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<string[]>((resolve) => {
            timer = setTimeout(() => resolve(["inbound SMTP connections"]), timeoutMs);
          });
          const closed = server.close().then(() => [] as string[]);
          const left = await Promise.race([closed, late]);
          clearTimeout(timer);
          return left;
        },
      };
    },
  };
}
