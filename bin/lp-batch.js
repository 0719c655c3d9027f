#!/usr/bin/env node
// The installed command: run the built CLI and hand its exit code to Node.
import { main } from '../dist/cli/index.js';

process.exitCode = await main(process.argv.slice(2), {
  env: process.env,
  stdin: () => process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
});
