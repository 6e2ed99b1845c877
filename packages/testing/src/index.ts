export { type NodeProcess, type NodeProcessOptions, startNodeProcess } from "./child-process";
export { PrometheusScrape } from "./prometheus-scrape";
export { type RecordedLine, type RecordingLogger, recordingLogger } from "./recording-logger";
export { type RedisClusterOptions, startRedisCluster, type TestRedisCluster } from "./redis-cluster";
export {
  freePort,
  hasRedisServerBinary,
  type ReapOptions,
  type RedisServerOptions,
  RedisServerProcess,
  reapOrphanedServers,
} from "./redis-server";
export { redactUrl, type StartRedisOptions, startRedis, type TestRedis } from "./start-redis";
export { startTcpProxy, type TcpProxy } from "./tcp-proxy";
export { sleep, waitUntil } from "./wait-until";
