// The run's snapshot is a cache of its log: what a reader makes of snapshot + tail must equal a replay of the whole log.
import { isDeepStrictEqual } from 'node:util';
import { buildSnapshot } from '../../report/snapshot.js';
import { openRunView, type RunView } from '../../search/run-view.js';

export interface SnapshotCheck {
  /** The snapshot the reader started from (−1: none was usable) and the log's last event. */
  readonly fromSeq: number;
  readonly lastSeq: number;
  /** What differs from a full replay: summary, elites, report (timeline, curves, map, history), tally; [] when equal. */
  readonly differences: readonly string[];
}

/** Opens `dir` twice, from its snapshot and from the whole log, and compares everything the readers show. */
export async function checkSnapshotAgainstLog(dir: string): Promise<SnapshotCheck> {
  const cached = await openRunView(dir);
  try {
    const replayed = await openRunView(dir, { snapshot: false });
    try {
      return {
        fromSeq: cached.fromSeq,
        lastSeq: cached.counters.proposals - 1,
        differences: compareViews(cached, replayed),
      };
    } finally {
      await replayed.close();
    }
  } finally {
    await cached.close();
  }
}

function compareViews(a: RunView, b: RunView): string[] {
  const report = (v: RunView): unknown => ({ ...buildSnapshot(v), generatedAt: '' });
  const elites = (v: RunView): unknown => [...(v.archive.members?.() ?? v.archive.elites())];
  const checks: [string, (v: RunView) => unknown][] = [
    ['summary', (v) => v.summary],
    ['elites', elites],
    ['archive stats', (v) => v.archive.stats()],
    ['report', report],
    ['tally', (v) => v.tally.state()],
  ];
  return checks.filter(([, of]) => !isDeepStrictEqual(of(a), of(b))).map(([name]) => name);
}
