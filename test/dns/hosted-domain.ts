import { expect } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { newId, randomSecret } from "../../src/lib/random.js";
import { GOOD_PASSWORD } from "../helpers/app.js";
import type { MfdProcess } from "../helpers/mfd-process.js";

export type DomainApi = ((method: string, path: string, body?: unknown) => Promise<Response>) & {
  /** The owner's session headers, for calls outside the domain's path. */
  headers: Record<string, string>;
};

/** A lowercase random label for test names. */
export const randomLabel = (length = 4): string =>
  randomSecret(length)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "x");

/**
 * An account through `web`'s API, and a confirmed domain of it written as the verifier leaves it
 * (the verifier would need the real DNS). Returns a caller of the domain's API as its owner, paths
 * relative to /api/v1/domains/<domain>.
 */
export async function ownerWithDomain(
  web: MfdProcess,
  database: { url: string; dataDir: string },
  domain: string,
): Promise<DomainApi> {
  const response = await fetch(`${web.url}/api/v1/accounts`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: web.url },
    body: JSON.stringify({
      login: `n${randomLabel(5)}`,
      password: GOOD_PASSWORD,
      firstName: "N",
      lastName: "D",
    }),
  });
  expect(response.status).toBe(201);
  const { accountId, csrfToken } = (await response.json()) as { accountId: string; csrfToken: string };
  const cookie = /mfd_session=([^;]+)/.exec(response.headers.get("set-cookie") ?? "")?.[1] ?? "";
  const opened = openDatabase(database.url || `sqlite:${database.dataDir}/mfd.sqlite`);
  try {
    const claimId = newId();
    const now = Date.now();
    await opened.db
      .insertInto("claims")
      .values({
        id: claimId,
        publicId: `p${claimId.slice(-8)}`,
        accountId,
        domainName: domain,
        token: randomSecret(),
        status: "confirmed",
        createdAt: now,
        expiresAt: now + 86_400_000,
        nextCheckAt: now,
      })
      .execute();
    await opened.db
      .insertInto("domains")
      .values({
        id: newId(),
        name: domain,
        ownerAccountId: accountId,
        claimId,
        confirmedAt: now,
        confirmedMethod: "txt",
        mxNextCheckAt: now + 86_400_000,
      })
      .execute();
  } finally {
    await opened.destroy();
  }
  const headers = {
    "content-type": "application/json",
    cookie: `mfd_session=${cookie}`,
    "x-csrf-token": csrfToken,
    origin: web.url,
  };
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${web.url}/api/v1/domains/${domain}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return Object.assign(api, { headers });
}
