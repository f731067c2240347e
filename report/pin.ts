// Keeps a run's LMDB environment open in a long-lived reader process (the dashboard) between its looks at the run.
//
// Why: lmdb-js shares one environment per file in a process. A process that opens and closes a run that another
// process is writing, several times a second, was seen to get stuck on an old read snapshot: every later open
// showed the same old log (with a newer status), for good. Holding one handle open across those opens keeps the
// environment (and its read-transaction bookkeeping) alive, and the looks stayed current in the same experiment.
// The pin itself never reads, so it holds no read transaction: the writer can reuse pages as usual.
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { STORE_FILE } from '../store/run-store.js';

export class EnvironmentPins {
  private readonly pins = new Map<string, RootDatabase>();

  /** Pins the run in `dir` (once); call only after the run's store has been read successfully. */
  pin(dir: string): void {
    if (this.pins.has(dir)) return;
    try {
      this.pins.set(dir, open({ path: join(dir, STORE_FILE), noSubdir: true, readOnly: true, maxDbs: 8 }));
    } catch {
      // not pinnable (removed, damaged): the looks still work, only without the pin
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.pins.values()];
    this.pins.clear();
    await Promise.all(all.map((root) => root.close().catch(() => undefined)));
  }
}
