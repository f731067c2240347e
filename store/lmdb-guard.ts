// Guards around lmdb-js: refuse files that are not LMDB before opening them (lmdb-js crashes the process on
// them), find the real cause of a failed commit, and bound waits that a failed commit may leave unsettled.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

const MDB_MAGIC = 0xbeefc0de;
/** An LMDB file starts with two meta pages; a shorter one is truncated. */
const MIN_LMDB_BYTES = 8192;

/**
 * Why `path` cannot be opened as LMDB, or undefined when it can (or does not exist yet). lmdb-js maps the file and
 * segfaults on garbage or a truncated header, so this reads the first meta page first: its magic number and version.
 * `empty`: a 0-byte file (created, killed before LMDB wrote its header): a writer initialises it, a reader cannot.
 */
export function lmdbFileProblem(
  path: string,
): { readonly kind: 'empty' | 'foreign'; readonly message: string } | undefined {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return { kind: 'foreign', message: `${path} is a directory, not an LMDB file` };
    size = stat.size;
  } catch {
    return undefined; // missing: LMDB creates it
  }
  if (size === 0) return { kind: 'empty', message: `${path} is empty (never initialised)` };
  const head = Buffer.alloc(64);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  // The meta record follows the page header (16 bytes in LMDB 0.9, 24 in the LMDB 1.x that lmdb-js builds).
  const magicAt = [16, 24].find((offset) => head.readUInt32LE(offset) === MDB_MAGIC);
  if (magicAt === undefined) return { kind: 'foreign', message: `${path} is not an LMDB file` };
  if (size < MIN_LMDB_BYTES) return { kind: 'foreign', message: `${path} is a truncated LMDB file (${size} bytes)` };
  return undefined;
}

/**
 * lmdb-js rejects a failed commit with a generic error whose `commitError` (a rejected promise) holds the cause.
 * Reading it also marks that promise handled; left alone, its rejection would end the process.
 */
export async function commitCause(error: unknown): Promise<string | undefined> {
  const commitError = (error as { commitError?: Promise<unknown> } | undefined)?.commitError;
  if (!commitError) return undefined;
  const cause = await Promise.resolve(commitError).then(
    () => undefined,
    (e: unknown) => e,
  );
  return cause instanceof Error ? cause.message : cause === undefined ? undefined : String(cause);
}

/** Resolves when `value` settles (either way) or after `ms`, whichever comes first. */
export function settleWithin(value: unknown, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    Promise.resolve(value).then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });
}
