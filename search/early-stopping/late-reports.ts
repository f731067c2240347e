// A pruner as a run uses it: from a worker thread a report can arrive after its evaluation's answer (they travel on
// different channels), by when the engine has fed the pruner that evaluation's logged reports and finished it.
import type { Pruner } from './types.js';

/** `pruner`, answering 'continue' to (and ignoring) a report for an evaluation it has finished. */
export function tolerateLateReports(pruner: Pruner): Pruner {
  const finished = new Set<number>();
  return {
    report: (report) => (finished.has(report.id) ? 'continue' : pruner.report(report)),
    finish(id, end) {
      finished.add(id);
      pruner.finish(id, end);
    },
    state: () => pruner.state(),
    restore: (state) => pruner.restore(state),
  };
}
