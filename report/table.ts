// A lookup table over runs (FlashDecoding++'s shape → kernel table): group finished runs by one config field and
// keep each group's best elite. Read-only: runs may still be going.
import { fromScore, toScore } from '../core/types.js';
import { openRunView } from '../search/run-view.js';

export interface TableRow {
  /** The grouping field's value (JSON for objects, e.g. a shape { m, n, k }). */
  readonly group: string;
  readonly fitness: number;
  /** The best elite's describe() text and encoded genome. */
  readonly text: string;
  readonly genome: unknown;
  readonly run: string;
  /** Runs in the group. */
  readonly runs: number;
}

/** The value at a dotted path of a config (`evaluator.options.shape`), or undefined. */
export function configValue(config: unknown, path: string): unknown {
  let value: unknown = config;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * One row per distinct value of `by` over the runs in `dirs`: the best elite of all runs with that value (runs with
 * no elite are counted, not listed). Rows keep the order in which their group first appears.
 */
export async function bestByGroup(dirs: readonly string[], by: string): Promise<TableRow[]> {
  const best = new Map<string, { score: number; row: TableRow }>();
  const counts = new Map<string, number>();
  for (const dir of dirs) {
    const view = await openRunView(dir);
    try {
      const value = configValue(view.config, by);
      const group = value === undefined ? '(unset)' : typeof value === 'string' ? value : JSON.stringify(value);
      counts.set(group, (counts.get(group) ?? 0) + 1);
      const top = view.summary.best;
      if (!top) continue;
      const score = toScore(top.fitness, view.config.direction);
      const seen = best.get(group);
      if (!seen || score > seen.score)
        best.set(group, {
          score,
          row: {
            group,
            fitness: fromScore(score, view.config.direction),
            text: top.text,
            genome: top.genome,
            run: view.dir,
            runs: 0,
          },
        });
    } finally {
      await view.close();
    }
  }
  return [...best.values()].map(({ row }) => ({ ...row, runs: counts.get(row.group) ?? 0 }));
}
