#!/usr/bin/env node
import { runCli } from "./cli";

// The exit code is set, not forced: the process ends once its output is flushed.
runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
