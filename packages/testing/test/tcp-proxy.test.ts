import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startRedis, startTcpProxy, type TcpProxy, type TestRedis, waitUntil } from "../src";

let redis: TestRedis;
let proxy: TcpProxy;
beforeAll(async () => {
  redis = await startRedis();
  proxy = await startTcpProxy(redis.port);
});
afterAll(async () => {
  await proxy.close();
  await redis.stop();
});

it("loseNextReply lets the request reach Redis, loses its reply, and ioredis sends it again", async () => {
  const client = new Redis({ port: proxy.port, db: redis.db, lazyConnect: true });
  await client.connect();
  try {
    const cut = proxy.loseNextReply((request) => /incr/i.test(request) && request.includes("counted"));
    const reply = await client.incr("counted");
    expect(await cut).toContain("counted");
    // The first INCR ran, its reply was lost, and the re-sent one ran again.
    expect(reply).toBe(2);
    expect(proxy.accepted).toBe(2);
  } finally {
    client.disconnect();
  }
});

it("stall holds requests without an error until unstall", async () => {
  const client = new Redis({ port: proxy.port, db: redis.db, lazyConnect: true });
  await client.connect();
  try {
    proxy.stall();
    let answered = false;
    const pending = client.set("stalled", "1").then(() => {
      answered = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);
    proxy.unstall();
    await pending;
    expect(await client.get("stalled")).toBe("1");
  } finally {
    client.disconnect();
  }
});

it("stallRequestsFrom keeps one connection's requests from Redis while its pushed messages still arrive", async () => {
  const subscriber = new Redis({ port: proxy.port, db: redis.db, lazyConnect: true });
  const publisher = redis.client();
  await subscriber.connect();
  try {
    const messages: string[] = [];
    subscriber.on("message", (_channel: string, message: string) => messages.push(message));
    await subscriber.subscribe("held-channel");
    const held = proxy.stallRequestsFrom((request) => request.includes("other-channel"));
    // Never answered; rejected when the connection closes.
    void subscriber.subscribe("other-channel").catch(() => undefined);
    expect(await held).toContain("other-channel");
    // Redis never got the second SUBSCRIBE, yet what it pushes on the connection gets through.
    expect(await publisher.publish("other-channel", "lost")).toBe(0);
    expect(await publisher.publish("held-channel", "pushed")).toBe(1);
    await waitUntil("the pushed message to arrive", () => messages.includes("pushed"), 5_000);
    expect(messages).toEqual(["pushed"]);
  } finally {
    subscriber.disconnect();
  }
});
