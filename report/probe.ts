// What the dashboard's run list shows, read cheaply: the store's last seq, status and last checkpoint; no log replay.
import { basename } from 'node:path';
import { openRunStore, readRunStatus } from '../store/run-store.js';
import type { RunConfig } from '../search/config.js';
import type { RunProbe } from './snapshot-types.js';

/** Never throws: a directory that cannot be read is listed as `unreadable` with the reason. */
export async function probeRun(dir: string): Promise<RunProbe> {
  const id = basename(dir);
  let store: ReturnType<typeof openRunStore> | undefined;
  try {
    store = openRunStore(dir, { write: false });
    const config = store.getMeta<RunConfig>('config');
    const last = store.lastSeq();
    const point = store.loadCheckpoint()?.history.points.at(-1);
    const status = readRunStatus(store, dir); // last: it may renew the snapshot
    return {
      id,
      name: config?.name ?? id,
      status,
      version: `${last}:${status}`,
      proposals: last + 1,
      budget: {
        ...(config?.budget.evaluations !== undefined ? { evaluations: config.budget.evaluations } : {}),
        ...(config?.budget.seconds !== undefined ? { seconds: config.budget.seconds } : {}),
      },
      best: point?.best ?? null,
      coverage: point?.coverage ?? null,
      seconds: point?.seconds ?? null,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      id,
      name: id,
      status: 'unreadable',
      version: `unreadable:${message}`,
      proposals: 0,
      budget: {},
      best: null,
      coverage: null,
      seconds: null,
      error: message,
    };
  } finally {
    await store?.close();
  }
}
