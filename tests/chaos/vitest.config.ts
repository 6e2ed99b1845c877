import { defineProject } from "vitest/config";
import { octoProject } from "../../vitest.shared.ts";

const shared = octoProject("chaos");

// The scenarios spawn servers and several processes each and SIGKILL them on a timer: run one
// file at a time so they do not fight each other for the CPU.
export default defineProject({ ...shared, test: { ...shared.test, fileParallelism: false } });
