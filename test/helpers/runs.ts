// Reading a run directory back in tests: its whole event log, and its exported elites.
import type { RunEvent } from '../../store/events.js';
import { exportRun } from '../../report/inspect.js';
import { openRunView } from '../../search/run-view.js';

/** Every logged event of a run, in order. */
export async function eventsOf(runDir: string): Promise<RunEvent[]> {
  const view = await openRunView(runDir);
  try {
    return [...view.events()];
  } finally {
    await view.close();
  }
}

/** The run's elites as `elites export --format json` writes them. */
export async function elitesOf(runDir: string): Promise<unknown> {
  return (JSON.parse(await exportRun(runDir, { format: 'json' })) as { elites: unknown }).elites;
}
