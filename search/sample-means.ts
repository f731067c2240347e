// Aggregate mode (noisy fitness): each elite is held at the current mean of its pool's samples, not at the value it
// entered with. Shared by the engine (live and replayed answers) and by the rebuild of an archive from the log, so
// both make the same archive calls in the same order.
import type { AddResult, Archive, Candidate } from '../archive/archive.js';
import type { LoggedSample } from '../store/events.js';
import type { RunConfig } from './config.js';
import type { SampleCounts } from './summary.js';

export interface SampleMeans {
  /**
   * Offers `candidate` to `archive`. With `sample` (an answer in aggregate mode, its score its pool's current mean),
   * the elite that entered from the same pool is first re-scored to that mean, up or down: a lucky first sample no
   * longer keeps its cell once more samples bring its mean down.
   */
  offer<G>(archive: Archive<G>, candidate: Candidate<G>, sample?: LoggedSample): AddResult;
  /** Samples behind elite `id`'s score; undefined when it entered without one (plain caching, or a cache hit). */
  samplesOf(id: number): number | undefined;
  /** Plain data for the run's snapshot; `createSampleMeans(state)` continues from it. */
  state(): SampleMeansState;
}

/** Which elite entered from each pool, and the samples behind each elite's mean (empty outside aggregate mode). */
export interface SampleMeansState {
  readonly pools: readonly (readonly [string, number, number])[];
  readonly samples: readonly (readonly [number, number])[];
}

export function createSampleMeans(saved?: SampleMeansState): SampleMeans {
  const eliteOfPool = new Map<string, { cell: number; id: number }>(
    saved?.pools.map(([pool, cell, id]) => [pool, { cell, id }]),
  );
  const samples = new Map<number, number>(saved?.samples); // elite id → samples behind its score
  return {
    offer(archive, candidate, sample) {
      if (sample) {
        const holder = eliteOfPool.get(sample.p);
        // Only while that elite still holds its cell: a replaced one is gone from the archive.
        if (holder && archive.get(holder.cell)?.id === holder.id) {
          archive.rescore(holder.cell, candidate.score, candidate.tiebreak);
          samples.set(holder.id, sample.n);
        }
      }
      const added = archive.add(candidate);
      if (added.previous !== undefined) samples.delete(added.previous);
      if (sample && (added.status === 'new' || added.status === 'improved')) {
        eliteOfPool.set(sample.p, { cell: added.cell, id: candidate.id });
        samples.set(candidate.id, sample.n);
      }
      return added;
    },
    samplesOf: (id) => samples.get(id),
    state: () => ({
      pools: [...eliteOfPool].map(([pool, { cell, id }]) => [pool, cell, id] as const),
      samples: [...samples],
    }),
  };
}

/** What the summary, inspect and the report show of `means`: nothing unless the run averages samples. */
export function sampleCountsOf(config: RunConfig, means: SampleMeans): SampleCounts | undefined {
  const { enabled, mode, maxRepeats, minSamples } = config.cache;
  if (!enabled || mode !== 'aggregate') return undefined;
  return { samplesOf: (id) => means.samplesOf(id), minSamples: minSamples ?? maxRepeats };
}
