import http from "node:http";
import { RCODE, startDnsServer } from "./server.js";
const lower = (name) => name.toLowerCase().replace(/\.$/, "");
const under = (name, zone) => name === zone || name.endsWith(`.${zone}`);
const parentOf = (name) => name.slice(name.indexOf(".") + 1);
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
    topZones;
    resolver;
    parents;
    httpServer;
    records = new Map();
    delegations = new Map();
    broken = new Map();
    files = new Map();
    brokenParents = null;
    constructor(topZones, resolver, parents, httpServer) {
        this.topZones = topZones;
        this.resolver = resolver;
        this.parents = parents;
        this.httpServer = httpServer;
    }
    static async start(topZones = ["org", "net", "com", "co.uk"]) {
        // Handlers are bound late: the servers exist before the object that answers for them.
        let self = null;
        const resolver = await startDnsServer({
            host: "127.0.0.1",
            handler: (q) => self.resolve(q),
        });
        const parents = await startParents((q) => self.answerAsParent(q));
        const httpServer = http.createServer((request, response) => self.serve(request, response));
        await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
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
    get httpPort() {
        return this.httpServer.address().port;
    }
    /**
     * The configuration that points an mfd at this internet. Its servers run in the test's own
     * process, which a busy machine (or fifty checks at once) can hold up for seconds: an answer that
     * comes must count, so the mfd waits long. Tests of silence set shorter timeouts themselves.
     */
    env() {
        return {
            MFD_DNS_RESOLVERS: `127.0.0.1:${this.resolver.port}`,
            MFD_DNS_PARENT_PORT: String(this.parents[0]?.port),
            MFD_VERIFY_HTTP_PORT: String(this.httpPort),
            MFD_ALLOW_PRIVATE_FETCH: "1",
            MFD_DNS_TIMEOUT_MS: "30000",
            MFD_VERIFY_HTTP_TIMEOUT_MS: "30000",
        };
    }
    publish(name, type, data) {
        const key = lower(name);
        const byType = this.records.get(key) ?? new Map();
        byType.set(type, [...(byType.get(type) ?? []), data]);
        this.records.set(key, byType);
    }
    /** Removes the records of one type at a name (or all of them). */
    unpublish(name, type) {
        const key = lower(name);
        if (!type)
            this.records.delete(key);
        else
            this.records.get(key)?.delete(type);
    }
    /** Sets the NS set the parent zone holds for `domain` (what the registrar publishes). */
    delegate(domain, nameServers) {
        this.delegations.set(lower(domain), nameServers.map(lower));
    }
    undelegate(domain) {
        this.delegations.delete(lower(domain));
    }
    /** Everything at or under `zone` fails at the resolver: SERVFAIL, or no answer at all. */
    breakZone(zone, how) {
        this.broken.set(lower(zone), how);
    }
    healZone(zone) {
        this.broken.delete(lower(zone));
    }
    /** The top-level zones' servers stop answering properly. */
    breakParents(how) {
        this.brokenParents = how;
    }
    /** Serves `http://<host>/<path>`. */
    serveFile(host, path, response) {
        this.files.set(`${lower(host)} ${path}`, response);
    }
    removeFile(host, path) {
        this.files.delete(`${lower(host)} ${path}`);
    }
    async close() {
        this.httpServer.closeAllConnections();
        await new Promise((resolve) => this.httpServer.close(() => resolve()));
        await this.resolver.close();
        for (const parent of this.parents)
            await parent.close();
    }
    // --- the resolver -------------------------------------------------------------------------
    resolve(question) {
        const name = lower(question.name);
        for (const [zone, how] of this.broken) {
            if (under(name, zone))
                return how === "silent" ? null : { rcode: RCODE.SERVFAIL };
        }
        const answers = [];
        let current = name;
        for (let hops = 0; hops < 8; hops++) {
            const records = this.lookup(current);
            if (!records)
                return answers.length ? { answers } : { rcode: RCODE.NXDOMAIN };
            const wanted = records.get(question.type);
            if (wanted?.length) {
                answers.push(...wanted.map((data) => toAnswer(current, question.type, data)));
                return { answers };
            }
            const cname = records.get("CNAME")?.[0];
            if (!cname || question.type === "CNAME")
                return { answers };
            answers.push(toAnswer(current, "CNAME", cname));
            current = lower(cname);
        }
        return { rcode: RCODE.SERVFAIL };
    }
    /** Records at a name; an empty map when only names below it exist (NODATA, not NXDOMAIN). */
    lookup(name) {
        const exact = this.records.get(name);
        if (exact)
            return exact;
        for (const key of this.records.keys())
            if (key.endsWith(`.${name}`))
                return new Map();
        return this.records.get(`*.${parentOf(name)}`) ?? null;
    }
    // --- the parent (top-level) zones' authoritative servers ---------------------------------
    answerAsParent(question) {
        if (this.brokenParents === "silent")
            return null;
        if (this.brokenParents === "servfail")
            return { rcode: RCODE.SERVFAIL };
        const name = lower(question.name);
        const zone = this.topZones.filter((z) => under(name, z)).sort((a, b) => b.length - a.length)[0];
        if (!zone)
            return { rcode: RCODE.REFUSED };
        const soa = {
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
    serve(request, response) {
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
function toAnswer(name, type, data) {
    if (type === "MX")
        return { type, name, ttl: 300, data: data };
    if (type === "TXT")
        return { type, name, ttl: 300, data: [data] };
    return { type, name, ttl: 300, data: data };
}
/** Two servers on 127.0.0.2 and 127.0.0.3 sharing one ephemeral port (the app has one parent port). */
async function startParents(handler) {
    for (let attempt = 0;; attempt++) {
        const first = await startDnsServer({ host: "127.0.0.2", handler });
        try {
            const second = await startDnsServer({ host: "127.0.0.3", port: first.port, handler });
            return [first, second];
        }
        catch (error) {
            await first.close();
            if (attempt >= 5)
                throw error;
        }
    }
}
//# sourceMappingURL=internet.js.map