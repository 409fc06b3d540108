#!/usr/bin/env node
/** Entry point of the `tensorpool` command (bin/tensorpool.js runs the compiled form). */
import { runCli } from './run-cli.js';

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// Everything the command opened is closed by now, so Node exits on its own; should a stray
// handle keep the loop alive, do not hang the caller (unref'd: never delays a clean exit).
setTimeout(() => process.exit(code), 2000).unref();
