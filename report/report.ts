// `elites report`: a run → one self-contained HTML file.
import { writeFileSync, renameSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { reportHtml } from './html.js';
import { readSnapshot, type SnapshotOptions } from './snapshot.js';
import type { ReportSnapshot } from './snapshot-types.js';

export interface WrittenReport {
  readonly path: string;
  readonly bytes: number;
  readonly snapshot: ReportSnapshot;
}

/**
 * Writes the report of the run in `dir` (running, finished or killed: it only reads) to `out`.
 * @throws {UsageError} when `dir` is not a run, or `out` cannot be written.
 */
export async function writeReport(dir: string, out: string, options: SnapshotOptions = {}): Promise<WrittenReport> {
  const snapshot = await readSnapshot(dir, options);
  const html = reportHtml(snapshot);
  const path = resolve(out);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, html);
    renameSync(temporary, path);
  } catch (error) {
    throw new UsageError(
      `cannot write the report to ${out}: ${(error as Error).message}`,
      'Pass an --out path in a directory you can write.',
    );
  }
  return { path, bytes: Buffer.byteLength(html), snapshot };
}
