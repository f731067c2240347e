// The kernel report's goals and their verdicts. A goal is met only if it holds in every round of the re-measurement
// (each round's ratio uses that round's own numbers: the kernel and numpy measured minutes apart, or the bandwidth
// of the same round), so a verdict cannot rest on one lucky round or on a median inside its own noise.
import { median } from '../../evaluators/kernel/index.js';

/** What a shape's best kernel is compared with. */
export type GoalMeasure = 'numpy' | 'roofline';

export interface Goal {
  readonly shape: string;
  readonly measure: GoalMeasure;
  /** The ratio best / reference the goal asks for in every round. */
  readonly target: number;
}

/** Issue 18's goals: square at 95% of the AVX-512 OpenBLAS, the decode shapes at 1.5× numpy or 90% of the roofline. */
export const GOALS: readonly Goal[] = [
  { shape: 'square-1024', measure: 'numpy', target: 0.95 },
  { shape: 'decode-m1', measure: 'roofline', target: 0.9 },
  { shape: 'decode-m8', measure: 'numpy', target: 1.5 },
  { shape: 'decode-m32', measure: 'numpy', target: 1.5 },
];

export interface Verdict {
  readonly goal: Goal;
  /** best / reference in each round where both were measured. */
  readonly rounds: number[];
  readonly min: number;
  readonly median: number;
  /** Rounds at or above the target. */
  readonly held: number;
  /** Held in every round (and there was at least one). */
  readonly met: boolean;
}

/** Ratios round by round (the shorter series bounds the rounds: a candidate that failed stops being measured). */
export function roundRatios(values: readonly number[], references: readonly number[]): number[] {
  const n = Math.min(values.length, references.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (references[i]! > 0) out.push(values[i]! / references[i]!);
  return out;
}

export function verdict(goal: Goal, rounds: readonly number[]): Verdict {
  const held = rounds.filter((r) => r >= goal.target).length;
  return {
    goal,
    rounds: [...rounds],
    min: rounds.length === 0 ? Number.NaN : Math.min(...rounds),
    median: rounds.length === 0 ? Number.NaN : median(rounds),
    held,
    met: rounds.length > 0 && held === rounds.length,
  };
}

/**
 * A shape's best kernel against its bandwidth roofline, round by round. The roofline of a round is the higher of the
 * round's probe and, where measured, the bandwidth measured right after the kernel: a ceiling is the best the machine
 * showed, and on a host whose bandwidth drifts by a fifth within a round either probe alone can fall below it.
 */
export function rooflineRounds(
  best: { readonly rounds: readonly number[]; readonly bandwidthBeside?: readonly number[] },
  roundBandwidth: readonly number[],
  flopsPerByte: number,
): number[] {
  const ceilings = roundBandwidth.map((b, r) => flopsPerByte * Math.max(b, best.bandwidthBeside?.[r] ?? 0));
  return roundRatios(best.rounds, ceilings);
}
