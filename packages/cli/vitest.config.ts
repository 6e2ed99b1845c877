import { defineProject } from "vitest/config";
import { octoProject } from "../../vitest.shared.ts";

export default defineProject(octoProject("cli"));
