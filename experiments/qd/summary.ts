// Per-row statistics over seeds and the verdict against the published number.
import type { RowSpec, RunRecord } from './types.js';

export interface Stat {
  readonly mean: number;
  /** Sample SD (n − 1); undefined for one seed. */
  readonly sd: number | undefined;
}

export interface Verdict {
  readonly pass: boolean;
  /** (mean − published) / published. */
  readonly qdDiff: number;
  /** The QD tolerance used: 2% of the published value, or its published ± when wider. */
  readonly qdTolerance: number;
  readonly qdOk: boolean;
  /** Mean coverage − published coverage, in points. */
  readonly coverageDiff: number;
  readonly coverageOk: boolean;
}

export interface RowResult {
  readonly spec: RowSpec;
  readonly budget: number;
  readonly runs: readonly RunRecord[];
  readonly qd: Stat;
  /** QD / cells: the CMA-MAE paper's normalised QD. */
  readonly normalised: Stat;
  /** Percent. */
  readonly coverage: Stat;
  readonly evaluationsPerSecond: Stat;
  readonly seconds: Stat;
  /** Lowest and highest 1-minute load average seen at the runs' starts and ends. */
  readonly load: readonly [number, number];
  readonly verdict?: Verdict;
}

export function stat(xs: readonly number[]): Stat {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, sd: undefined };
  const ss = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)) };
}

/** The row's runs at `budget`, one per seed (the latest when a seed was run twice), in seed order. */
export function runsOf(all: readonly RunRecord[], row: string, budget: number): RunRecord[] {
  const bySeed = new Map<number, RunRecord>();
  for (const r of all) if (r.row === row && r.budget === budget) bySeed.set(r.seed, r);
  return [...bySeed.values()].sort((a, b) => a.seed - b.seed);
}

/** Mean QD within 2% of the published one (or within its published ± where wider) and coverage within 1 point. */
export function verdict(
  value: number,
  coverage: number,
  published: { qd: number; qdSd?: number; coverage: number },
): Verdict {
  const qdTolerance = Math.max(0.02 * Math.abs(published.qd), published.qdSd ?? 0);
  const qdOk = Math.abs(value - published.qd) <= qdTolerance;
  const coverageDiff = coverage - published.coverage;
  const coverageOk = Math.abs(coverageDiff) <= 1;
  return {
    pass: qdOk && coverageOk,
    qdDiff: (value - published.qd) / published.qd,
    qdTolerance,
    qdOk,
    coverageDiff,
    coverageOk,
  };
}

export function summarise(spec: RowSpec, budget: number, runs: readonly RunRecord[]): RowResult | undefined {
  if (runs.length === 0) return undefined;
  const qd = stat(runs.map((r) => r.qdScore));
  const normalised = stat(runs.map((r) => r.qdScore / r.cells));
  const coverage = stat(runs.map((r) => r.coverage * 100));
  const loads = runs.flatMap((r) => r.load);
  const result: RowResult = {
    spec,
    budget,
    runs,
    qd,
    normalised,
    coverage,
    evaluationsPerSecond: stat(runs.map((r) => r.evaluationsPerSecond)),
    seconds: stat(runs.map((r) => r.seconds)),
    load: [Math.min(...loads), Math.max(...loads)],
  };
  if (!spec.anchor) return result;
  const value = spec.normalised ? normalised.mean : qd.mean;
  return { ...result, verdict: verdict(value, coverage.mean, spec.anchor) };
}

/** The bandit's check: its mean QD against the best mean of the single-emitter rows measured here. */
export function atLeastBest(
  row: RowResult,
  others: readonly RowResult[],
): { pass: boolean; best: RowResult } | undefined {
  const best = others.reduce<RowResult | undefined>((b, r) => (b && b.qd.mean >= r.qd.mean ? b : r), undefined);
  return best && { pass: row.qd.mean >= best.qd.mean, best };
}
