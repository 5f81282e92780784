import { createSocket } from "node:dgram";
import { rmSync } from "node:fs";
import * as packet from "dns-packet";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { randomSecret } from "../src/lib/random.js";
import { ownerWithDomain as ownerWithConfirmedDomain } from "./dns/hosted-domain.js";
import { TEST_DATABASE_URL, testDialect } from "./helpers/database.js";
import { type MfdProcess, newDataDir, startMfd, waitFor } from "./helpers/mfd-process.js";
import { WAIT_MS } from "./helpers/patience.js";

/**
 * Several DNS nodes on one database (docs/ARCHITECTURE.md, processes): a record changed through
 * the API is answered by every `mfd serve --roles dns` process, on PostgreSQL within a second
 * (LISTEN/NOTIFY), on SQLite within the one-second catch-up. Real processes, real packets.
 */
const dataDir = newDataDir();
const processes: MfdProcess[] = [];
const name = `nodes_${randomSecret(6)
  .toLowerCase()
  .replace(/[^a-z0-9]/g, "x")}`;
const admin = testDialect === "postgres" ? new pg.Client({ connectionString: TEST_DATABASE_URL }) : null;
let databaseUrl = "";
if (admin) {
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  databaseUrl = url.toString();
}
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  if (admin) {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const env = {
  MFD_SERVICE_DOMAIN: "nodes.example",
  ...(databaseUrl ? { MFD_DATABASE_URL: databaseUrl } : {}),
};
// The web process first: it migrates the database the others then share.
const web = await startMfd(dataDir, env, ["serve", "--roles", "web"]);
processes.push(web);
const nodes = await Promise.all([0, 1].map(() => startMfd(dataDir, env, ["serve", "--roles", "dns"])));
processes.push(...nodes);
const dnsPort = (node: MfdProcess) => Number(/mfd dns answering on \S+ UDP (\d+)/.exec(node.output())?.[1]);

async function query(
  port: number,
  qname: string,
  type: packet.RecordType = "A",
): Promise<packet.DecodedPacket> {
  const socket = createSocket("udp4");
  const answer = new Promise<Buffer>((resolve) => socket.once("message", resolve));
  const send = () =>
    socket.send(
      packet.encode({ type: "query", id: 7, questions: [{ type, name: qname }] }),
      port,
      "127.0.0.1",
    );
  // As a resolver does: the query again every 2 s while no answer came (a busy machine is slow, UDP may drop).
  send();
  const resend = setInterval(send, 2000);
  try {
    return packet.decode(
      await Promise.race([answer, new Promise<never>((_, no) => setTimeout(no, WAIT_MS).unref())]),
    );
  } finally {
    clearInterval(resend);
    socket.close();
  }
}
const addresses = async (port: number, qname: string) =>
  (await query(port, qname).catch(() => null))?.answers?.map((a) => (a as { data: unknown }).data) ?? [];

/** An owner with a confirmed domain, and a claim of another name, never confirmed: it has no zone to serve. */
async function ownerWithDomain(domain: string) {
  const api = await ownerWithConfirmedDomain(web, { url: databaseUrl, dataDir }, domain);
  const claimed = await fetch(`${web.url}/api/v1/domains`, {
    method: "POST",
    headers: api.headers,
    body: JSON.stringify({ name: `pending-${domain}` }),
  });
  expect(claimed.status).toBe(201);
  return api;
}

/**
 * Waits until every node answers `expected` for `qname`. How soon is a figure of bench/dns.ts
 * (change → answer), not of a test: on a busy machine any fixed bound would be a coin toss.
 */
async function answeredEverywhere(qname: string, expected: string): Promise<void> {
  await waitFor(
    `every node to answer ${qname} with ${expected}`,
    async () => {
      const seen = await Promise.all(nodes.map((node) => addresses(dnsPort(node), qname)));
      return seen.every((data) => data.length === 1 && data[0] === expected);
    },
    WAIT_MS,
  );
}

describe(`two dns nodes on one ${testDialect === "postgres" ? "PostgreSQL" : "SQLite database"}`, () => {
  // PostgreSQL notifies at commit; SQLite relies on the catch-up every second.
  it("both answer a record added and then changed through the API, without a restart", async () => {
    const domain = `nodes-${randomSecret(4)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "x")}.org`;
    const api = await ownerWithDomain(domain);
    expect(nodes.every((node) => dnsPort(node) > 0)).toBe(true);

    const created = await api("POST", "/dns/records", { name: "www", type: "A", data: "192.0.2.1" });
    expect(created.status, await created.clone().text()).toBe(201);
    await answeredEverywhere(`www.${domain}`, "192.0.2.1");

    // The zone the first change made holds the mail records too, SOA first in a NODATA answer.
    const mx = await query(dnsPort(nodes[1] as MfdProcess), domain, "MX");
    expect(mx.answers?.map((a) => (a as { data: unknown }).data)).toEqual([
      { preference: 10, exchange: "mx.nodes.example" },
    ]);
    const nodata = await query(dnsPort(nodes[1] as MfdProcess), `www.${domain}`, "AAAA");
    expect(nodata.authorities?.map((a) => a.type)).toEqual(["SOA"]);

    const { id } = (await created.json()) as { id: string };
    const changed = await api("PATCH", `/dns/records/${id}`, { data: "192.0.2.2" });
    expect(changed.status).toBe(200);
    await answeredEverywhere(`www.${domain}`, "192.0.2.2");
  });

  it("refuses a name that is only claimed, never confirmed, while serving the confirmed one", async () => {
    const domain = `claims-${randomSecret(4)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "x")}.org`;
    const api = await ownerWithDomain(domain);
    expect((await api("POST", "/dns/records", { name: "@", type: "A", data: "192.0.2.7" })).status).toBe(201);
    await answeredEverywhere(domain, "192.0.2.7");
    for (const node of nodes) {
      const answer = (await query(dnsPort(node), `pending-${domain}`)) as { rcode?: string };
      expect(answer.rcode).toBe("REFUSED");
    }
  });
});
