import { defineModule } from "../module.js";
import { auditRoutes } from "./audit.routes.js";

export type { AuditInput, DomainEventView, DomainViewer } from "./audit.service.js";
export { listDomainEvents, recordEvent, recordRefusals } from "./audit.service.js";
export { type ExportedEvent, exportAuditEvents, parseSince } from "./export.js";

/** An account's own security log; recording is a platform function every capability calls. */
export const auditModule = defineModule({
  name: "audit",
  uses: [],
  create: (deps) => deps.database.db,
  routes: (app, db) => auditRoutes(app, db),
});
