// What the multi-objective report measures of one finished run: hypervolumes and MOQD scores computed the same way
// for every archive (a Pareto archive's members, or a single-objective archive's elites carrying their objectives),
// and NSGA-II's final population from the run's last checkpoint.
import { hypervolume } from '../../core/hypervolume.js';
import { paretoFront } from '../../core/pareto.js';
import { fromScores, toScores, type Direction } from '../../core/types.js';
import { openRunView } from '../../search/run-view.js';
import { openRunStore } from '../../store/run-store.js';

export interface FrontPoint {
  readonly id: number;
  /** Raw objective values. */
  readonly objectives: readonly number[];
  readonly text: string;
}

export interface MeasuredRun {
  readonly proposals: number;
  readonly seconds: number;
  readonly cells: number;
  readonly filled: number;
  /** Members of the Pareto archive, or elites of a single-objective one. */
  readonly points: number;
  /** Hypervolume of the front of all members (elites) against the config's reference. */
  readonly hypervolume: number;
  /** Σ over cells of the hypervolume of the cell's members (one point per cell for a single-objective archive). */
  readonly moqdScore: number;
  /** NSGA-II runs: the hypervolume of the final population (what the algorithm itself returns). */
  readonly populationHypervolume?: number;
  /** The non-dominated points, raw, ascending in the first objective. */
  readonly front: readonly FrontPoint[];
  /** The member (elite) with the best fitness: a single-objective run's answer. */
  readonly best: FrontPoint;
}

/**
 * Reads a finished run.
 * @throws {Error} when the run has no objectives with a reference point.
 */
export async function measureRun(dir: string): Promise<MeasuredRun> {
  const view = await openRunView(dir);
  try {
    const objectives = view.config.objectives;
    if (!objectives?.reference) throw new Error(`${dir}: the run has no objectives.reference`);
    const { directions } = objectives;
    const reference = toScores(objectives.reference, directions);
    const elites = [...(view.archive.members?.() ?? view.archive.elites())].filter((e) => e.objectives);
    const points = elites.map((e) => e.objectives!);
    const byCell = new Map<number, number[][]>();
    for (const e of elites) byCell.set(e.cell, [...(byCell.get(e.cell) ?? []), [...e.objectives!]]);
    let moqdScore = 0;
    for (const cell of byCell.values()) moqdScore += hypervolume(cell, reference);
    const front = paretoFront(points)
      .map((i) => ({
        id: elites[i]!.id,
        objectives: fromScores(points[i]!, directions),
        text: view.space.describe(elites[i]!.genome),
      }))
      .sort((a, b) => a.objectives[0]! - b.objectives[0]!);
    const top = view.archive.best();
    if (!top?.objectives) throw new Error(`${dir}: the archive is empty`);
    const population = view.config.search.strategy === 'nsga2' ? populationOf(dir) : undefined;
    return {
      proposals: view.summary.proposals,
      seconds: view.summary.seconds,
      cells: view.summary.archive.cells,
      filled: view.summary.archive.size,
      points: elites.length,
      hypervolume: hypervolume(points, reference),
      moqdScore,
      ...(population ? { populationHypervolume: hypervolume(population, reference) } : {}),
      front,
      best: { id: top.id, objectives: fromScores(top.objectives, directions), text: view.space.describe(top.genome) },
    };
  } finally {
    await view.close();
  }
}

/** NSGA-II's population in the last checkpoint, objectives higher-is-better (as the strategy keeps them). */
function populationOf(dir: string): number[][] {
  const store = openRunStore(dir, { write: false });
  try {
    const state = store.loadCheckpoint()?.strategy as { population?: { objectives: number[] }[] } | undefined;
    if (!state?.population) throw new Error(`${dir}: the last checkpoint holds no NSGA-II population`);
    return state.population.map((m) => m.objectives);
  } finally {
    void store.close();
  }
}

/** Raw objective vectors into higher-is-better ones (for hypervolumes of points read from other runs). */
export function scoresOf(points: readonly (readonly number[])[], directions: readonly Direction[]): number[][] {
  return points.map((p) => toScores(p, directions));
}
