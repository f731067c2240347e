// The report snapshot without a browser: cells = archive, buckets add up, CVT vs grid, bounds; the HTML's escaping; the CLI.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonForScript, reportHtml } from '../../report/html.js';
import { readSnapshot } from '../../report/snapshot.js';
import type { ReportSnapshot } from '../../report/snapshot-types.js';
import { runCli } from '../helpers/cli.js';
import { repoRoot, useRunFiles } from '../helpers/files.js';
import { armCvtConfig, kernelConfig, runConfig } from './helpers.js';

// Two small finished runs shared by the tests of this file (about a second each).
const root = mkdtempSync(join(tmpdir(), 'elites-report-'));
const gridRun = join(root, 'grid');
const cvtRun = join(root, 'cvt');
beforeAll(async () => {
  await runConfig(kernelConfig(root), gridRun);
  await runConfig(armCvtConfig(root, 40), cvtRun);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const outcomes = (s: ReportSnapshot): number =>
  s.timeline.reduce((n, b) => n + b.evaluated + b.keyHits + b.fingerprintHits + b.failures, 0);

describe('report snapshot', () => {
  it('draws one map cell per elite of a grid archive, at the bins its cell index stands for', async () => {
    const s = await readSnapshot(gridRun);
    const summary = JSON.parse(readFileSync(join(gridRun, 'summary.json'), 'utf8')) as {
      archive: { size: number };
      proposals: number;
      failures: number;
    };
    expect(s.map.type).toBe('grid');
    expect(s.map.filled.length).toBe(summary.archive.size);
    expect(s.elitesTotal).toBe(summary.archive.size);
    expect(new Set(s.map.filled.map((c) => c.cell)).size).toBe(s.map.filled.length);
    const [rows, cols] = s.map.dims.map((d) => d.bins!);
    for (const c of s.map.filled) {
      expect(c.pos[0]! * cols! + c.pos[1]!).toBe(c.cell); // row-major, first dim slowest
      expect(c.pos[0]).toBeLessThan(rows!);
    }
    expect(s.status).toBe('done');
    expect(s.seq).toBe(summary.proposals - 1);
  });

  it('buckets every proposal once: outcomes add up to the proposals and match the counters', async () => {
    const s = await readSnapshot(gridRun);
    expect(outcomes(s)).toBe(600);
    const sum = (k: 'evaluated' | 'keyHits' | 'fingerprintHits' | 'failures'): number =>
      s.timeline.reduce((n, b) => n + b[k], 0);
    expect(sum('evaluated')).toBe(s.summary.evaluations);
    expect(sum('keyHits')).toBe(s.summary.keyHits);
    expect(sum('fingerprintHits')).toBe(s.summary.fingerprintHits);
    expect(sum('failures')).toBe(s.summary.failures);
    // The fixture has both cache levels and failures, so every series of the page has something to draw.
    expect(s.summary.keyHits).toBeGreaterThan(0);
    expect(s.summary.fingerprintHits).toBeGreaterThan(0);
    expect(s.summary.failures).toBeGreaterThan(0);
    expect(s.failureKinds.reduce((n, f) => n + f.count, 0)).toBe(s.summary.failures);
    // Buckets are contiguous and ordered.
    s.timeline.forEach((b, i) => expect(b.from).toBe(i === 0 ? 0 : s.timeline[i - 1]!.to + 1));
    expect(s.timeline.at(-1)!.to).toBe(599);
    const bounded = await readSnapshot(gridRun, { maxBuckets: 7 });
    expect(bounded.timeline.length).toBeLessThanOrEqual(7);
    expect(outcomes(bounded)).toBe(600);
  });

  it('has nothing pruned and no learning curves for a run without a pruner or reports', async () => {
    const s = await readSnapshot(gridRun);
    expect(s.summary.pruned).toBe(0);
    expect(s.timeline.every((b) => b.pruned === 0)).toBe(true);
    expect(s.curves).toBeUndefined();
    expect(s.elites.some((e) => e.curve !== undefined)).toBe(false);
  });

  it('lists the elites best first with their describe() text and their metrics, and caps the list', async () => {
    const s = await readSnapshot(gridRun);
    expect(s.elites.length).toBe(s.elitesTotal);
    for (let i = 1; i < s.elites.length; i++)
      expect(s.elites[i - 1]!.fitness).toBeGreaterThanOrEqual(s.elites[i]!.fitness);
    expect(s.elites[0]!.text).toMatch(/^mr=\d+, nr=\d+, kc=\d+, unroll=\d+, pack=(true|false)$/);
    for (const e of s.elites) expect(e.metrics.gflops).toBeCloseTo(e.fitness, 9); // the metrics of the event that made the elite
    expect(s.metricNames).toEqual(['gflops', 'registers']);
    expect(s.summary.best).toBe(s.elites[0]!.fitness);
    const capped = await readSnapshot(gridRun, { maxElites: 5 });
    expect(capped.elites.map((e) => e.id)).toEqual(s.elites.slice(0, 5).map((e) => e.id));
    expect(capped.elitesTotal).toBe(s.elitesTotal);
    expect(capped.map.filled.length).toBe(s.elitesTotal); // the map still shows every cell
  });

  it('ends the history at the archive the log rebuilds', async () => {
    const s = await readSnapshot(gridRun);
    const last = s.history.at(-1)!;
    expect(last.proposals).toBe(600);
    expect(last.coverage).toBe(s.summary.coverage);
    expect(last.best).toBe(s.summary.best);
    expect(s.history.every((p, i) => i === 0 || p.proposals > s.history[i - 1]!.proposals)).toBe(true);
  });

  it('places CVT cells at their centroids and includes every centroid', async () => {
    const s = await readSnapshot(cvtRun);
    expect(s.map.type).toBe('cvt');
    expect(s.map.cells).toBe(40);
    expect(s.map.centroids).toHaveLength(40);
    expect(s.map.filled.length).toBe(s.summary.size);
    expect(s.map.filled.length).toBeGreaterThan(10);
    for (const c of s.map.filled) expect(c.pos).toEqual(s.map.centroids![c.cell]);
    expect(s.map.dims.map((d) => d.bins)).toEqual([undefined, undefined]);
    const none = await readSnapshot(cvtRun, { maxCentroids: 10 });
    expect(none.map.centroids).toBeUndefined();
  });
});

describe('report HTML', () => {
  it('embeds the snapshot so that no text can close its script element, and reads back equal', async () => {
    const s = await readSnapshot(gridRun);
    const hostile = {
      ...s,
      elites: s.elites.map((e, i) => (i === 0 ? { ...e, text: '</script><script>alert(1)</script><!-- \u2028' } : e)),
    };
    const html = reportHtml(hostile);
    expect(html.match(/<\/script>/g)).toHaveLength(3); // the data block, ECharts and the page script: nothing else closes
    expect(html).not.toMatch(/<script>alert/);
    const block = /<script type="application\/json" id="elites-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(JSON.parse(block)).toEqual({ mode: 'report', snapshot: hostile });
    expect(jsonForScript('<!--')).toBe('"\\u003c!--"');
  });

  it('is self-contained: no external src, href or url()', async () => {
    const html = reportHtml(await readSnapshot(gridRun));
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href="(?!data:)/); // the favicon is an empty data: URL
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'/);
    expect(html.length).toBeGreaterThan(500_000); // ECharts is inlined
  });
});

describe('the page script', () => {
  it('type-checks as browser JavaScript against the snapshot types and ECharts (report/page/tsconfig.json)', () => {
    // The page ships uncompiled; this is its only compiler pass. tsc exits non-zero (and this throws) on any error.
    const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
    expect(() =>
      execFileSync(process.execPath, [tsc, '-p', join(repoRoot, 'report/page/tsconfig.json')], { encoding: 'utf8' }),
    ).not.toThrow();
  });
});

describe('elites report / serve (CLI)', () => {
  it('report writes the page and says what it holds', async () => {
    const dir = useRunFiles();
    const out = join(dir, 'r.html');
    const r = await runCli(['report', gridRun, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*r\.html \([\d.]+ MB\): done, 600 proposals, \d+ elites, best [\d.]+/);
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>/);
    const byDefault = await runCli(['report', gridRun]);
    expect(byDefault.code, byDefault.stderr).toBe(0);
    expect(existsSync(join(gridRun, 'report.html'))).toBe(true);
  });

  it('report of a directory that is not a run exits 2 and writes nothing', async () => {
    const dir = useRunFiles();
    const r = await runCli(['report', join(dir, 'nope'), '--out', join(dir, 'r.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a run directory/);
    expect(existsSync(join(dir, 'r.html'))).toBe(false);
  });

  it('serve refuses a runs directory that does not exist (exit 2) and a bad port', async () => {
    const dir = useRunFiles();
    const r = await runCli(['serve', '--runs', join(dir, 'missing'), '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no runs directory at .*missing\nPass --runs DIR/);
    const port = await runCli(['serve', '--runs', dir, '--port', '70000']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port must be a whole number in 0\.\.65535/);
  });
});
