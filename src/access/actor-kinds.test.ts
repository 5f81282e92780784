import { describe, expect, it } from "vitest";
import { createTestApp, registerAccount } from "../../test/helpers/app.js";
import { confirmedDomain } from "../../test/helpers/domains.js";
import { recordEvent } from "../audit/audit.service.js";
import { AppError } from "../lib/errors.js";
import { authorizeRoute, requireRecentAuth } from "./access.js";
import { type Actor, operatorContext, type RequestContext, systemContext } from "./actor.js";
import { authorizeDomain, type DomainAction } from "./domain-access.js";

/**
 * The actors that never come from a request: the system (worker jobs), the operator (the `mfd`
 * command line) and a support agent in a ticket, which nothing admits until tickets exist.
 */
const t = await createTestApp();
const owner = await registerAccount(t, {}, "10.77.0.1");
const { name: domain } = await confirmedDomain(t, owner.accountId);

/** An agent whose own account even owns the domain: the ticket gives it no rights all the same. */
const agent: Actor = { kind: "agent", accountId: owner.accountId, ticketId: "ticket-1" };
const system: Actor = { kind: "system" };
const operator: Actor = { kind: "operator", command: "mfd test" };
const ACTIONS: DomainAction[] = [
  "domain:read",
  "domain:manage",
  "mailboxes:read",
  "mailboxes:write",
  "dns:read",
  "dns:write",
];

const context = (actor: Actor): RequestContext => ({ actor, ip: null, userAgent: null, now: t.clock.now() });

/** The code of the AppError `work` fails with (synchronously or not); "none" when it succeeds. */
async function refusal(work: () => unknown): Promise<string> {
  try {
    await work();
    return "none";
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return error.code;
  }
}

describe("actor kinds outside HTTP", () => {
  it("an agent, the system and a bare operator pass no route that needs a caller", async () => {
    const guarded = t.routes.filter((route) => !(route.access as { public?: true }).public);
    expect(guarded.length).toBeGreaterThan(30);
    for (const actor of [agent, system, operator])
      for (const route of guarded)
        expect(
          await refusal(() => authorizeRoute(actor, route.access as never, t.clock.now())),
          `${actor.kind} ${route.method} ${route.url}`,
        ).toBe("FORBIDDEN");
    expect(await refusal(() => requireRecentAuth(agent, t.clock.now()))).toBe("FORBIDDEN");
  });

  it("an agent gets no domain action, not even on a domain its own account owns", async () => {
    for (const action of ACTIONS) {
      expect(await refusal(() => authorizeDomain(t.db, agent, domain, action)), action).toBe("FORBIDDEN");
      expect(await refusal(() => authorizeDomain(t.db, system, domain, action)), action).toBe("FORBIDDEN");
      expect(await refusal(() => authorizeDomain(t.db, operator, domain, action)), action).toBe(
        "UNAUTHENTICATED",
      );
      // The same account acting through a session, or the operator acting as it, is the owner.
      const session: Actor = {
        kind: "account",
        accountId: owner.accountId,
        sessionId: "s",
        reauthAt: 0,
        isSupportAgent: false,
      };
      expect((await authorizeDomain(t.db, session, domain, action)).role).toBe("owner");
      const as = operatorContext("mfd mailboxes import", t.clock.now(), { accountId: owner.accountId });
      expect((await authorizeDomain(t.db, as.actor, domain, action)).role).toBe("owner");
    }
  });

  it("services that act for an account refuse an agent", async () => {
    const ctx = context(agent);
    expect(await refusal(() => t.services.domains.list(ctx))).toBe("UNAUTHENTICATED");
    expect(await refusal(() => t.services.tokens.list(ctx))).toBe("UNAUTHENTICATED");
    expect(await refusal(() => t.services.deputies.list(ctx, domain))).toBe("FORBIDDEN");
    expect(await refusal(() => t.services.mailboxes.list(ctx, domain, { limit: 10 }))).toBe("FORBIDDEN");
  });

  it("audit rows name the system, the operator, or the account an operator acts as", async () => {
    const now = t.clock.now();
    const rows = [
      [systemContext(now), "system", null],
      [operatorContext("mfd sessions end-all", now), "operator", null],
      [
        operatorContext("mfd mailboxes import", now, { accountId: owner.accountId }),
        "account",
        owner.accountId,
      ],
    ] as const;
    for (const [ctx, actorType, actorId] of rows) {
      const target = `actor-kinds-${actorType}-${actorId ?? "none"}`;
      await recordEvent(t.db, ctx, { action: "session.end", accountId: owner.accountId, target });
      const row = await t.db
        .selectFrom("auditEvents")
        .select(["actorType", "actorId", "ip"])
        .where("target", "=", target)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ actorType, actorId, ip: null });
    }
  });
});
