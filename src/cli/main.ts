#!/usr/bin/env node
import { runCli } from './program';

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => { process.exitCode = code; }, (error) => {
  process.stderr.write(`memguard: ${String(error)}\n`);
  process.exitCode = 1;
});
