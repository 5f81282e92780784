import dgram from "node:dgram";
import { setMaxListeners } from "node:events";
import { isIP } from "node:net";
import * as packet from "dns-packet";
import pLimit from "p-limit";
import type { Secondary, TransferLog } from "./transfer.js";
import { ResponseVerifier, signRequest, type TsigKey } from "./tsig.js";
import type { ZoneRecord } from "./zone.js";

/**
 * NOTIFY (RFC 1996): tells each secondary a zone changed, so it transfers the change now instead
 * of at its next SOA refresh. Sent over UDP, retried with a doubling wait until the secondary
 * answers (§3.6), signed with TSIG when a key is configured.
 */

const OPCODE_NOTIFY = 4;
/** NOTIFYs in flight per secondary when every zone is notified at start. */
const STARTUP_IN_FLIGHT = 32;

export type NotifyOutcome = { status: "acknowledged" } | { status: "failed"; reason: string };

export interface NotifyOptions {
  key: TsigKey | null;
  /** The first wait for an answer; each retry waits twice as long. */
  timeoutMs?: number;
  attempts?: number;
  /** The SOA, sent in the answer section as a hint of the new serial (§3.7). */
  soa?: ZoneRecord;
  /** Stops the retries (shutdown, or a newer change superseding this one). */
  signal?: AbortSignal;
}

/** Sends one NOTIFY for `origin` to `target` and waits for its acknowledgement. */
export async function sendNotify(
  target: Secondary,
  origin: string,
  options: NotifyOptions,
): Promise<NotifyOutcome> {
  const attempts = options.attempts ?? 5;
  let timeoutMs = options.timeoutMs ?? 1000;
  let reason = "no answer";
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (options.signal?.aborted) return { status: "failed", reason: "cancelled" };
    const outcome = await notifyOnce(target, origin, options, timeoutMs);
    if (outcome.status === "acknowledged") return outcome;
    reason = outcome.reason;
    if (!outcome.retry) break;
    timeoutMs *= 2;
  }
  return { status: "failed", reason };
}

type Attempt = NotifyOutcome | { status: "failed"; reason: string; retry: true };

function notifyOnce(target: Secondary, origin: string, options: NotifyOptions, timeoutMs: number) {
  const id = Math.floor(Math.random() * 65536);
  const message = packet.encode({
    type: "query",
    id,
    flags: (OPCODE_NOTIFY << 11) | packet.AUTHORITATIVE_ANSWER,
    questions: [{ name: origin, type: "SOA", class: "IN" }],
    answers: options.soa ? [{ ...options.soa, class: "IN" } as packet.Answer] : [],
  });
  const request = options.key ? signRequest(message, options.key) : { signed: message, mac: undefined };
  const socket = dgram.createSocket(isIP(target.host) === 6 ? "udp6" : "udp4");
  return new Promise<Attempt & { retry?: boolean }>((resolve) => {
    const finish = (outcome: Attempt & { retry?: boolean }) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", cancel);
      socket.close();
      resolve(outcome);
    };
    const cancel = () => finish({ status: "failed", reason: "cancelled" });
    const timer = setTimeout(() => finish({ status: "failed", reason: "no answer", retry: true }), timeoutMs);
    options.signal?.addEventListener("abort", cancel);
    socket.on("error", (error) => finish({ status: "failed", reason: error.message, retry: true }));
    socket.on("message", (reply, from) => {
      // Only the secondary's own answer to this query counts (RFC 1996 §3.8 / RFC 5452 spirit).
      if (from.port !== target.port || reply.length < 12 || reply.readUInt16BE(0) !== id) return;
      let decoded: packet.DecodedPacket;
      try {
        decoded = packet.decode(reply);
      } catch {
        return;
      }
      if (decoded.type !== "response" || ((decoded.flags ?? 0) >> 11) % 16 !== OPCODE_NOTIFY) return;
      if (options.key && request.mac) {
        const problem = new ResponseVerifier(options.key, request.mac).verify(reply);
        if (problem) return finish({ status: "failed", reason: `answer rejected: ${problem}` });
      }
      const rcode = (decoded.flags ?? 0) & 0xf;
      if (rcode !== 0) return finish({ status: "failed", reason: `the secondary answered rcode ${rcode}` });
      finish({ status: "acknowledged" });
    });
    socket.send(request.signed, target.port, target.host);
  });
}

/**
 * Notifies every secondary of every zone change. A change that comes while the NOTIFY of an earlier
 * one is still being retried replaces it: the secondary transfers the newest serial either way.
 */
export class Notifier {
  private readonly pending = new Map<string, AbortController>();
  private startup: AbortController | undefined;
  private readonly running = new Set<Promise<unknown>>();
  /** Sockets open at once: a burst of changes (thousands of zones) must not exhaust descriptors. */
  private readonly limit = pLimit(64);

  constructor(
    private readonly options: {
      secondaries: readonly Secondary[];
      key: TsigKey | null;
      log?: TransferLog;
      timeoutMs?: number;
      attempts?: number;
    },
  ) {}

  zoneChanged(origin: string, soa?: ZoneRecord): void {
    if (this.options.secondaries.length === 0) return;
    this.pending.get(origin)?.abort();
    const controller = new AbortController();
    this.pending.set(origin, controller);
    const work = Promise.all(
      this.options.secondaries.map(async (target) => {
        const outcome = await this.limit(() =>
          sendNotify(target, origin, { ...this.options, soa, signal: controller.signal }),
        );
        const details = { zone: origin, secondary: `${target.host}:${target.port}` };
        if (outcome.status === "acknowledged") this.options.log?.info(details, "NOTIFY acknowledged");
        else if (outcome.reason !== "cancelled")
          this.options.log?.warn({ ...details, reason: outcome.reason }, "NOTIFY failed");
      }),
    ).finally(() => {
      if (this.pending.get(origin) === controller) this.pending.delete(origin);
      this.running.delete(work);
    });
    this.running.add(work);
  }

  /**
   * Every zone served, once, when the server starts (as BIND notifies on load): a change committed
   * while no `dns` process ran (by a web process on the same PostgreSQL, say) reaches the
   * secondaries now instead of at their next SOA refresh. One attempt per zone and secondary,
   * no retries: a secondary that is down asks for the SOA of every zone itself when it comes back
   * (its refresh), and 10,000 zones retried for half a minute each would be load for nothing.
   * One line per secondary says how it went, not one per zone.
   */
  zonesLoaded(zones: () => Iterable<{ origin: string; soa: ZoneRecord | undefined }>, count: number): void {
    if (this.options.secondaries.length === 0 || count === 0) return;
    const controller = new AbortController();
    // Listened to by every NOTIFY in flight, not a leak.
    setMaxListeners(0, controller.signal);
    this.startup = controller;
    const work = Promise.all(
      this.options.secondaries.map(async (target) => {
        const failures = new Map<string, number>();
        let acknowledged = 0;
        // A few NOTIFYs in flight pull the zones one at a time: no promise per zone made up front.
        const next = zones()[Symbol.iterator]();
        const sender = async () => {
          for (let item = next.next(); !item.done && !controller.signal.aborted; item = next.next()) {
            const outcome = await sendNotify(target, item.value.origin, {
              ...this.options,
              attempts: 1,
              soa: item.value.soa,
              signal: controller.signal,
            });
            if (outcome.status === "acknowledged") acknowledged += 1;
            else failures.set(outcome.reason, (failures.get(outcome.reason) ?? 0) + 1);
          }
        };
        await Promise.all(Array.from({ length: STARTUP_IN_FLIGHT }, sender));
        const details = {
          secondary: `${target.host}:${target.port}`,
          zones: count,
          acknowledged,
          failed: Object.fromEntries(failures),
        };
        if (failures.size === 0)
          this.options.log?.info(details, "NOTIFY of every zone at start acknowledged");
        else if (!controller.signal.aborted)
          this.options.log?.warn(details, "NOTIFY of every zone at start: some not acknowledged");
      }),
    ).finally(() => this.running.delete(work));
    this.running.add(work);
  }

  /** A zone no longer served: a NOTIFY of it still being retried stops. */
  zoneDeleted(origin: string): void {
    this.pending.get(origin)?.abort();
  }

  /** Stops the retries and waits for the sockets to close. */
  async close(): Promise<void> {
    for (const controller of this.pending.values()) controller.abort();
    this.startup?.abort();
    await Promise.all(this.running);
  }

  /** Resolves when every NOTIFY sent so far is acknowledged or given up (tests). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }
}
