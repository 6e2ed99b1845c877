import { DEFAULT_REDACT_KEYS, Logger } from "@octo/logger";
import { describe, expect, it } from "vitest";
import { captureLines, type ErrorInLine } from "./capture-lines";

const SECRET = "hunter2-s3cr3t";

function setup(options: { redact?: string[]; pretty?: boolean } = {}) {
  const out = captureLines();
  return { out, logger: new Logger({ name: "jobs", destination: out.destination, ...options }) };
}

describe("redaction by key", () => {
  // Every default key, read from the export, so a key added there is tested without a second list.
  it.each([...DEFAULT_REDACT_KEYS])("censors %s at the top level and one level deep", (key) => {
    const { out, logger } = setup();

    logger.info({ [key]: SECRET, user: { [key]: SECRET, id: 1 } }, "login");

    expect(out.only()).toMatchObject({ [key]: "[Redacted]", user: { [key]: "[Redacted]", id: 1 } });
    expect(out.raw()).not.toContain(SECRET);
  });

  it("censors header-style keys such as x-api-key", () => {
    const { out, logger } = setup();

    logger.info({ headers: { "x-api-key": SECRET, Authorization: `Bearer ${SECRET}`, accept: "json" } });

    expect(out.only()).toMatchObject({
      headers: { "x-api-key": "[Redacted]", Authorization: "[Redacted]", accept: "json" },
    });
  });

  it("censors secret keys in child bindings", () => {
    const { out, logger } = setup();

    logger.child({ token: SECRET, job: "a" }).info("bound");

    expect(out.only()).toMatchObject({ token: "[Redacted]", job: "a" });
    expect(out.raw()).not.toContain(SECRET);
  });

  it("censors the extra paths given in redact, on top of the defaults", () => {
    const { out, logger } = setup({ redact: ["customer.email", "card.*"] });

    logger.info({ customer: { email: "a@b.c", id: 1 }, card: { number: "4111" }, password: SECRET });

    expect(out.only()).toMatchObject({
      customer: { email: "[Redacted]", id: 1 },
      card: { number: "[Redacted]" },
      password: "[Redacted]",
    });
  });

  it("exports the default keys so a README reader can see them", () => {
    expect(DEFAULT_REDACT_KEYS).toEqual(
      expect.arrayContaining(["password", "token", "secret", "authorization", "apiKey"]),
    );
  });

  it("censors every default key in one line, none left readable", () => {
    const { out, logger } = setup();
    const secrets = Object.fromEntries(DEFAULT_REDACT_KEYS.map((key, i) => [key, `${SECRET}-${i}`]));

    logger.info({ ...secrets, nested: { ...secrets } }, "all keys");

    const line = out.only();
    const censored = Object.fromEntries(DEFAULT_REDACT_KEYS.map((key) => [key, "[Redacted]"]));
    expect(line).toMatchObject({ ...censored, nested: censored });
    expect(out.raw()).not.toContain(SECRET);
  });
});

describe("redaction of passwords in URLs", () => {
  it("masks a redis:// password in the message", () => {
    const { out, logger } = setup();

    logger.info(`connecting to redis://app:${SECRET}@cache.internal:6379/0`);

    expect(out.only().msg).toBe("connecting to redis://app:***@cache.internal:6379/0");
    expect(out.raw()).not.toContain(SECRET);
  });

  it("masks a rediss:// password with an empty user", () => {
    const { out, logger } = setup();

    logger.info({ url: `rediss://:${SECRET}@cache.internal:6380` });

    expect(out.only().url).toBe("rediss://:***@cache.internal:6380");
  });

  it("masks the password of any scheme, also when it contains an @", () => {
    const { out, logger } = setup();

    logger.info({ db: `postgres://app:${SECRET}@x@db:5432/app`, amqp: `amqp://u:${SECRET}@mq` });

    expect(out.only()).toMatchObject({ db: "postgres://app:***@db:5432/app", amqp: "amqp://u:***@mq" });
    expect(out.raw()).not.toContain(SECRET);
  });

  it("masks passwords in nested string fields, arrays and interpolated arguments", () => {
    const { out, logger } = setup();

    logger.info(
      { config: { redis: { nodes: [`redis://u:${SECRET}@a:7000`, `redis://u:${SECRET}@b:7001`] } } },
      "using %s",
      `redis://u:${SECRET}@c:7002`,
    );

    expect(out.only()).toMatchObject({
      msg: "using redis://u:***@c:7002",
      config: { redis: { nodes: ["redis://u:***@a:7000", "redis://u:***@b:7001"] } },
    });
    expect(out.raw()).not.toContain(SECRET);
  });

  it("masks passwords in error messages, stacks and causes", () => {
    const { out, logger } = setup();
    const cause = new Error(`connect ECONNREFUSED redis://default:${SECRET}@10.0.0.5:6379`);

    logger.error("Query failed", new Error(`could not reach rediss://:${SECRET}@cache`, { cause }));

    const err = out.only().err as ErrorInLine;
    expect(err.message).toBe("could not reach rediss://:***@cache");
    expect(err.stack).toContain("could not reach rediss://:***@cache");
    expect(err.cause?.message).toBe("connect ECONNREFUSED redis://default:***@10.0.0.5:6379");
    expect(out.raw()).not.toContain(SECRET);
  });

  it("masks passwords in child bindings", () => {
    const { out, logger } = setup();

    logger.child({ redis: `redis://u:${SECRET}@h` }).info("ready");

    expect(out.only().redis).toBe("redis://u:***@h");
  });

  it("masks passwords in pretty output too", () => {
    const { out, logger } = setup({ pretty: true });

    logger.error(`lost redis://u:${SECRET}@h`, new Error(`at redis://u:${SECRET}@h`));

    expect(out.raw()).toContain("redis://u:***@h");
    expect(out.raw()).not.toContain(SECRET);
  });

  it("leaves URLs without a password and ordinary text alone", () => {
    const { out, logger } = setup();
    const text = "see http://localhost:3000/x, mail ops@example.com, redis://cache:6379 and ssh://git@host";

    logger.info(text);

    expect(out.only().msg).toBe(text);
  });
});
