import type { AddressInfo } from "node:net";
import { createDashboard } from "@octo/dashboard";
import type { JobRunner } from "@octo/runner";
import { startRedis, type TestRedis } from "@octo/testing";
import express from "express";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadLetters, startRunner } from "./fixtures";
import { openPage } from "./support";

let redis: TestRedis;
let runner: JobRunner;

beforeAll(async () => {
  redis = await startRedis();
  runner = await startRunner(redis, "mount-1");
});
afterAll(async () => {
  await runner?.stop();
  await redis?.stop();
});

/** The page, another route of the app, and a form post that requeues, as a browser does them. */
async function exercise(base: string, queue: string): Promise<void> {
  await deadLetters(redis.client(), queue, 2);
  const page = await openPage(`${base}/dashboard/queues/${queue}`);
  expect(page.html).toContain(`data-queue="${queue}"`);
  expect(await (await fetch(`${base}/dashboard/api/jobs`)).json()).toMatchObject({
    jobs: expect.arrayContaining([expect.objectContaining({ job: "billing.invoice" })]),
  });
  const other = await fetch(`${base}/elsewhere`);
  expect(await other.text()).toBe("the app's own route");
  const res = await fetch(`${base}/dashboard/api/queues/${queue}/requeue`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: page.cookie, "content-type": "application/x-www-form-urlencoded", origin: base },
    body: new URLSearchParams({ _csrf: page.token }).toString(),
  });
  expect(res.status).toBe(303);
  expect(await redis.client().llen(`octo:q:{${queue}}:pending`)).toBe(2);
}

describe("mounting", () => {
  it("works as Express middleware, also behind Express's body parsers", async () => {
    const app = express();
    app.use(express.json(), express.urlencoded({ extended: false }));
    app.use(
      createDashboard({
        redis: redis.client(),
        basePath: "/dashboard",
        readOnly: false,
        authorize: () => true,
      }),
    );
    app.get("/elsewhere", (_req, res) => {
      res.send("the app's own route");
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      await exercise(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, "express-queue");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("works in Fastify through request.raw and reply.raw", async () => {
    const dashboard = createDashboard({
      redis: redis.client(),
      basePath: "/dashboard",
      readOnly: false,
      authorize: () => true,
    });
    const app = Fastify();
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser("*", (_request, _payload, done) => done(null));
      const handle = (request: FastifyRequest, reply: FastifyReply) => {
        reply.hijack();
        dashboard(request.raw, reply.raw);
      };
      scope.all("/dashboard", handle);
      scope.all("/dashboard/*", handle);
    });
    app.get("/elsewhere", async () => "the app's own route");
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    try {
      await exercise(address, "fastify-queue");
    } finally {
      await app.close();
    }
  });
});
