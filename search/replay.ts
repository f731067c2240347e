// Resume is a replay (DESIGN §7): logged outcomes are fed back to the re-asked proposals instead of evaluating them.
import type { EventFidelity, RunEvent } from '../store/events.js';
import { StoreError } from '../core/errors.js';
import type { TaskResult } from './executors/executor.js';
import type { Fidelity, Proposal, ResultSource } from './strategies/strategy.js';

/** A proposal's answer, live or (with `logged`) read back from the log during resume. */
export interface Completion<G> {
  readonly proposal: Proposal<G>;
  readonly source: ResultSource;
  readonly task: TaskResult;
  readonly logged?: RunEvent;
}

/** A logged event as the completion it was, matched to the re-asked proposal with the same id. */
export function fromEvent<G>(event: RunEvent, pending: Map<number, Proposal<G>>): Completion<G> {
  const proposal = pending.get(event.id);
  if (!proposal) {
    throw new StoreError(`resume diverged: logged proposal ${event.id} was not re-proposed`, 'The config, seed or strategy changed since this run was written; start a new run.');
  }
  if (!event.ok) return { proposal, source: 'evaluated', task: { ok: false, failure: { kind: event.kind as 'threw', message: event.msg } }, logged: event };
  const source: ResultSource = event.src === 'e' ? 'evaluated' : event.src === 'k' ? 'key' : 'fingerprint';
  const result = { fitness: event.f, ...(event.d ? { descriptors: [...event.d] } : {}), ...(event.tb ? { tiebreak: [...event.tb] } : {}), ...(event.m ? { metrics: { ...event.m } } : {}) };
  return { proposal, source, task: { ok: true, result, source: 'evaluated' }, logged: event };
}


/** A proposal's own fidelity as a log field (nothing when it has none: most runs never set one). */
export function logFidelity(fidelity: Fidelity | undefined): { fid?: EventFidelity } {
  return fidelity ? { fid: [fidelity.level, fidelity.sample, fidelity.screening ? 1 : 0] } : {};
}

/** The proposal field back from a log field. */
export function readFidelity(fid: EventFidelity | undefined): { fidelity?: Fidelity } {
  return fid ? { fidelity: { level: fid[0], sample: fid[1], screening: fid[2] === 1 } } : {};
}
