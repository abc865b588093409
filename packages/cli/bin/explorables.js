#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so the command works straight from a clone
// without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
