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
  /**
   * Loses the reply to the next request whose raw bytes (RESP, as text; ioredis writes command
   * names in lower case, `evalsha` with the script SHA) `matches` accepts: the
   * request is forwarded and reaches the server, then the connection is destroyed when the
   * server answers, before the answer reaches the client. This is the lost reply a network blip
   * causes; ioredis reconnects and, by default, sends the command again. Resolves with the
   * request's text once the cut happened.
   */
  loseNextReply(matches: (request: string) => boolean): Promise<string>;
  /**
   * From the next request whose raw bytes `matches` accepts (as in `loseNextReply`), stops
   * forwarding what that connection's client sends: the request and everything after it never
   * reach the server, while the connection stays open and the server's replies and pushed
   * messages still reach the client. A server that hangs for one connection, e.g. on its QUIT;
   * the client closing the connection ends it as usual. Resolves with the request's text once it
   * came.
   */
  stallRequestsFrom(matches: (request: string) => boolean): Promise<string>;
  /**
   * Stops forwarding bytes in both directions without closing anything, as a stalled TCP path
   * does: clients see no error, only silence, until `unstall()`.
   */
  stall(): void;
  unstall(): void;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

interface ReplyCut {
  matches: (request: string) => boolean;
  done: (request: string) => void;
}

interface RequestStall {
  matches: (request: string) => boolean;
  done: (request: string) => void;
}

/** Starts a proxy on a free loopback port that forwards every connection to `targetPort`. */
export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const cuts: ReplyCut[] = [];
  const requestStalls: RequestStall[] = [];
  let paused = false;
  let stalled = false;
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
    const pair = { client, upstream };
    pairs.add(pair);
    track(client);
    track(upstream);
    // Either side failing ends the pair, as a real broken connection would.
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
    client.once("close", end);
    upstream.once("close", end);
    if (stalled) {
      client.pause();
      upstream.pause();
    }
    // Set when a request this connection forwarded must lose its reply.
    let armed: { request: string; cut: ReplyCut } | undefined;
    // Set once this connection's requests are no longer forwarded.
    let requestsStalled = false;
    client.on("data", (chunk: Buffer) => {
      if (requestsStalled) return;
      const request = chunk.toString("latin1");
      const stallAt = requestStalls.findIndex((stall) => stall.matches(request));
      if (stallAt >= 0) {
        const [stall] = requestStalls.splice(stallAt, 1);
        requestsStalled = true;
        stall?.done(request);
        return;
      }
      const index = armed ? -1 : cuts.findIndex((cut) => cut.matches(request));
      if (index >= 0) {
        const [cut] = cuts.splice(index, 1);
        if (cut) armed = { request, cut };
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (armed) {
        const { request, cut } = armed;
        armed = undefined;
        end();
        cut.done(request);
        return;
      }
      client.write(chunk);
    });
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
    pairs.clear();
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
    loseNextReply(matches) {
      return new Promise<string>((done) => cuts.push({ matches, done }));
    },
    stallRequestsFrom(matches) {
      return new Promise<string>((done) => requestStalls.push({ matches, done }));
    },
    stall() {
      stalled = true;
      for (const { client, upstream } of pairs) {
        client.pause();
        upstream.pause();
      }
    },
    unstall() {
      stalled = false;
      for (const { client, upstream } of pairs) {
        client.resume();
        upstream.resume();
      }
    },
    async close() {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
