import { execFile } from "node:child_process";
import dgram from "node:dgram";
import net from "node:net";
import * as packet from "dns-packet";

/** A decoded answer; dns-packet's types leave out the rcode it decodes. */
export type Decoded = packet.DecodedPacket & { rcode: string };

export const decodeAnswer = (raw: Buffer): Decoded => packet.decode(raw) as Decoded;

/** A query as dns-packet writes it; the tests change what they need. */
export const queryPacket = (
  name: string,
  type: string,
  options: { id?: number; udpSize?: number; ednsVersion?: number; flags?: number } = {},
): Buffer =>
  packet.encode({
    type: "query",
    id: options.id ?? 4242,
    flags: options.flags ?? packet.RECURSION_DESIRED,
    questions: [{ name, type: type as packet.RecordType, class: "IN" }],
    additionals:
      options.udpSize === undefined
        ? []
        : [
            {
              type: "OPT",
              name: ".",
              udpPayloadSize: options.udpSize,
              ednsVersion: options.ednsVersion ?? 0,
            } as unknown as packet.Answer,
          ],
  });

/** Sends one datagram and waits for one answer; null when none comes within `timeoutMs`. */
export function sendUdp(port: number, message: Buffer, timeoutMs = 5000): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket("udp4");
    const timer = setTimeout(() => {
      socket.close();
      resolve(null);
    }, timeoutMs);
    socket.once("message", (answer) => {
      clearTimeout(timer);
      socket.close();
      resolve(answer);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.send(message, port, "127.0.0.1");
  });
}

/**
 * Sends the messages in order from one socket and returns the first answer that comes back:
 * a server that answers in order and stays silent to the first ones answers the last one first.
 */
export function firstUdpAnswer(port: number, messages: Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket("udp4");
    socket.once("message", (answer) => {
      socket.close();
      resolve(answer);
    });
    socket.once("error", (error) => {
      socket.close();
      reject(error);
    });
    for (const message of messages) socket.send(message, port, "127.0.0.1");
  });
}

export async function udpQuery(
  port: number,
  name: string,
  type: string,
  options: Parameters<typeof queryPacket>[2] = {},
): Promise<{ raw: Buffer; answer: Decoded }> {
  const raw = await sendUdp(port, queryPacket(name, type, options));
  if (!raw) throw new Error(`no answer to ${name} ${type}`);
  return { raw, answer: decodeAnswer(raw) };
}

/** One TCP connection that sends length-framed messages and collects the answers in order. */
export class TcpClient {
  private buffered = Buffer.alloc(0);
  private readonly answers: Buffer[] = [];
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 2) {
        const length = this.buffered.readUInt16BE(0);
        if (this.buffered.length < 2 + length) break;
        this.answers.push(this.buffered.subarray(2, 2 + length));
        this.buffered = this.buffered.subarray(2 + length);
      }
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  static connect(port: number): Promise<TcpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: "127.0.0.1" }, () => resolve(new TcpClient(socket)));
      socket.once("error", reject);
    });
  }

  send(message: Buffer) {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(message.length);
    this.socket.write(Buffer.concat([length, message]));
  }

  /** The next `count` answers, in the order they came. */
  async receive(count: number): Promise<Decoded[]> {
    while (this.answers.length < count) {
      if (this.closed) throw new Error(`connection closed after ${this.answers.length} of ${count} answers`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.answers.splice(0, count).map(decodeAnswer);
  }

  /** Resolves when the server closes the connection. */
  async closedByServer(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  close() {
    this.socket.destroy();
  }
}

/** Runs Debian's dig against the server and returns its output. */
export function dig(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("dig", ["@127.0.0.1", "-p", String(port), "+tries=1", "+time=5", ...args], (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
}
