export * from "./decorators";
export * from "./errors";
