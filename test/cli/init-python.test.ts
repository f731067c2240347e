// `elites init --python`: a starter config and a Python evaluator that run as they are with the system python3 and
// nothing from pip — the real bin (dist/: `npm run build` first), run from another directory than the config's.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonHelperDir } from '../../evaluators/process/index.js';
import { spawnCli } from '../helpers/cli.js';
import { repoRoot, useRunFiles } from '../helpers/files.js';

describe('elites init --python', () => {
  it('writes elites.yaml and my_evaluator.py, which run as they are', async () => {
    expect(existsSync(join(repoRoot, 'dist/cli/bin.js')), 'run `npm run build` first').toBe(true);
    const dir = useRunFiles();
    const init = await spawnCli(['init', '--python', 'starter'], dir).done;
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/wrote starter\/elites\.yaml and starter\/my_evaluator\.py/);
    expect(readFileSync(join(dir, 'starter/elites.yaml'), 'utf8')).toMatch(/argv: \[python3, my_evaluator\.py\]/);
    const run = await spawnCli(['run', 'starter/elites.yaml', '--out', 'run', '--evaluations', '300', '--json'], dir)
      .done;
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { status: string; proposals: number; failures: number };
    expect(summary).toMatchObject({ status: 'done', proposals: 300, failures: 0 });
    expect((await spawnCli(['init', '--python', 'starter'], dir).done).code).toBe(2); // refuses to overwrite
  });

  it('the helper needs only the standard library: it imports with no site-packages and loads no numpy', () => {
    const probe = spawnSync(
      'python3',
      ['-S', '-c', 'import sys, elites_worker; print("numpy" in sys.modules, elites_worker.PROTOCOL)'],
      { env: { ...process.env, PYTHONPATH: pythonHelperDir }, encoding: 'utf8' },
    );
    expect(probe.stderr).toBe('');
    expect(probe.stdout.trim()).toBe('False 1');
  });
});
