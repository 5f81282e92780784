import { defineModule } from "../module.js";
import { mailboxesRoutes } from "./mailboxes.routes.js";
import { MailboxesService } from "./mailboxes.service.js";

export type { MailboxesService } from "./mailboxes.service.js";

export const mailboxesModule = defineModule({
  name: "mailboxes",
  uses: [],
  create: (deps) => new MailboxesService(deps),
  routes: (app, mailboxes) => mailboxesRoutes(app, mailboxes),
  hooks: () => ({
    // Disconnect is refused while mailboxes remain, and aliases leave with their mailbox (ON DELETE
    // CASCADE); their domain_id has no cascade, so a stray one must neither block the delete nor
    // outlive it.
    "domain.released": async (tx, _ctx, { domainId }) => {
      await tx.deleteFrom("mailboxAliases").where("domainId", "=", domainId).execute();
      return undefined;
    },
  }),
});
