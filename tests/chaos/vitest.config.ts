import { defineProject } from "vitest/config";
import { octoProject } from "../../vitest.shared.ts";

// The scenarios spawn servers and several processes each and SIGKILL them on a timer: as a timed
// project (vitest.shared.ts) they run one file at a time, after the untimed projects.
export default defineProject(octoProject("chaos"));
