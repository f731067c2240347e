#!/usr/bin/env -S node --max-semi-space-size=32
// The `elites` executable. The V8 flag on the first line is tools/args.ts' `eliteNodeFlags` (why it is there: see that
// constant; a test keeps the two the same). It starts the CLI from the one-file bundle `npm run build` writes
// (cli-entry.ts says when, and why).
import { cliEntry } from './cli-entry.js';

const { startCli } = (await import(cliEntry())) as typeof import('./start.js');
await startCli();
