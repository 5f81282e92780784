import http from "node:http";
import type { AddressInfo } from "node:net";
import type * as packet from "dns-packet";
import { type Answer, type DnsServer, RCODE, startDnsServer } from "./server.js";

type RecordType = "A" | "AAAA" | "TXT" | "CNAME" | "MX" | "NS";
type Data = string | { preference: number; exchange: string };

export type FileResponse =
  | string
  | { status?: number; body?: string; headers?: Record<string, string> }
  | ((request: http.IncomingMessage, response: http.ServerResponse) => void);

const lower = (name: string) => name.toLowerCase().replace(/\.$/, "");
const under = (name: string, zone: string) => name === zone || name.endsWith(`.${zone}`);
const parentOf = (name: string) => name.slice(name.indexOf(".") + 1);

/**
 * "The internet" for verification tests, on loopback:
 * - a recursive resolver (the app's MFD_DNS_RESOLVERS) answering from a record table, following
 *   CNAMEs, with NXDOMAIN vs NODATA, wildcards, and zones that can be made to fail (SERVFAIL) or
 *   stay silent (timeout);
 * - two authoritative servers of the top-level zones (127.0.0.2 and 127.0.0.3, one port = the
 *   app's MFD_DNS_PARENT_PORT) holding delegations: queries below a delegated child get a referral
 *   (NS records in the authority section), like a real TLD server;
 * - an HTTP server (MFD_VERIFY_HTTP_PORT) serving files by Host header.
 * Tests publish and remove records to play the customer.
 */
export class TestInternet {
  private records = new Map<string, Map<RecordType, Data[]>>();
  private delegations = new Map<string, string[]>();
  private broken = new Map<string, "servfail" | "silent">();
  private files = new Map<string, FileResponse>();
  private brokenParents: "silent" | "servfail" | null = null;

  private constructor(
    readonly topZones: string[],
    readonly resolver: DnsServer,
    readonly parents: DnsServer[],
    private readonly httpServer: http.Server,
  ) {}

  static async start(topZones = ["org", "net", "com", "co.uk"]): Promise<TestInternet> {
    // Handlers are bound late: the servers exist before the object that answers for them.
    let self: TestInternet | null = null;
    const resolver = await startDnsServer({
      host: "127.0.0.1",
      handler: (q) => (self as TestInternet).resolve(q),
    });
    const parents = await startParents((q) => (self as TestInternet).answerAsParent(q));
    const httpServer = http.createServer((request, response) =>
      (self as TestInternet).serve(request, response),
    );
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    self = new TestInternet(topZones, resolver, parents, httpServer);
    for (const zone of topZones) {
      parents.forEach((server, i) => {
        const host = `ns${i}.${zone.replaceAll(".", "-")}.servers.test`;
        self?.publish(zone, "NS", host);
        self?.publish(host, "A", server.host);
      });
    }
    return self;
  }

  get httpPort(): number {
    return (this.httpServer.address() as AddressInfo).port;
  }

  /**
   * The configuration that points an mfd at this internet. Its servers run in the test's own
   * process, which a busy machine (or fifty checks at once) can hold up for seconds: an answer that
   * comes must count, so the mfd waits long. Tests of silence set shorter timeouts themselves.
   */
  env(): Record<string, string> {
    return {
      MFD_DNS_RESOLVERS: `127.0.0.1:${this.resolver.port}`,
      MFD_DNS_PARENT_PORT: String(this.parents[0]?.port),
      MFD_VERIFY_HTTP_PORT: String(this.httpPort),
      MFD_ALLOW_PRIVATE_FETCH: "1",
      MFD_DNS_TIMEOUT_MS: "30000",
      MFD_VERIFY_HTTP_TIMEOUT_MS: "30000",
    };
  }

  publish(name: string, type: RecordType, data: Data): void {
    const key = lower(name);
    const byType = this.records.get(key) ?? new Map<RecordType, Data[]>();
    byType.set(type, [...(byType.get(type) ?? []), data]);
    this.records.set(key, byType);
  }

  /** Removes the records of one type at a name (or all of them). */
  unpublish(name: string, type?: RecordType): void {
    const key = lower(name);
    if (!type) this.records.delete(key);
    else this.records.get(key)?.delete(type);
  }

  /** Sets the NS set the parent zone holds for `domain` (what the registrar publishes). */
  delegate(domain: string, nameServers: string[]): void {
    this.delegations.set(lower(domain), nameServers.map(lower));
  }

  undelegate(domain: string): void {
    this.delegations.delete(lower(domain));
  }

  /** Everything at or under `zone` fails at the resolver: SERVFAIL, or no answer at all. */
  breakZone(zone: string, how: "servfail" | "silent"): void {
    this.broken.set(lower(zone), how);
  }

  healZone(zone: string): void {
    this.broken.delete(lower(zone));
  }

  /** The top-level zones' servers stop answering properly. */
  breakParents(how: "silent" | "servfail" | null): void {
    this.brokenParents = how;
  }

  /** Serves `http://<host>/<path>`. */
  serveFile(host: string, path: string, response: FileResponse): void {
    this.files.set(`${lower(host)} ${path}`, response);
  }

  removeFile(host: string, path: string): void {
    this.files.delete(`${lower(host)} ${path}`);
  }

  async close(): Promise<void> {
    this.httpServer.closeAllConnections();
    await new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
    await this.resolver.close();
    for (const parent of this.parents) await parent.close();
  }

  // --- the resolver -------------------------------------------------------------------------

  private resolve(question: packet.Question): Answer {
    const name = lower(question.name);
    for (const [zone, how] of this.broken) {
      if (under(name, zone)) return how === "silent" ? null : { rcode: RCODE.SERVFAIL };
    }
    const answers: packet.Answer[] = [];
    let current = name;
    for (let hops = 0; hops < 8; hops++) {
      const records = this.lookup(current);
      if (!records) return answers.length ? { answers } : { rcode: RCODE.NXDOMAIN };
      const wanted = records.get(question.type as RecordType);
      if (wanted?.length) {
        answers.push(...wanted.map((data) => toAnswer(current, question.type as RecordType, data)));
        return { answers };
      }
      const cname = records.get("CNAME")?.[0];
      if (!cname || question.type === "CNAME") return { answers };
      answers.push(toAnswer(current, "CNAME", cname));
      current = lower(cname as string);
    }
    return { rcode: RCODE.SERVFAIL };
  }

  /** Records at a name; an empty map when only names below it exist (NODATA, not NXDOMAIN). */
  private lookup(name: string): Map<RecordType, Data[]> | null {
    const exact = this.records.get(name);
    if (exact) return exact;
    for (const key of this.records.keys()) if (key.endsWith(`.${name}`)) return new Map();
    return this.records.get(`*.${parentOf(name)}`) ?? null;
  }

  // --- the parent (top-level) zones' authoritative servers ---------------------------------

  private answerAsParent(question: packet.Question): Answer {
    if (this.brokenParents === "silent") return null;
    if (this.brokenParents === "servfail") return { rcode: RCODE.SERVFAIL };
    const name = lower(question.name);
    const zone = this.topZones.filter((z) => under(name, z)).sort((a, b) => b.length - a.length)[0];
    if (!zone) return { rcode: RCODE.REFUSED };
    const soa: packet.Answer = {
      type: "SOA",
      name: zone,
      ttl: 900,
      data: { mname: `ns0.${zone}.servers.test`, rname: "hostmaster.servers.test", serial: 1 },
    };
    if (name === zone) {
      const ns = this.records.get(zone)?.get("NS") ?? [];
      return question.type === "NS"
        ? { authoritative: true, answers: ns.map((d) => toAnswer(zone, "NS", d)) }
        : { authoritative: true, authorities: [soa] };
    }
    // The closest delegated child at or above the name: answer with a referral, not authoritatively.
    for (let child = name; under(child, zone) && child !== zone; child = parentOf(child)) {
      const nameServers = this.delegations.get(child);
      if (nameServers) {
        return {
          authoritative: false,
          authorities: nameServers.map((ns) => ({ type: "NS", name: child, ttl: 172800, data: ns })),
        };
      }
    }
    return { authoritative: true, rcode: RCODE.NXDOMAIN, authorities: [soa] };
  }

  // --- the web ------------------------------------------------------------------------------

  private serve(request: http.IncomingMessage, response: http.ServerResponse): void {
    const host = lower((request.headers.host ?? "").replace(/:\d+$/, ""));
    const file = this.files.get(`${host} ${request.url}`);
    if (file === undefined) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    if (typeof file === "function") {
      file(request, response);
      return;
    }
    if (typeof file === "string") {
      response.writeHead(200, { "content-type": "text/plain" }).end(file);
      return;
    }
    response
      .writeHead(file.status ?? 200, file.headers ?? { "content-type": "text/plain" })
      .end(file.body ?? "");
  }
}

function toAnswer(name: string, type: RecordType, data: Data): packet.Answer {
  if (type === "MX") return { type, name, ttl: 300, data: data as { preference: number; exchange: string } };
  if (type === "TXT") return { type, name, ttl: 300, data: [data as string] };
  return { type, name, ttl: 300, data: data as string } as packet.Answer;
}

/** Two servers on 127.0.0.2 and 127.0.0.3 sharing one ephemeral port (the app has one parent port). */
async function startParents(handler: (q: packet.Question) => Answer): Promise<DnsServer[]> {
  for (let attempt = 0; ; attempt++) {
    const first = await startDnsServer({ host: "127.0.0.2", handler });
    try {
      const second = await startDnsServer({ host: "127.0.0.3", port: first.port, handler });
      return [first, second];
    } catch (error) {
      await first.close();
      if (attempt >= 5) throw error;
    }
  }
}
