import { expect, it } from "vitest";
import { signIn } from "../../test/dns/fixtures.js";
import { messagesTo } from "../../test/helpers/app.js";
import { handoverWorld } from "../../test/helpers/handovers.js";
import { runJob } from "../jobs/worker.js";
import { HOUR } from "../lib/clock.js";
import { JOBS } from "../modules.js";

/** MFD_SELF_SERVICE_RECOVERY=1: proof + waiting period + the owner's cancel, no agent (docs/handovers.md). */
const w = await handoverWorld({ MFD_SELF_SERVICE_RECOVERY: "1", MFD_RESTORE_WAIT_HOURS: "24" });
const { t, internet } = w;

it("the requester proves, waits, and gets the domain with its mailboxes", async () => {
  const owner = await w.account();
  const requester = await w.account({ complete: true });
  const domain = await w.domainWithMailboxes(owner, 2);
  const started = await requester.client.post("/api/v1/restores", { domain: domain.name });
  expect(started.statusCode, started.body).toBe(201);
  const restore = started.json();
  expect(restore).toMatchObject({ state: "proving", side: "to", approvalsNeeded: 0 });
  expect(JSON.stringify(restore)).not.toContain(owner.login);

  expect((await requester.client.post(`/api/v1/transfers/${restore.id}/check`)).json().result).toBe("absent");
  internet.publish(restore.challenge.name, "TXT", restore.challenge.value);
  const proven = await requester.client.post(`/api/v1/transfers/${restore.id}/check`);
  expect(proven.json()).toMatchObject({ result: "ok", handover: { state: "waiting" } });
  expect((await messagesTo(t, owner.email))[0]?.body).toContain("/handover/cancel/");
  // The owner sees the waiting restore in their list (and could cancel it signed in).
  const listed = (await owner.client.get("/api/v1/transfers")).json().handovers;
  expect(listed).toMatchObject([{ id: restore.id, side: "from", state: "waiting", challenge: null }]);
  expect(JSON.stringify(listed)).not.toContain(requester.login);

  t.clock.advance(24 * HOUR);
  await runJob(t.deps, JOBS, "complete-handovers");
  expect(await w.ownerOf(domain.domainId)).toBe(requester.accountId);
  const client = await signIn(t, requester);
  expect((await client.get(`/api/v1/domains/${domain.name}/mailboxes`)).json().mailboxes).toHaveLength(2);
});

it("the owner signed in cancels it during the waiting period", async () => {
  const owner = await w.account();
  const requester = await w.account({ complete: true });
  const domain = await w.domainWithMailboxes(owner, 0);
  const restore = (await requester.client.post("/api/v1/restores", { domain: domain.name })).json();
  internet.publish(restore.challenge.name, "TXT", restore.challenge.value);
  await requester.client.post(`/api/v1/transfers/${restore.id}/check`);
  const cancelled = await owner.client.post(`/api/v1/transfers/${restore.id}/cancel`);
  expect(cancelled.json()).toMatchObject({ state: "cancelled", side: "from" });
  t.clock.advance(25 * HOUR);
  await runJob(t.deps, JOBS, "complete-handovers");
  expect(await w.ownerOf(domain.domainId)).toBe(owner.accountId);
});

it("refuses an incomplete profile with what is missing, and the owner's own domain", async () => {
  const owner = await w.account();
  const incomplete = await w.account();
  const domain = await w.domainWithMailboxes(owner, 0);
  const res = await incomplete.client.post("/api/v1/restores", { domain: domain.name });
  expect(res.statusCode).toBe(409);
  expect(res.json()).toMatchObject({ code: "PROFILE_INCOMPLETE", missing: ["security-question"] });
  const own = await w.account({ complete: true });
  const mine = await w.domainWithMailboxes(own, 0);
  expect((await own.client.post("/api/v1/restores", { domain: mine.name })).json().code).toBe(
    "TRANSFER_TO_SELF",
  );
});
