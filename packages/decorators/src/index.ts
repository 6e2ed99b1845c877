export * from "./decorators";
export * from "./errors";
export { REGISTRY_FORMAT } from "./registry";
export type {
  CatchUpConfig,
  CronGroup,
  JobConfig,
  JobDefinition,
  ResolvedCatchUp,
  ResolvedJobConfig,
} from "./types";
export { DEFAULT_JOB_CONFIG, resolveJobConfig, validateSchedule } from "./validate";
