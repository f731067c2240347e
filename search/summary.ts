// The run summary (DESIGN §6): what `--json` prints and `inspect --json` returns.
import type { ArchiveView } from '../archive/archive.js';
import { edgeCellWarning, type EdgeCellWarning } from '../archive/edges.js';
import type { Counters, RunStatus } from '../store/events.js';
import type { StopReason } from './budget.js';
import type { RemeasuredElite } from './remeasure.js';
import { fromScore, type Direction, type ScoredBy, type Space } from '../core/types.js';

export interface RunSummary {
  readonly runId: string;
  readonly dir: string;
  readonly status: Exclude<RunStatus, 'running'> | 'running';
  readonly stopReason: StopReason | null;
  readonly proposals: number;
  /** Real calls of evaluate(). proposals = evaluations + cacheHits.key + cacheHits.fingerprint + failures + pruned. */
  readonly evaluations: number;
  readonly cacheHits: { readonly key: number; readonly fingerprint: number };
  readonly failures: number;
  /** Evaluations the run's pruner stopped early (config `pruner`). */
  readonly pruned: number;
  /** Intermediate reports of all evaluations (ctx.report: training epochs, say); what budget.steps counts. */
  readonly steps: number;
  /** counterfactual cache mode: fresh results that disagreed with the cached one. */
  readonly collisions: number;
  readonly best: {
    readonly id: number;
    readonly fitness: number;
    readonly descriptors: readonly number[];
    readonly text: string;
    readonly genome: unknown;
    /** The evaluator's metrics of the best elite (e.g. a held-out accuracy). */
    readonly metrics?: Readonly<Record<string, number>>;
    /** Aggregate mode: samples behind its mean, and whether they are fewer than `cache.minSamples`. */
    readonly samples?: number;
    readonly provisional?: boolean;
  } | null;
  readonly archive: {
    readonly size: number;
    readonly cells: number;
    readonly coverage: number;
    /** Pareto archives (mome, pareto): the MOQD score (Σ over cells of each front's hypervolume). */
    readonly qdScore: number;
    readonly qdOffset: number;
    /** Pareto archives: the hypervolume of all members' front against `objectives.reference`, and their number. */
    readonly hypervolume?: number;
    readonly members?: number;
  };
  readonly seconds: number;
  /** Optional message when the run failed. */
  readonly error?: string;
  /** With `remeasure.elites`: the best elites evaluated again when the run ended, best median first. */
  readonly remeasured?: readonly RemeasuredElite[];
  /** What scored the candidates, when the evaluator says; `caveat` marks a stand-in or a fallback. */
  readonly scoredBy?: ScoredBy;
  /** Warnings about the run's result, each with a stable `code`; absent when there are none. */
  readonly warnings?: readonly RunWarning[];
}

/** `archive-edge-cells`: more than `archive.edgeWarning` of a grid's elites in the edge bins of some dim. */
export type RunWarning = EdgeCellWarning;

export interface SummaryInput<G> {
  readonly runId: string;
  readonly dir: string;
  readonly status: RunSummary['status'];
  readonly stopReason: StopReason | null;
  readonly counters: Counters;
  readonly archive: ArchiveView<G>;
  readonly space: Space<G>;
  readonly direction: Direction;
  readonly seconds: number;
  readonly error?: string;
  readonly remeasured?: readonly RemeasuredElite[];
  readonly samples?: SampleCounts | undefined;
  readonly scoredBy?: ScoredBy;
}

/** Aggregate mode: the samples behind each elite's mean, and the fewest that make it more than provisional. */
export interface SampleCounts {
  samplesOf(id: number): number | undefined;
  readonly minSamples: number;
}

/** `samples` and `provisional` of elite `id`; nothing outside aggregate mode or for an elite that came from the cache. */
export function sampleFields(
  id: number,
  counts: SampleCounts | undefined,
): { samples?: number; provisional?: boolean } {
  const n = counts?.samplesOf(id);
  return n === undefined || !counts ? {} : { samples: n, provisional: n < counts.minSamples };
}

export function buildSummary<G>(input: SummaryInput<G>): RunSummary {
  const { counters, archive, space, direction } = input;
  const stats = archive.stats();
  const best = archive.best();
  const edges = edgeCellWarning(archive);
  return {
    runId: input.runId,
    dir: input.dir,
    status: input.status,
    stopReason: input.stopReason,
    proposals: counters.proposals,
    evaluations: counters.evaluations,
    cacheHits: { key: counters.keyHits, fingerprint: counters.fingerprintHits },
    failures: counters.failures,
    pruned: counters.pruned,
    steps: counters.steps,
    collisions: counters.collisions,
    best: best
      ? {
          id: best.id,
          fitness: fromScore(best.score, direction),
          descriptors: [...best.descriptors],
          text: space.describe(best.genome),
          genome: space.encode(best.genome),
          ...(best.metrics ? { metrics: { ...best.metrics } } : {}),
          ...sampleFields(best.id, input.samples),
        }
      : null,
    archive: {
      size: stats.size,
      cells: stats.cells,
      coverage: stats.coverage,
      qdScore: stats.qdScore,
      qdOffset: stats.qdOffset,
      ...(stats.hypervolume !== undefined ? { hypervolume: stats.hypervolume } : {}),
      ...(stats.members !== undefined ? { members: stats.members } : {}),
    },
    seconds: Math.round(input.seconds * 1000) / 1000,
    ...(input.error !== undefined ? { error: input.error } : {}),
    ...(input.remeasured ? { remeasured: input.remeasured } : {}),
    ...(input.scoredBy ? { scoredBy: input.scoredBy } : {}),
    ...(edges ? { warnings: [edges] } : {}),
  };
}
