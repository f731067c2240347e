// Resume is a replay (DESIGN §7): logged outcomes are fed back to the re-asked proposals instead of evaluating them.
import type { PendingView } from './pending.js';
import { fromEvent, type RunEvent } from '../store/events.js';
import { StoreError } from '../core/errors.js';
import { stableStringify } from '../core/hash.js';
import type { Space } from '../core/types.js';
import type { Answer } from './answer.js';
import type { Failure, Proposal } from './strategies/strategy.js';

/** The answers of a resumed run's logged events, in log order, until the log runs out. */
export interface ReplaySource<G> {
  /**
   * The next logged answer, matched to the re-asked proposal with its id in `pending`; undefined once the log is exhausted.
   * @throws {StoreError} when that proposal was not re-asked, or was re-asked with another genome than the logged one
   * (the config, seed, strategy or a plug-in space changed): a logged result must never be attached to another genome.
   */
  next(pending: PendingView<Proposal<G>>): Answer<G> | undefined;
}

export function createReplaySource<G>(events: Iterable<RunEvent>, space: Space<G>): ReplaySource<G> {
  const log = events[Symbol.iterator]();
  return {
    next(pending) {
      const step = log.next();
      return step.done ? undefined : answerFromEvent(step.value, pending, space);
    },
  };
}

function answerFromEvent<G>(event: RunEvent, pending: PendingView<Proposal<G>>, space: Space<G>): Answer<G> {
  const proposal = pending.get(event.id);
  if (!proposal) {
    throw new StoreError(
      `resume diverged: logged proposal ${event.id} was not re-proposed`,
      'The config, seed or strategy changed since this run was written; start a new run.',
    );
  }
  // The log holds the genome of every elite (of every event with log.genomes: all): it must be the one re-asked.
  if (event.g !== undefined && stableStringify(space.encode(proposal.genome)) !== stableStringify(event.g)) {
    throw new StoreError(
      `resume diverged: proposal ${event.id} was re-proposed as ${space.describe(proposal.genome).slice(0, 60)}, the log holds ${JSON.stringify(event.g).slice(0, 60)}`,
      'The space, strategy or a plug-in changed since this run was written; start a new run.',
    );
  }
  const r = fromEvent(event);
  const reports = r.reports ? { reports: r.reports } : {};
  if (!r.ok)
    return {
      proposal,
      ok: false,
      failure: { kind: r.failure.kind as Failure['kind'], message: r.failure.message },
      logged: event,
      ...reports,
    };
  return {
    proposal,
    ok: true,
    result: r.result,
    source: r.source,
    logged: event,
    ...(r.sample ? { sample: r.sample } : {}),
    ...reports,
  };
}

/**
 * A replayed answer must meet the archive as it did the first time.
 * @throws {StoreError} when the archive answered otherwise than the log says.
 */
export function checkReplayed(event: RunEvent, logged: RunEvent): void {
  if (event.ok && logged.ok && event.st !== logged.st) {
    throw new StoreError(
      `resume diverged at event ${event.seq}: the archive answered ${event.st}, the log says ${logged.st}`,
      'The config or a built-in changed since this run was written; start a new run.',
    );
  }
}
