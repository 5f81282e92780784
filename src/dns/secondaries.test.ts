import dgram from "node:dgram";
import * as packet from "dns-packet";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { exampleZone } from "../../test/dns/zones.js";
import { WAIT_MS } from "../../test/helpers/patience.js";
import { createSecondaries, type Secondaries } from "./secondaries.js";
import { ZoneSet } from "./zone.js";

describe("secondaries: what is notified", () => {
  const notified: number[] = [];
  const socket = dgram.createSocket("udp4");
  const zones = new ZoneSet();
  let secondaries: Secondaries;

  beforeAll(async () => {
    socket.on("message", (message, from) => {
      const query = packet.decode(message);
      const [hint] = query.answers ?? [];
      if (hint?.type === "SOA") notified.push(hint.data.serial ?? -1);
      const ack = packet.encode({
        type: "response",
        id: query.id,
        flags: 4 << 11,
        questions: query.questions,
      });
      socket.send(ack, from.port, from.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    secondaries = createSecondaries({
      zones,
      secondaries: [{ host: "127.0.0.1", port: socket.address().port }],
      key: null,
    });
  });
  afterAll(async () => {
    await secondaries.close();
    socket.close();
  });

  it("a zone served for the first time is not notified, a new serial is, the same serial is not", async () => {
    secondaries.setZone(exampleZone("example.org", 1));
    await secondaries.settled();
    expect(zones.get("example.org")?.serial).toBe(1);
    expect(notified).toEqual([]);

    secondaries.setZone(exampleZone("example.org", 2));
    await secondaries.settled();
    expect(notified).toEqual([2]);

    secondaries.setZone(exampleZone("example.org", 2));
    await secondaries.settled();
    expect(notified).toEqual([2]);

    secondaries.deleteZone("example.org");
    expect(zones.get("example.org")).toBeUndefined();
    secondaries.setZone(exampleZone("example.org", 3));
    await secondaries.settled();
    expect(notified).toEqual([2]);
  });
});

describe("secondaries: a zone dropped while its NOTIFY is retried", () => {
  it("stops the retries and keeps nothing of it for IXFR", async () => {
    const silent = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
    const received: number[] = [];
    silent.on("message", () => received.push(received.length));
    const zones = new ZoneSet();
    const secondaries = createSecondaries({
      zones,
      secondaries: [{ host: "127.0.0.1", port: silent.address().port }],
      key: null,
    });
    try {
      secondaries.setZone(exampleZone("example.org", 1));
      secondaries.setZone(exampleZone("example.org", 2));
      await vi.waitFor(() => expect(received.length).toBeGreaterThan(0), { timeout: WAIT_MS });
      secondaries.deleteZone("example.org");
      const beforeDrop = received.length;
      expect(zones.get("example.org")).toBeUndefined();
      // Unanswered, the NOTIFY would be retried after 1, 2, 4, 8 and 16 s, and settled() would wait
      // for all of them: nothing more than a packet already on its way arrives after the drop (a busy
      // machine may have sent the first retry before the test saw the first NOTIFY).
      await secondaries.settled();
      expect(received.length).toBeLessThanOrEqual(beforeDrop + 1);
      expect(received.length).toBeLessThan(6);
    } finally {
      await secondaries.close();
      silent.close();
    }
  });
});

describe("secondaries: the start of the server", () => {
  it("notifies every zone once, with its serial, and does not retry a secondary that does not answer", async () => {
    const answering = dgram.createSocket("udp4");
    const silent = dgram.createSocket("udp4");
    const notified: Array<[string, number]> = [];
    let unanswered = 0;
    answering.on("message", (message, from) => {
      const query = packet.decode(message);
      const [hint] = query.answers ?? [];
      notified.push([query.questions?.[0]?.name ?? "", hint?.type === "SOA" ? (hint.data.serial ?? -1) : -1]);
      answering.send(
        packet.encode({ type: "response", id: query.id, flags: 4 << 11, questions: query.questions }),
        from.port,
        from.address,
      );
    });
    silent.on("message", () => {
      unanswered += 1;
    });
    await Promise.all(
      [answering, silent].map((s) => new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve))),
    );
    const zones = new ZoneSet();
    for (let i = 0; i < 5; i++) zones.set(exampleZone(`zone${i}.example`, 100 + i));
    const secondaries = createSecondaries({
      zones,
      secondaries: [
        { host: "127.0.0.1", port: answering.address().port },
        { host: "127.0.0.1", port: silent.address().port },
      ],
      key: null,
    });
    try {
      secondaries.zonesLoaded();
      // settled() waits for every attempt to be answered or given up: with retries the silent
      // secondary would get 5 tries of each zone; once each says there were none.
      await secondaries.settled();
      expect(notified.sort()).toEqual([0, 1, 2, 3, 4].map((i) => [`zone${i}.example`, 100 + i]));
      expect(unanswered).toBe(5);
    } finally {
      await secondaries.close();
      answering.close();
      silent.close();
    }
  });
});
