import { afterAll, expect } from "vitest";
import { runJob } from "../../src/jobs/worker.js";
import { JOBS } from "../../src/modules.js";
import { Client, createTestApp, GOOD_PASSWORD } from "../helpers/app.js";
import { TestInternet } from "./internet.js";
/** An mfd whose verifier sees a loopback "internet" (resolver, parent zones, web). */
export async function createDomainWorld(env = {}) {
    const internet = await TestInternet.start();
    const t = await createTestApp({ ...internet.env(), ...env });
    afterAll(() => internet.close());
    return { t, internet };
}
let counter = 0;
/** A name no other test uses, under a real public suffix the test internet serves. */
export const uniqueDomain = (suffix = "org") => `d${++counter}x${Math.floor(Math.random() * 1e6).toString(36)}.${suffix}`;
/** Signs the account in again (after the clock moved past the session lifetime). */
export async function signIn(t, account) {
    const client = new Client(t, account.client.ip);
    const response = await client.post("/api/v1/session", { login: account.login, password: GOOD_PASSWORD });
    expect(response.statusCode, response.body).toBe(200);
    account.client = client;
    return client;
}
/** Connects a domain and returns the claim's view (what to publish). */
export async function connectDomain(client, name) {
    const response = await client.post("/api/v1/domains", { name });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
}
export const checkNow = (client, name) => client.post(`/api/v1/domains/${name}/check`);
export const runDomainJob = (t) => runJob(t.deps, JOBS, "check-domains");
/** The customer publishes the claim's TXT record. */
export function publishTxt(internet, view) {
    const claim = view.claim;
    internet.publish(claim.methods.txt.name, "TXT", claim.methods.txt.value);
}
//# sourceMappingURL=fixtures.js.map