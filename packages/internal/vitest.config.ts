import { defineProject } from "vitest/config";
import { scheduling } from "../../vitest.shared.ts";

export default defineProject({
  test: { name: "internal", include: ["test/**/*.test.ts"], ...scheduling("internal") },
});
