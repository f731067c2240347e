// Re-measuring the final elites of a noisy search (the autotuners' practice: Kernel Tuner, CLTune): when the run ends
// the best N elites are evaluated again, round-robin over several rounds (1, 2, …, N, then again), so a slow drift of
// the machine (heat, other jobs) hits them alike; each elite's median and spread say how far to trust its rank.
import type { ArchiveView } from '../archive/archive.js';
import type { Executor } from './executors/executor.js';
import { fromScore, toScore, type Direction, type Space } from '../core/types.js';

export interface RemeasuredElite {
  readonly id: number;
  readonly text: string;
  readonly genome: unknown;
  /** The fitness the archive holds (one lucky sample, perhaps). */
  readonly archived: number;
  /** Fresh fitness samples, in round order; failed evaluations are left out (and counted). */
  readonly samples: readonly number[];
  readonly failures: number;
  readonly median: number | null;
  /** (max − min) / |median| of the samples, 0 with one sample. */
  readonly spread: number | null;
}

export interface RemeasureInput<G> {
  readonly archive: ArchiveView<G>;
  readonly space: Space<G>;
  readonly executor: Executor;
  readonly direction: Direction;
  readonly elites: number;
  readonly rounds: number;
  readonly signal?: AbortSignal;
}

// Noise draws of re-measurements never coincide with a search's own repeats (aggregate mode counts from 0).
const REPEAT_BASE = 1_000_000;

/** The re-measured elites, best median first. Returns what it has so far when `signal` aborts. */
export async function remeasureElites<G>(input: RemeasureInput<G>): Promise<RemeasuredElite[]> {
  const { archive, space, executor, direction } = input;
  const top = [...archive.elites()].sort((a, b) => b.score - a.score || a.id - b.id).slice(0, input.elites);
  const samples = top.map(() => [] as number[]);
  const failures = top.map(() => 0);
  for (let round = 0; round < input.rounds && !input.signal?.aborted; round++) {
    // One round in flight at a time: every elite is measured once per round, by however many workers there are.
    await Promise.all(
      top.map(async (elite, i) => {
        const task = await executor.submit({
          id: -1 - i,
          genome: elite.genome,
          key: space.key(elite.genome),
          repeat: REPEAT_BASE + round,
          fresh: true, // a re-measurement measures: never the cached sample of the same code
        });
        if (task.ok) samples[i]?.push(task.result.fitness);
        else failures[i] = (failures[i] ?? 0) + 1;
      }),
    );
  }
  const rows = top.map((elite, i): RemeasuredElite => {
    const s = samples[i] ?? [];
    const median = s.length ? medianOf(s) : null;
    const spread = median === null ? null : median === 0 ? 0 : (Math.max(...s) - Math.min(...s)) / Math.abs(median);
    return {
      id: elite.id,
      text: space.describe(elite.genome),
      genome: space.encode(elite.genome),
      archived: fromScore(elite.score, direction),
      samples: s,
      failures: failures[i] ?? 0,
      median,
      spread,
    };
  });
  const key = (r: RemeasuredElite): number => (r.median === null ? -Infinity : toScore(r.median, direction));
  return rows.sort((a, b) => key(b) - key(a) || a.id - b.id);
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
