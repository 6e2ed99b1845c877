import { createConnection, createServer, type Socket } from "node:net";

/** A TCP proxy in front of a server, so a test can cut the network between clients and it. */
export interface TcpProxy {
  /** The loopback port clients connect to instead of the target's. */
  readonly port: number;
  /** Connections accepted so far (a reconnecting client shows up as a new one). */
  readonly accepted: number;
  /** Destroys every open connection in both directions, like a network fault. */
  dropAll(): void;
  /** New connections are closed right away until `resume()`: the server looks unreachable. */
  pause(): void;
  resume(): void;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port that forwards every connection to `targetPort`. */
export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let paused = false;
  let accepted = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    if (paused) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = createConnection({ port: targetPort, host: targetHost });
    track(client);
    track(upstream);
    // Either side failing ends the pair, as a real broken connection would.
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
    client.once("close", end);
    upstream.once("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== "object") throw new Error("tcp proxy did not get a port");
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    port: address.port,
    get accepted() {
      return accepted;
    },
    dropAll,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
    },
    async close() {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
