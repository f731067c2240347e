// Opening an LMDB file while another process commits to it. The LMDB that lmdb-js builds stores the "last transaction"
// it read at open time into the shared lock file: a commit landing in between set it back, and the writer's next
// commit was lost or failed (`MDB_PROBLEM: mdb_page_touch no parent`). Every new reader process (`elites runs`,
// inspect, the dashboard) and every run opening a shared cache is such an open. Here a child appends to a run log,
// one commit per event, while this process opens and closes the file over and over; before the open gate
// (store/lmdb-env.ts) the child died or its log lost events in 22 of 23 tries (10 of 10 with both cores busy).
// Needs `npm run build`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closeLmdb, openLmdb } from '../../store/lmdb-env.js';
import { lmdbFileProblem } from '../../store/lmdb-guard.js';
import { STORE_FILE } from '../../store/run-store.js';
import { checkRunLog, repoRoot } from '../helpers/kill-harness.js';
import { useRunFiles } from '../helpers/files.js';
import { waitFor } from '../helpers/wait.js';

const EVENTS = 2500;

// The child: the built run store, each append awaited (its own commit), a failed write reported and exit 2.
const CHILD = `
const [storeModule, dir, events] = process.argv.slice(2);
const { openRunStore } = await import(storeModule);
const store = openRunStore(dir, { write: true });
try {
  for (let seq = 0; seq < Number(events); seq++)
    await store.append({ seq, id: seq, ok: true, src: 'e', f: seq, st: 'n', cell: 0, t: 0 });
} catch (error) {
  process.stderr.write(String(error) + '\\n');
  process.exitCode = 2;
}
await store.close();
`;

describe('opening an LMDB file beside a process that commits to it', () => {
  it('never costs the writer a commit, however often the file is opened', async () => {
    const dir = useRunFiles({ 'child.mjs': CHILD });
    const run = join(dir, 'run');
    const file = join(run, STORE_FILE);
    const storeModule = pathToFileURL(join(repoRoot, 'dist/store/run-store.js')).href;
    const child = spawn(process.execPath, [join(dir, 'child.mjs'), storeModule, run, String(EVENTS)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    let exited = false;
    const done = new Promise<number | null>((resolve) =>
      child.on('close', (code) => {
        exited = true;
        resolve(code);
      }),
    );
    // The writer made the file (opening it first here would create it: not the case under test).
    await waitFor(() => exited || lmdbFileProblem(file) === undefined, {
      what: 'the writer to create its store',
      detail: () => stderr,
    });
    let opens = 0;
    while (!exited) {
      // A fresh environment each time (a writer's is closed, not kept): what every new process does.
      await closeLmdb(openLmdb(file, { maxDbs: 8 }));
      opens++;
      await nextTurn();
    }
    expect(await done, stderr).toBe(0);
    expect(opens).toBeGreaterThan(10);
    const log = await checkRunLog(run);
    expect({ events: log.events, contiguous: log.seqContiguous }).toEqual({ events: EVENTS, contiguous: true });
  });
});
