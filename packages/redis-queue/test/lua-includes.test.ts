import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expandLuaIncludes } from "../build/lua-includes";

const files: Record<string, string> = {
  "/s/main.lua": "-- main\n--@include inc/a.lua\n--@include inc/b.lua\nreturn a() + b()\n",
  "/s/inc/a.lua": "--@include b.lua\nlocal function a() return 1 end\n",
  "/s/inc/b.lua": "local function b() return 2 end\n",
};
const read = (path: string) => {
  const text = files[path];
  if (text === undefined) throw new Error(`no file ${path}`);
  return text;
};

describe("Lua includes", () => {
  it("expands each include once, in place, relative to the including file", () => {
    expect(expandLuaIncludes("/s/main.lua", read)).toBe(
      "-- main\nlocal function b() return 2 end\nlocal function a() return 1 end\n\nreturn a() + b()\n",
    );
  });

  it("no worker script copies a shared snippet: each defines only its own code", () => {
    const src = new URL("../src/", import.meta.url).pathname;
    for (const name of readdirSync(src).filter((file) => file.endsWith(".lua"))) {
      const text = readFileSync(`${src}${name}`, "utf8");
      expect(text, name).not.toMatch(
        /local function (server_time_ms|parse_item|lease_state|replay|remember)\b/,
      );
    }
  });
});
