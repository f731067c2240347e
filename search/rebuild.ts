// The archive is derived, the log is the truth: replaying `add` over the logged events rebuilds it.
import type { Archive } from '../archive/archive.js';
import { fromEvent, type RunEvent } from '../store/events.js';
import { StoreError } from '../core/errors.js';
import { toScore, toScores, type Space } from '../core/types.js';
import type { RunConfig } from './config.js';
import type { SampleMeans } from './sample-means.js';
import type { RunTally } from './tally.js';

/** How results become scores: the config's direction, and its objectives' directions when it has several. */
export type RunScoring = Pick<RunConfig, 'direction' | 'objectives'>;

/**
 * Adds the events up to `upToSeq` to `archive` (through `means`, as the engine did) and to `tally`, in one pass over
 * the log (or its tail after a snapshot: it can hold millions).
 * @throws {StoreError} when the archive answers an event otherwise than the log says (its config changed).
 */
export function rebuildArchive(
  archive: Archive<unknown>,
  events: Iterable<RunEvent>,
  upToSeq: number,
  space: Space<unknown>,
  scoring: RunScoring,
  means: SampleMeans,
  tally: RunTally,
): void {
  for (const e of events) {
    if (e.seq > upToSeq) break;
    offerLogged(archive, e, space, scoring, means);
    tally.add(e); // after the archive: the tally's curves follow its members
  }
}

/**
 * Offers a logged event's candidate to `archive` as the engine did.
 * @throws {StoreError} when the archive answers otherwise than the log says.
 */
function offerLogged(
  archive: Archive<unknown>,
  e: RunEvent,
  space: Space<unknown>,
  scoring: RunScoring,
  means: SampleMeans,
): void {
  const { direction } = scoring;
  const objectiveDirections = scoring.objectives?.directions;
  const r = fromEvent(e);
  // Rejected events carry no genome: add() rejects them again (checked below), which keeps min-score statistics exact.
  if (!r.ok || r.status === 'screened') return; // a screening result never reached the archive
  const genome = r.genome !== undefined ? space.decode(r.genome) : undefined;
  const tiebreak = r.result.tiebreak?.map((v) => toScore(v, direction));
  const candidate = {
    id: r.id,
    genome,
    score: toScore(r.result.fitness, direction),
    descriptors: r.result.descriptors ?? [],
    ...(tiebreak ? { tiebreak } : {}),
    ...(r.result.metrics ? { metrics: r.result.metrics } : {}),
    ...(objectiveDirections && r.result.objectives
      ? { objectives: toScores(r.result.objectives, objectiveDirections) }
      : {}),
  };
  const added = means.offer(archive, candidate, r.sample);
  if (added.status !== r.status)
    throw new StoreError(
      `the archive rebuilt from the log disagrees at event ${e.seq} (${added.status} vs ${r.status})`,
      'The archive config changed since this run was written.',
    );
}
