import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startRedis, startTcpProxy, type TcpProxy, type TestRedis } from "../src";

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
