import { connect, createServer, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  /** Stops forwarding bytes both ways (a stalled server or a network black hole); new connections hang too. */
  pause(): void;
  /** Forwards again, including what was held back. */
  resume(): void;
  /** Cuts every open connection (a network reset); new ones are still accepted. */
  cut(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on a loopback port in the test process, in front of a real server: lets a test
 * stall or cut the path between mfd and its database without touching the shared server.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let paused = false;
  let held: Array<[Socket, Buffer]> = [];
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    // Bytes that arrive while paused are held back here, not passed on.
    const forward = (from: Socket, to: Socket) => {
      from.on("data", (chunk: Buffer) => {
        if (paused) held.push([to, chunk]);
        else to.write(chunk);
      });
    };
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const [to, chunk] of held) if (!to.destroyed) to.write(chunk);
      held = [];
    },
    cut() {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [client, upstream] of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
