#!/usr/bin/env node
// The `elites` executable: real process streams and signals around main().
import { main } from './main.js';

const stop = new AbortController();
process.on('SIGINT', () => {
  if (stop.signal.aborted) process.exit(130); // a second Ctrl-C does not wait for the checkpoint
  process.stderr.write('\nstopping: checkpointing (Ctrl-C again to quit at once)…\n');
  stop.abort();
});
process.on('SIGTERM', () => stop.abort());

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, isTTY: Boolean(process.stderr.isTTY), stop: stop.signal });
