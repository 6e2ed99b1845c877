export * from "./decorators";
export * from "./errors";
export { REGISTRY_FORMAT } from "./registry";
export type { CronGroup, JobConfig, JobDefinition, ResolvedJobConfig } from "./types";
export { DEFAULT_JOB_CONFIG, resolveJobConfig, validateSchedule } from "./validate";
