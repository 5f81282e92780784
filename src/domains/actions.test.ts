import { describe, expect, it } from "vitest";
import { connectDomain, createDomainWorld, uniqueDomain } from "../../test/dns/fixtures.js";
import { Client, GOOD_PASSWORD, registerAccount } from "../../test/helpers/app.js";
import { confirmedDomain } from "../../test/helpers/domains.js";
import { authorizeRoute } from "../access/access.js";
import type { Actor, Permission } from "../access/actor.js";
import {
  authorizeDomain,
  VIEW_ACTION_NAMES,
  VIEW_ACTIONS,
  type ViewAction,
} from "../access/domain-access.js";
import { AppError } from "../lib/errors.js";

/**
 * A domain's view lists the actions its viewer may take, and the console shows exactly those: so
 * every listed action must be allowed by the API and every other one refused.
 */
const { t } = await createDomainWorld();

let seq = 0;
const account = () => registerAccount(t, {}, `10.63.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`);
type Account = Awaited<ReturnType<typeof account>>;

/** Someone looking at a domain: how they send requests, and the actor the API resolves them to. */
interface Viewer {
  request: (method: string, url: string, body?: unknown) => ReturnType<Client["request"]>;
  actor: Actor;
}

const sessionViewer = (who: Account): Viewer => ({
  request: (method, url, body) => who.client.request(method, url, body),
  actor: {
    kind: "account",
    accountId: who.accountId,
    sessionId: "test",
    reauthAt: t.clock.now(),
    isSupportAgent: false,
  },
});

async function tokenViewer(who: Account, permissions: Permission[]): Promise<Viewer> {
  const created = await who.client.post("/api/v1/tokens", {
    name: "script",
    expiresInDays: 30,
    permissions,
    domains: "all",
  });
  expect(created.statusCode, created.body).toBe(201);
  const { token, id } = created.json();
  return {
    request: (method, url, body) =>
      new Client(t, "198.51.100.9").request(method, url, body, { authorization: `Bearer ${token}` }),
    actor: {
      kind: "token",
      accountId: who.accountId,
      tokenId: id,
      permissions,
      domains: null,
      issuedAt: t.clock.now(),
    },
  };
}

/** A refusal: no session or token, not allowed, or not theirs to see. */
const REFUSED = new Set([401, 403, 404]);

/** Whether an answer is the API allowing the request (true) or refusing it (false). */
function allowed(response: Awaited<ReturnType<Client["request"]>>, allowedAnswer: number): boolean {
  if (response.statusCode === allowedAnswer) return true;
  expect(REFUSED, `${response.statusCode} ${response.body}`).toContain(response.statusCode);
  return false;
}

/** No DNS route exists yet: ask the access checks such a route would run, in the order it runs them. */
async function dnsAllowed(viewer: Viewer, name: string, action: "dns:read" | "dns:write") {
  try {
    authorizeRoute(viewer.actor, { permission: VIEW_ACTIONS[action].permission }, t.clock.now());
    await authorizeDomain(t.db, viewer.actor, name, action);
    return true;
  } catch (error) {
    if (error instanceof AppError && REFUSED.has(error.status)) return false;
    throw error;
  }
}

let mailboxSeq = 0;
/** Each action tried through the requests it stands for; requests that change nothing where possible. */
const probes: Record<ViewAction, (viewer: Viewer, name: string, confirmed: boolean) => Promise<boolean>> = {
  "domain:check": async (viewer, name) =>
    allowed(await viewer.request("POST", `/api/v1/domains/${name}/check`, {}), 200),
  "domain:manage": async (viewer, name) => {
    // The access check comes before the typed confirmation, so a wrong one tells without disconnecting.
    const disconnect = allowed(
      await viewer.request("DELETE", `/api/v1/domains/${name}`, { confirm: "not-this.example" }),
      400,
    );
    // The domain's activity is read by every manager (each seeing their share): not this action's.
    return disconnect;
  },
  "deputies:manage": async (viewer, name) =>
    allowed(await viewer.request("GET", `/api/v1/domains/${name}/deputies`), 200),
  "mailboxes:read": async (viewer, name) =>
    allowed(await viewer.request("GET", `/api/v1/domains/${name}/mailboxes`), 200),
  "mailboxes:write": async (viewer, name) =>
    allowed(
      await viewer.request("POST", `/api/v1/domains/${name}/mailboxes`, {
        login: `probe${++mailboxSeq}`,
        password: GOOD_PASSWORD,
      }),
      201,
    ),
  "dns:read": (viewer, name) => dnsAllowed(viewer, name, "dns:read"),
  "dns:write": (viewer, name) => dnsAllowed(viewer, name, "dns:write"),
};

/** The view's actions, after checking each against the API both ways. */
async function checkedActions(viewer: Viewer, name: string, confirmed: boolean): Promise<string[]> {
  const view = await viewer.request("GET", `/api/v1/domains/${name}`);
  expect(view.statusCode, view.body).toBe(200);
  const listed: string[] = view.json().actions;
  // Checking now reads the domain's delegation again from DNS (none here): it goes last.
  const order = [...VIEW_ACTION_NAMES.filter((a) => a !== "domain:check"), "domain:check" as const];
  for (const action of order) {
    expect(
      await probes[action](viewer, name, confirmed),
      `${action}: listed ${listed.includes(action)}`,
    ).toBe(listed.includes(action));
  }
  return listed;
}

/** Delegated to mfd's name servers, as the test internet does not say (a check now had cleared it). */
const delegate = (name: string) =>
  t.db.updateTable("domains").set({ delegated: 1 }).where("name", "=", name).execute();

async function addDeputy(owner: Account, name: string, deputy: Account, dnsGranted: boolean) {
  const added = await owner.client.post(`/api/v1/domains/${name}/deputies`, {
    login: deputy.login,
    dnsGranted,
  });
  expect(added.statusCode, added.body).toBe(201);
}

describe("a domain's actions are exactly what the API allows its viewer", () => {
  it("for the owner, a deputy, a deputy with DNS, and tokens", async () => {
    const owner = await account();
    const { name } = await confirmedDomain(t, owner.accountId, uniqueDomain(), { delegated: true });
    const deputy = await account();
    const dnsDeputy = await account();
    await addDeputy(owner, name, deputy, false);
    await addDeputy(owner, name, dnsDeputy, true);

    const actionsOf = async (viewer: Viewer) => {
      const listed = await checkedActions(viewer, name, true);
      await delegate(name);
      return listed;
    };
    expect(await actionsOf(sessionViewer(owner))).toEqual(VIEW_ACTION_NAMES);
    expect(await actionsOf(sessionViewer(deputy))).toEqual([
      "domain:check",
      "mailboxes:read",
      "mailboxes:write",
    ]);
    expect(await actionsOf(sessionViewer(dnsDeputy))).toEqual([
      "domain:check",
      "mailboxes:read",
      "mailboxes:write",
      "dns:read",
      "dns:write",
    ]);
    const reader = await tokenViewer(owner, ["domains:read", "mailboxes:read", "dns:write"]);
    expect(await actionsOf(reader)).toEqual(["mailboxes:read", "dns:write"]);
    const deputyToken = await tokenViewer(dnsDeputy, ["domains:read", "mailboxes:write", "dns:read"]);
    expect(await actionsOf(deputyToken)).toEqual(["mailboxes:write", "dns:read"]);
  });

  it("for a deputy granted DNS on a domain not delegated to mfd: no DNS", async () => {
    const owner = await account();
    const { name } = await confirmedDomain(t, owner.accountId);
    const deputy = await account();
    await addDeputy(owner, name, deputy, true);
    expect(await checkedActions(sessionViewer(deputy), name, true)).toEqual([
      "domain:check",
      "mailboxes:read",
      "mailboxes:write",
    ]);
  });

  it("for the claimant of a pending claim: checking and managing the claim, nothing of a domain", async () => {
    const claimant = await account();
    const name = uniqueDomain();
    await connectDomain(claimant.client, name);
    expect(await checkedActions(sessionViewer(claimant), name, false)).toEqual([
      "domain:check",
      "domain:manage",
    ]);
  });
});
