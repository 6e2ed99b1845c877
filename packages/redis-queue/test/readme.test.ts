import { readFileSync } from "node:fs";
import { startNodeProcess } from "@octo/testing";
import { expect, it } from "vitest";
import { useRedis } from "./support";

const env = useRedis();
const fixture = new URL("./fixtures/readme-standalone.ts", import.meta.url).pathname;

it("runs the README's standalone example to its end, as printed in the README", async () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  expect(readme).toContain(`\`\`\`ts run\n${readFileSync(fixture, "utf8")}\`\`\``);
  const example = startNodeProcess(fixture, { env: { REDIS_URL: env.server.url } });
  expect(await example.exited).toBe(0);
  const output = example.output();
  expect(output).toContain("{ added: 1, skipped: 0 }\n{ added: 0, skipped: 1 }");
  for (const id of ["A-1", "B-1", "C-1"]) expect(output).toMatch(new RegExp(`order ${id} \\(attempt 1\\)`));
  expect(output).toMatch(/dead: B-2 after 2 attempts: Error: order B-2 has a negative total/);
  expect(output).toContain("removed 1");
  expect(await env.redis.hlen("octo:q:{readme-orders}:dead")).toBe(0);
});
