export { type NodeProcess, type NodeProcessOptions, startNodeProcess } from "./child-process";
export {
  freePort,
  hasRedisServerBinary,
  type RedisServerOptions,
  RedisServerProcess,
} from "./redis-server";
export { redactUrl, type StartRedisOptions, startRedis, type TestRedis } from "./start-redis";
