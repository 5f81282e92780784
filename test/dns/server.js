import dgram from "node:dgram";
import net from "node:net";
import * as packet from "dns-packet";
export const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 };
/**
 * A small DNS server on a real socket (UDP and TCP on the same port) that answers through
 * `handler`. Answers that do not fit 512 bytes over UDP are sent truncated (TC), so clients
 * exercise their TCP fallback as they would against a real server.
 */
export async function startDnsServer(options) {
    // An ephemeral UDP port may be taken for TCP by someone else: try another one.
    for (let attempt = 0;; attempt++) {
        try {
            return await listen(options);
        }
        catch (error) {
            if (options.port !== undefined || attempt >= 5)
                throw error;
        }
    }
}
async function listen(options) {
    const { host, handler } = options;
    const queries = [];
    // A large receive buffer: tests send hundreds of queries in one burst, which the default
    // (about 200 small datagrams) would drop, turning into timeouts nobody asked for.
    const udp = dgram.createSocket({
        type: net.isIPv6(host) ? "udp6" : "udp4",
        recvBufferSize: 4 * 1024 * 1024,
    });
    const tcp = net.createServer();
    const respond = (message, transport) => {
        let query;
        try {
            query = packet.decode(message);
        }
        catch {
            return null;
        }
        const question = query.questions?.[0];
        if (!question)
            return null;
        queries.push({
            name: question.name.toLowerCase(),
            type: question.type,
            recursionDesired: query.flag_rd,
            transport,
        });
        const answer = handler(question, query);
        if (answer === null)
            return null;
        const flags = (query.flag_rd ? packet.RECURSION_DESIRED : 0) |
            (answer.authoritative ? packet.AUTHORITATIVE_ANSWER : 0) |
            (answer.rcode ?? RCODE.NOERROR);
        const full = {
            type: "response",
            id: query.id,
            flags,
            questions: [question],
            answers: answer.answers ?? [],
            authorities: answer.authorities ?? [],
            additionals: answer.additionals ?? [],
        };
        const encoded = packet.encode(full);
        if (transport === "udp" && encoded.length > 512) {
            return packet.encode({
                type: "response",
                id: query.id,
                flags: flags | packet.TRUNCATED_RESPONSE,
                questions: [question],
            });
        }
        return encoded;
    };
    udp.on("message", (message, remote) => {
        const response = respond(message, "udp");
        if (response)
            udp.send(response, remote.port, remote.address);
    });
    tcp.on("connection", (socket) => {
        let buffered = Buffer.alloc(0);
        socket.on("error", () => socket.destroy());
        socket.on("data", (chunk) => {
            buffered = Buffer.concat([buffered, chunk]);
            while (buffered.length >= 2) {
                const length = buffered.readUInt16BE(0);
                if (buffered.length < 2 + length)
                    return;
                const message = buffered.subarray(2, 2 + length);
                buffered = buffered.subarray(2 + length);
                const response = respond(message, "tcp");
                if (!response)
                    continue;
                const prefix = Buffer.alloc(2);
                prefix.writeUInt16BE(response.length);
                socket.write(Buffer.concat([prefix, response]));
            }
        });
    });
    // UDP first (it picks the ephemeral port), then TCP on the same number.
    await new Promise((resolve, reject) => {
        udp.once("error", reject);
        udp.bind(options.port ?? 0, host, () => resolve());
    });
    const port = udp.address().port;
    try {
        await new Promise((resolve, reject) => {
            tcp.once("error", reject);
            tcp.listen(port, host, () => resolve());
        });
    }
    catch (error) {
        udp.close();
        throw error;
    }
    return {
        host,
        port,
        queries,
        close: async () => {
            await new Promise((resolve) => udp.close(() => resolve()));
            await new Promise((resolve) => tcp.close(() => resolve()));
        },
    };
}
//# sourceMappingURL=server.js.map