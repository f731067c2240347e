// A proposal's answer as the engine processes it: live (evaluated, or shared from a key) or read back from the log.
import type { LoggedSample, RunEvent } from '../store/events.js';
import type { StepReport, TaskResult } from './executors/executor.js';
import type { Failure, Proposal, ResultSource } from './strategies/strategy.js';
import type { EvalResult } from '../core/types.js';
import type { Writable } from '../core/objects.js';

/**
 * `source` is the one place that says where a result came from: a task's own `source` (evaluated | fingerprint)
 * only says it for the proposal that submitted it; the others sharing its key are key hits.
 */
export type Answer<G> = { readonly proposal: Proposal<G>; readonly logged?: RunEvent } & (
  | {
      readonly ok: true;
      readonly result: EvalResult;
      readonly source: ResultSource;
      readonly sample?: LoggedSample;
      /** Writes the sample to the result cache: called once the answer's event has committed. */
      readonly persist?: () => Promise<void>;
      /** The evaluation's intermediate reports (its submitter's answer only). */
      readonly reports?: readonly StepReport[];
    }
  | { readonly ok: false; readonly failure: Failure; readonly reports?: readonly StepReport[] }
);

/**
 * The answer a task's result gives a proposal: `submitter` is the proposal whose task it was, and the only one
 * that carries the noisy sample its evaluation added (aggregate mode).
 */
export function answerOf<G>(
  proposal: Proposal<G>,
  task: TaskResult,
  submitter: boolean,
  sample?: LoggedSample,
  persist?: () => Promise<void>,
): Answer<G> {
  // Filled in place (optional fields only when present): one object per answer, no spread temporaries.
  if (!task.ok) {
    const failed: Writable<Answer<G> & { ok: false }> = { proposal, ok: false, failure: task.failure };
    if (submitter && task.reports) failed.reports = task.reports;
    return failed;
  }
  if (!submitter) return { proposal, ok: true, result: task.result, source: 'key' };
  const answer: Writable<Answer<G> & { ok: true }> = { proposal, ok: true, result: task.result, source: task.source };
  if (sample) answer.sample = sample;
  if (persist) answer.persist = persist;
  if (task.reports) answer.reports = task.reports;
  return answer;
}
