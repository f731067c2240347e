// Shared helpers for the pruner tests: feed reports and ends, read decisions back.
import type { Decision, EvaluationEnd, Pruner } from '../../../search/early-stopping/index.js';

/** Reports `values` of evaluation `id` at steps `steps` (default 0, 1, 2, …), returning each decision. */
export function curve(p: Pruner, id: number, values: readonly number[], steps?: readonly number[]): Decision[] {
  return values.map((value, i) => p.report({ id, step: steps ? steps[i]! : i, value }));
}

/** Reports the whole curve, then finishes the evaluation. */
export function complete(p: Pruner, id: number, values: readonly number[], end: EvaluationEnd = 'complete'): void {
  curve(p, id, values);
  p.finish(id, end);
}

/** Through JSON into a fresh pruner made by `make`, as a checkpoint would. */
export function roundTrip(p: Pruner, make: () => Pruner): Pruner {
  const q = make();
  q.restore(JSON.parse(JSON.stringify(p.state())));
  return q;
}
