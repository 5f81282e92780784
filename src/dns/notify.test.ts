import dgram from "node:dgram";
import * as packet from "dns-packet";
import { afterEach, describe, expect, it } from "vitest";
import { soa } from "../../test/dns/zones.js";
import { Notifier, sendNotify } from "./notify.js";
import { checkRequest, ResponseSigner, type TsigKey } from "./tsig.js";

const KEY: TsigKey = { name: "xfr", secret: Buffer.alloc(32, 5) };

/** A secondary's UDP socket: records each NOTIFY and answers it as `reply` says. */
async function fakeSecondary(
  reply: (query: Buffer, index: number) => Buffer | null,
): Promise<{ port: number; received: Buffer[]; close(): void }> {
  const socket = dgram.createSocket("udp4");
  const received: Buffer[] = [];
  socket.on("message", (message, from) => {
    received.push(message);
    const answer = reply(message, received.length - 1);
    if (answer) socket.send(answer, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { port: socket.address().port, received, close: () => socket.close() };
}

/** The acknowledgement a secondary sends: the query turned into a response, rcode as given. */
const acknowledgement = (query: Buffer, rcode = 0): Buffer => {
  const decoded = packet.decode(query);
  return packet.encode({
    type: "response",
    id: decoded.id,
    flags: (4 << 11) | rcode,
    questions: decoded.questions,
  });
};

const secondaries: Array<{ close(): void }> = [];
afterEach(() => {
  for (const s of secondaries.splice(0)) s.close();
});

describe("NOTIFY", () => {
  it("sends opcode NOTIFY for the zone's SOA, signed, and accepts the secondary's signed answer", async () => {
    const secondary = await fakeSecondary((query) => {
      const check = checkRequest(query, KEY);
      if (check.status !== "valid") return null;
      return new ResponseSigner(KEY, check.tsig.mac).sign(acknowledgement(query));
    });
    secondaries.push(secondary);
    const outcome = await sendNotify({ host: "127.0.0.1", port: secondary.port }, "example.org", {
      key: KEY,
      soa: soa("example.org", 7),
      timeoutMs: 2000,
    });
    expect(outcome).toEqual({ status: "acknowledged" });
    const notify = packet.decode(secondary.received[0] as Buffer);
    expect((notify.flags ?? 0) >> 11).toBe(4);
    expect(notify.flag_aa).toBe(true);
    expect(notify.questions).toEqual([{ name: "example.org", type: "SOA", class: "IN" }]);
    expect(notify.answers?.[0]).toMatchObject({ type: "SOA", data: { serial: 7 } });
  });

  it("retries with a doubling wait until the secondary answers", async () => {
    const secondary = await fakeSecondary((query, index) => (index < 2 ? null : acknowledgement(query)));
    secondaries.push(secondary);
    const outcome = await sendNotify({ host: "127.0.0.1", port: secondary.port }, "example.org", {
      key: null,
      timeoutMs: 50,
    });
    expect(outcome).toEqual({ status: "acknowledged" });
    // At least the two unanswered tries and the answered one; on a slow machine an answer can come
    // after the next try left, which is still the same behaviour.
    expect(secondary.received.length).toBeGreaterThanOrEqual(3);
  });

  it("gives up after its attempts, and does not retry a refusal or a badly signed answer", async () => {
    const silent = await fakeSecondary(() => null);
    secondaries.push(silent);
    const target = { host: "127.0.0.1", port: silent.port };
    expect(await sendNotify(target, "example.org", { key: null, timeoutMs: 20, attempts: 3 })).toEqual({
      status: "failed",
      reason: "no answer",
    });
    expect(silent.received).toHaveLength(3);

    const refusing = await fakeSecondary((query) => acknowledgement(query, 5));
    secondaries.push(refusing);
    const refused = await sendNotify({ host: "127.0.0.1", port: refusing.port }, "example.org", {
      key: null,
    });
    expect(refused).toEqual({ status: "failed", reason: "the secondary answered rcode 5" });
    expect(refusing.received).toHaveLength(1);

    const forger = await fakeSecondary((query) =>
      new ResponseSigner({ ...KEY, secret: Buffer.alloc(32, 6) }, Buffer.alloc(32)).sign(
        acknowledgement(query),
      ),
    );
    secondaries.push(forger);
    const forged = await sendNotify({ host: "127.0.0.1", port: forger.port }, "example.org", { key: KEY });
    expect(forged).toEqual({ status: "failed", reason: "answer rejected: bad signature" });
  });

  it("a newer change of a zone replaces the NOTIFY still being retried for the older one", async () => {
    const secondary = await fakeSecondary((query) => {
      const [hint] = packet.decode(query).answers ?? [];
      const serial = hint?.type === "SOA" ? hint.data.serial : undefined;
      return serial === 2 ? acknowledgement(query) : null;
    });
    secondaries.push(secondary);
    const logged: string[] = [];
    const notifier = new Notifier({
      secondaries: [{ host: "127.0.0.1", port: secondary.port }],
      key: null,
      timeoutMs: 5000,
      log: { info: (_, message) => logged.push(message), warn: (_, message) => logged.push(message) },
    });
    notifier.zoneChanged("example.org", soa("example.org", 1));
    notifier.zoneChanged("example.org", soa("example.org", 2));
    await notifier.settled();
    // The first one was cancelled without waiting out its 5 s, and is not reported as a failure.
    expect(logged).toEqual(["NOTIFY acknowledged"]);
    await notifier.close();
  });
});
