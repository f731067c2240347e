// The README's worked example, end to end: its YAML config (read from evaluators/command/README.md) tunes the C GEMM
// fixture through runSearch with real gcc, inline (workers: 0), for a handful of proposals.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseRunConfig } from '../../search/config.js';
import { exportRun } from '../../report/inspect.js';
import { runSearch } from '../../search/run.js';
import { repoRoot, useRunFiles } from '../helpers/files.js';

const hasGcc = spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0;

/** The first ```yaml block after the "Worked example" heading of the README. */
function workedExample(): Record<string, unknown> {
  const readme = readFileSync(join(repoRoot, 'evaluators/command/README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Worked example'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('no yaml block in the worked example');
  return parse(block[1]!) as Record<string, unknown>;
}

type Event = {
  ok: boolean;
  source?: string;
  fitness?: number;
  footprintKiB?: number;
  maxError?: number;
  kernelSeconds?: number;
  text?: string;
};

describe('command evaluator: the C GEMM worked example', () => {
  it.skipIf(!hasGcc)(
    'compiles and measures block sizes through runSearch; results in the run log, one build per configuration',
    async () => {
      const dir = useRunFiles();
      const raw = workedExample();
      const evaluator = raw.evaluator as { options: { build: { cwd?: string }; workDir?: string } };
      // The README config runs from the repository root; the test pins that and keeps its files in a temp directory.
      evaluator.options.build.cwd = repoRoot;
      evaluator.options.workDir = join(dir, 'command');
      const config = parseRunConfig(
        { ...raw, cache: { ...(raw.cache as object), path: join(dir, 'cache.mdb') }, log: { genomes: 'all' } },
        dir,
        { workers: 0, evaluations: 5 },
      );
      expect(config.evaluator.type).toBe('command');

      const summary = await runSearch(config, { out: join(dir, 'run') });
      expect(summary.status).toBe('done');
      expect(summary.failures).toBe(0);

      const events = JSON.parse(await exportRun(join(dir, 'run'), { format: 'json', all: true })) as Event[];
      const evaluated = events.filter((e) => e.ok && e.source === 'evaluated');
      expect(evaluated.length).toBeGreaterThan(0);
      for (const e of evaluated) {
        expect(e.fitness).toBeGreaterThan(0); // GFLOP/s
        expect(e.maxError).toBe(0);
        expect(e.kernelSeconds).toBeGreaterThan(0);
        const [MC = NaN, KC = NaN, NC = NaN] = ['MC', 'KC', 'NC'].map((p) =>
          Number(new RegExp(`\\b${p}=(\\d+)`).exec(e.text ?? '')?.[1]),
        );
        expect(e.text).toMatch(/^MC=\d+, KC=\d+, NC=\d+, opt=-O[23]$/);
        expect(e.footprintKiB).toBe(((MC * KC + KC * NC + MC * NC) * 8) / 1024);
      }
      const builds = readdirSync(join(dir, 'command/builds'));
      const configurations = new Set(
        events.filter((e) => e.ok && (e.source === 'evaluated' || e.source === 'fingerprint')).map((e) => e.text),
      ); // a key-cache hit builds nothing
      expect(builds.length).toBe(configurations.size);
      for (const b of builds) expect(existsSync(join(dir, 'command/builds', b, 'gemm'))).toBe(true);
    },
    120_000,
  );
});
