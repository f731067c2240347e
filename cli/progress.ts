// The live progress bar on a terminal (cli-progress): share of the budget, ETA, proposals/s, best, coverage, cache-hit %.
import cliProgress from 'cli-progress';
import type { Progress } from '../search/engine.js';
import type { Budget } from '../search/budget.js';
import { fromScore } from '../core/types.js';
import type { CliIo } from './io.js';
import { formatNumber } from './io.js';

export interface ProgressDisplay {
  update(progress: Progress<unknown>): void;
  stop(): void;
}

export function createProgressDisplay(io: CliIo, budget: Budget): ProgressDisplay | undefined {
  if (!io.isTTY) return undefined;
  const byProposals = budget.evaluations !== undefined;
  const total = byProposals ? (budget.evaluations ?? 0) : Math.ceil(budget.seconds ?? 0);
  // The ETA of a proposal budget comes from the proposal rate so far; of a time budget, from the clock. A run with
  // only a target fitness has no end to estimate.
  const eta = total > 0 ? ' | ETA {eta_formatted}' : '';
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr as NodeJS.WritableStream,
      format: `{bar} {percentage}%${eta} | {proposals} proposals | {rate}/s | best {best} | coverage {coverage} | cache {hits}`,
      etaBuffer: 50, // proposals: the rate over the last 50 updates, so a slow start does not skew it for ever
      hideCursor: true,
      clearOnComplete: false,
      barsize: 20,
      noTTYOutput: true, // io.isTTY already decided to draw; cli-progress would also ask the stream itself
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { proposals: 0, rate: 0, best: '-', coverage: '0%', hits: '0%' });
  return {
    update({ counters, elapsedSeconds, archive, direction }) {
      const stats = archive.stats();
      const hits = counters.keyHits + counters.fingerprintHits;
      bar.update(byProposals ? counters.proposals : Math.min(total, Math.floor(elapsedSeconds)), {
        proposals: counters.proposals,
        rate: formatNumber(counters.proposals / Math.max(elapsedSeconds, 1e-9), 3),
        best: stats.bestScore === undefined ? '-' : formatNumber(fromScore(stats.bestScore, direction)),
        coverage: `${(stats.coverage * 100).toFixed(1)}%`,
        hits: `${((hits / Math.max(1, counters.proposals)) * 100).toFixed(1)}%`,
      });
    },
    stop: () => bar.stop(),
  };
}
