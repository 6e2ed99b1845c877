export { childLogger, type LogFn, type LoggerLike, silentLogger } from "./logger-like";
