export { childLogger, type LogFn, type LoggerLike, silentLogger } from "@octo/internal";
export { InvalidLoggerOptionError, MissingPrettyPrinterError } from "./errors";
export { Logger } from "./logger";
export {
  DEFAULT_REDACT_KEYS,
  LOG_LEVELS,
  type LogDestination,
  type LoggerOptions,
  type LogLevel,
} from "./options";
export { scrubUrlPasswords } from "./scrub-url-passwords";
export { type SerializedError, serializeError } from "./serialize-error";
