// The one way elites opens an LMDB file, so that processes sharing a file never harm each other: a run watched by
// `elites status` or the dashboard while it writes, a result cache shared by two runs.
import { statSync } from 'node:fs';
import { open, type Database, type Key, type RootDatabase } from 'lmdb';

/** Address space reserved per file (not disk: the file grows with its data); readers and writer map the same size. */
const MAP_BYTES = 64 * 2 ** 30;

export interface OpenLmdbOptions {
  readonly maxDbs: number;
  /** Initial map size in bytes (lmdb-js grows the map past it on demand); for tests. */
  readonly mapSize?: number;
  /** The caller only reads: the environment is shared and kept open (see below), and `openTable` creates nothing. */
  readonly reader?: boolean;
}

/** Reader environments, one per file (path and inode) in this thread, kept open until the thread ends. */
const readers = new Map<string, { readonly ino: number; readonly root: RootDatabase }>();
const pinned = new WeakSet<RootDatabase>();

/**
 * Opens an LMDB file (one data file, its lock file beside it). What lmdb-js 3.5 needs, measured with a writer process
 * and a reading process on one run store (test/reliability/shared-files.test.ts):
 * - **Readers keep their environment open.** A process that opened and closed a run's environment on each look
 *   while another process wrote made that writer lose commits: a gap in the run log, later events and checkpoints
 *   landing after it, `mdb_page_dirty` assertions. So a reader's environment is opened once per file and thread and
 *   closed only when the thread or process ends (`closeLmdb` leaves it open); each look renews its read snapshot.
 * - **Readers open read-write and simply never write.** Environments opened `readOnly` beside a writer showed the
 *   same lost commits. Only where the file cannot be opened for writing (read-only media, no permission) does a
 *   reader fall back to `readOnly`: no process can be writing it there.
 * - **overlappingSync off, one map size, in every process.** A commit is on disk when its promise resolves (with
 *   lmdb-js's default overlapping sync, the first process to open a file after a kill rolls back to the last synced
 *   commit, losing committed events), and no process needs to grow its map while another maps the file.
 */
export function openLmdb(path: string, options: OpenLmdbOptions): RootDatabase {
  const settings = {
    path,
    noSubdir: true,
    overlappingSync: false,
    maxDbs: options.maxDbs,
    mapSize: options.mapSize ?? MAP_BYTES,
  };
  if (!options.reader) return open(settings);
  const ino = statSync(path).ino; // the file a reader opens exists (callers check); a new file at the path is a new run
  const known = readers.get(path);
  if (known?.ino === ino) {
    known.root.resetReadTxn(); // see what was committed since the last look
    return known.root;
  }
  let root: RootDatabase;
  try {
    root = open(settings);
  } catch (error) {
    if (!/permission denied|read-only file system|EACCES|EROFS|EPERM/i.test(String(error))) throw error;
    root = open({ ...settings, readOnly: true });
  }
  readers.set(path, { ino, root }); // a replaced file's old environment stays open: no process writes the old file
  pinned.add(root);
  return root;
}

/** Closes what `openLmdb` opened to write; a reader's shared environment stays open (see `openLmdb`). */
export function closeLmdb(root: RootDatabase): Promise<void> {
  return pinned.has(root) ? Promise.resolve() : root.close();
}

/** A named table of `root`; a reader never creates one (undefined when the writer has not made it yet). */
export function openTable<V, K extends Key = Key>(
  root: RootDatabase,
  name: string,
  options: { readonly reader?: boolean; readonly keyEncoding?: 'uint32'; readonly cache?: boolean },
): Database<V, K> | undefined {
  const { reader, ...rest } = options;
  const dbOptions = { name, ...rest, create: !reader }; // `create` is an lmdb-js option its types leave out
  return root.openDB<V, K>(dbOptions) as Database<V, K> | undefined;
}
