// The V8 flags `elites` starts with (tools/args.ts' eliteNodeFlags) are the same in every place that starts it: the
// executable's first line, `npm run quickstart`, `npm run bench`, and the processes the benchmarks start (which import
// the constant). A Node.js that no longer knows one of them would refuse to start the CLI, so the flags are also given
// to the Node.js running here.
// Runs the compiled dist/: `npm run build` first.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eliteArgs, eliteNodeFlags } from '../../tools/args.js';
import { binPath } from '../helpers/cli.js';
import { repoRoot } from '../helpers/files.js';

describe('the V8 flags elites starts with', () => {
  it('are on the executable’s first line, after env -S', () => {
    const firstLine = readFileSync(binPath, 'utf8').split('\n', 1)[0];
    expect(firstLine).toBe(`#!/usr/bin/env -S node ${eliteNodeFlags.join(' ')}`);
  });

  it('are passed by npm run quickstart and npm run bench (whose worker rows run searches in its own process)', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.quickstart).toContain(`node ${eliteNodeFlags.join(' ')} dist/cli/bin.js run`);
    expect(pkg.scripts.bench).toContain(`node ${eliteNodeFlags.join(' ')} dist/bench/run.js`);
  });

  it('are accepted by this Node.js, and the CLI starts with them', () => {
    const r = spawnSync(process.execPath, eliteArgs(['--help']), { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('elites run <config>');
  });
});
