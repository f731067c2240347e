// Pareto references of the multi-objective benchmarks: the true front, a reference point and the front's hypervolume.
import { hypervolume } from '../../core/hypervolume.js';
import { type Direction, toScores } from '../../core/types.js';
import type { BenchmarkGenome } from './benchmark.js';

/**
 * What a benchmark's true Pareto front is worth, in the evaluator's own raw objective values and directions, so a
 * report can give a run's hypervolume as a share of the optimum: `rawHypervolume(found, directions, reference) /
 * hypervolume`.
 */
export interface ParetoReference {
  /** Per objective, as the evaluator returns them in `objectives`. */
  readonly directions: readonly Direction[];
  /** The hypervolume's bound: raw values that every point of the true front is at least as good as. */
  readonly reference: readonly number[];
  /** The hypervolume of the whole true front with that reference (an upper bound when `exact` is false). */
  readonly hypervolume: number;
  /** False when `hypervolume` is a bound rather than the front's value (mo-rastrigin). */
  readonly exact: boolean;
  /** How `hypervolume` was obtained, for a report's footnote. */
  readonly source: string;
  /** At least `count` points of the true front (raw objective vectors), mutually non-dominated. */
  front(count: number): number[][];
}

/**
 * Hypervolume of raw objective vectors with per-objective directions: core/hypervolume.ts maximizes every
 * objective, so minimized objectives and their reference entries are negated first.
 * @throws {RangeError} when a point's length differs from the reference's (core/hypervolume.ts).
 */
export function rawHypervolume(
  points: readonly (readonly number[])[],
  directions: readonly Direction[],
  reference: readonly number[],
): number {
  return hypervolume(
    points.map((p) => toScores(p, directions)),
    toScores(reference, directions),
  );
}

/**
 * The evaluators' single `fitness` for a multi-objective benchmark: the sum of the objectives, each signed so that
 * higher is better (minimized ones negated). It is meant to be **maximized** whatever the objectives' directions.
 */
export function scalarise(objectives: readonly number[], directions: readonly Direction[]): number {
  let sum = 0;
  for (let j = 0; j < objectives.length; j++) sum += directions[j] === 'minimize' ? -objectives[j]! : objectives[j]!;
  return sum;
}

/**
 * Checks that every gene lies in [0, 1], where ZDT and DTLZ are defined (outside it g and the angles leave the
 * problem's range, so the front would no longer be the true one). NaN fails too.
 * @throws {RangeError} naming the first gene outside [0, 1], its index and its value.
 */
export function requireUnitGenes(evaluator: string, x: BenchmarkGenome): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!(v >= 0 && v <= 1)) {
      throw new RangeError(
        `${evaluator}: gene ${i} (0-based) is ${v}, outside [0, 1]; give the space bounds [0, 1] on every gene`,
      );
    }
  }
}

/**
 * Checks a front size.
 * @throws {RangeError} when `count` is not an integer ≥ `min`.
 */
export function requireCount(what: string, count: number, min: number): void {
  if (!Number.isInteger(count) || count < min) {
    throw new RangeError(`${what}: count must be an integer ≥ ${min}, got ${count}`);
  }
}
