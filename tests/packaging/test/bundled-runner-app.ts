/**
 * A tiny runner service as a user writes it, for bundling with esbuild: one job whose class gets a
 * dependency by constructor injection. esbuild emits no decorator metadata, so the parameter
 * names its token with `@inject`, as the runner README says.
 */
export const BUNDLED_APP_SOURCE = `import "reflect-metadata";
import { Container, inject, injectable } from "inversify";
import { Redis } from "ioredis";
import { cron, job, JobRunner, silentLogger } from "@octo/runner";

@injectable()
class Greeter {
  greet(): string {
    return "hello from the bundle";
  }
}

@cron("bundle")
class BundleJobs {
  constructor(@inject(Greeter) private readonly greeter: Greeter) {}

  @job("hello", "0 0 * * *")
  async hello(): Promise<void> {
    console.log(this.greeter.greet());
  }
}

async function main(): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const container = new Container();
  container.bind(Greeter).toSelf();
  const runner = new JobRunner(container);
  await runner.start(redis, silentLogger);
  const result = await runner.run("bundle.hello");
  console.log(result.outcome);
  await runner.stop();
  await redis.quit();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
`;

/** The compiler options a runner README asks for; esbuild reads the decorator settings from here. */
export const USER_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    skipLibCheck: true,
  },
};
