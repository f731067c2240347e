// docs/kernels.md is written from bench/results/kernels.json alone: the stored report regenerates the committed page
// byte for byte, and the sentence naming the search configs follows the configs stored per shape.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdown, type Report } from '../../experiments/kernel/markdown.js';

const repoRoot = join(import.meta.dirname, '../..');
const stored = (): Report => JSON.parse(readFileSync(join(repoRoot, 'bench/results/kernels.json'), 'utf8')) as Report;

describe('kernel report page', () => {
  it('regenerates the committed page from the stored report', () => {
    expect(markdown(stored())).toBe(readFileSync(join(repoRoot, 'docs/kernels.md'), 'utf8'));
  });

  it('names the config that searched each shape, as stored in the report', () => {
    const report = stored();
    const configOf = (shape: string): string =>
      shape === 'square-1024'
        ? 'configs/kernel-gemm.yaml'
        : shape === 'decode-m1'
          ? 'configs/kernel-decode.yaml'
          : 'configs/kernel-gemm-flat.yaml';
    const shapes = report.shapes.map((s) => ({ ...s, searchConfig: configOf(String(s.shape)) }));
    const page = markdown({ ...report, shapes });
    expect(page).toContain(
      'Searches: `configs/kernel-gemm.yaml` (square-1024), `configs/kernel-decode.yaml` (decode-m1) and `configs/kernel-gemm-flat.yaml` with `evaluator.options.shape` set to decode-m8 and decode-m32 (',
    );
    expect(page).toContain('kernel-decode.yaml: ga (populationSize 20, tournamentSize 3)');
    expect(page).toContain('The decode configs set `coldMiB: 256`');
    // A report written before the configs were stored: square on kernel-gemm.yaml, every decode shape on the flat one.
    const legacy = report.shapes.map(({ searchConfig: _stored, ...rest }) => rest);
    expect(markdown({ ...report, shapes: legacy })).toContain(
      'Searches: `configs/kernel-gemm.yaml` (square-1024) and `configs/kernel-gemm-flat.yaml` with `evaluator.options.shape` set to each decode shape (',
    );
  });

  it('says which shape was re-run on its own, when, and counts its loads', () => {
    const report = stored();
    const loads = [{ phase: 're-measure decode-m1', load1: 7.25, load5: 3, waitedSeconds: 600 }];
    const rerun = { shape: 'decode-m1', date: '2030-01-02T03:04:05.000Z', evaluations: 300, rounds: 7, loads };
    const page = markdown({ ...report, reruns: [rerun] });
    expect(page).toContain(
      'decode-m1 was searched and re-measured again on its own on 2030-01-02 (`node dist/experiments/kernel-report.js --shape decode-m1 --rounds 7`, 7 rounds)',
    );
    expect(page).toContain('| re-measure decode-m1 | 7.25 | 3.00 | 600 |');
    expect(page).toContain('The highest 1-minute load at the start of a phase was 7.25');
    expect(page).not.toBe(markdown(report));
  });

  it('says what a roofline verdict is taken against when the bandwidth was measured beside the kernel', () => {
    const report = stored();
    const shapes = report.shapes.map((s) =>
      s.shape === 'decode-m1' && s.best ? { ...s, best: { ...(s.best as object), bandwidthBeside: [20, 21] } } : s,
    );
    const page = markdown({ ...report, shapes });
    expect(page).toContain(
      'For decode-m1 (judged against the roofline) the read bandwidth is also measured right after each candidate',
    );
    expect(markdown(report).includes('measured right after each candidate')).toBe(
      report.shapes.some((s) => ((s.best as { bandwidthBeside?: number[] } | null)?.bandwidthBeside?.length ?? 0) > 0),
    );
  });
});
