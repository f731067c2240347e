// Reading runs for people and scripts: inspect (summary, heatmap, top elites), export (csv, jsonl, json), and the run list.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Elite } from '../archive/archive.js';
import { renderHeatmap, type HeatmapOptions } from '../archive/heatmap.js';
import type { RunEvent } from '../store/events.js';
import { UsageError } from '../core/errors.js';
import type { RunView } from '../search/run-view.js';
import type { RunSummary } from '../search/summary.js';
import { hypervolume } from '../core/hypervolume.js';
import { paretoFront } from '../core/pareto.js';
import { fromScore, fromScores, type Direction } from '../core/types.js';
import { sampleFields } from '../search/summary.js';

export interface EliteRecord {
  readonly id: number;
  readonly cell: number;
  readonly fitness: number;
  readonly descriptors: readonly number[];
  readonly text: string;
  readonly genome: unknown;
  /** The evaluator's metrics for this elite (e.g. test accuracy next to the fitness it was selected on). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Aggregate mode: samples behind its mean; provisional when fewer than `cache.minSamples`. */
  readonly samples?: number;
  readonly provisional?: boolean;
  /** Several objectives (the config's `objectives`), raw. */
  readonly objectives?: readonly number[];
}

/** A Pareto archive (mome, pareto) seen whole: its global front and each cell's front. */
export interface ParetoInspection {
  readonly names: readonly string[];
  readonly directions: readonly Direction[];
  /** The reference point, raw. */
  readonly reference: readonly number[];
  /** Hypervolume of the front of all members; `moqdScore`: Σ over cells of each front's hypervolume. */
  readonly hypervolume: number;
  readonly moqdScore: number;
  readonly members: number;
  /** The members no other member dominates, in ascending order of the first objective (raw). */
  readonly front: readonly EliteRecord[];
  /** Each filled cell's front: size and hypervolume, largest hypervolume first. */
  readonly cells: readonly { readonly cell: number; readonly size: number; readonly hypervolume: number }[];
}

/** What `inspectRun` returns: a run's summary, its top elites and a text heatmap (not the HTML report of report/report.ts). */
export interface RunInspection {
  readonly summary: RunSummary;
  readonly top: readonly EliteRecord[];
  readonly heatmap: string;
  readonly history: RunView['history'];
  /** Pareto archives only. */
  readonly pareto?: ParetoInspection;
}

/**
 * The run reader, imported at the first run read: it brings the store and the space and archive registries (with zod),
 * which `elites runs` on a directory without runs does not need. Not the config's schemas: a stored config was valid.
 */
async function reader() {
  const [{ openRunView }, { dimsOf }] = await Promise.all([
    import('../search/run-view.js'),
    import('../search/config-access.js'),
  ]);
  return { openRunView, dimsOf };
}

/** Summary, text heatmap and the top-K elites of a run (running, finished or killed). */
export async function inspectRun(
  dir: string,
  options: { top?: number; paint?: HeatmapOptions['paint'] } = {},
): Promise<RunInspection> {
  const { openRunView, dimsOf } = await reader();
  const view = await openRunView(dir);
  try {
    // Ranked by score (direction applied) before any is described: a long run's archive holds thousands.
    const ranked = membersOf(view).sort((a, b) => b.score - a.score);
    const top = ranked.slice(0, options.top ?? 10).map((e) => eliteRecord(e, view));
    const heatmap = renderHeatmap(view.archive, dimsOf(view.config), {
      geometry: view.archive.geometry(),
      ...(options.paint ? { paint: options.paint } : {}),
    });
    const pareto = view.archive.members ? paretoOf(view, elitesOf(view)) : undefined;
    return { summary: view.summary, top, heatmap, history: view.history, ...(pareto ? { pareto } : {}) };
  } finally {
    await view.close();
  }
}

export type ExportFormat = 'csv' | 'jsonl' | 'json';

/** Characters handed to the sink at once. */
const CHUNK_CHARS = 1 << 20;

/** Receives an export piece by piece; a promise it returns is awaited before the next piece (backpressure). */
export type ExportSink = (text: string) => void | Promise<void>;

/** The archive's elites (or, with `all`, every logged event) as text in the given format. */
export async function exportRun(dir: string, options: { format: ExportFormat; all?: boolean }): Promise<string> {
  const parts: string[] = [];
  await writeExport(dir, options, (text) => void parts.push(text));
  return parts.join('');
}

/**
 * As exportRun, written to `sink` as it is made: with `all`, the log is read as it is written out (twice for csv: the
 * columns first), so memory stays flat whatever its length.
 */
export async function writeExport(
  dir: string,
  options: { format: ExportFormat; all?: boolean },
  sink: ExportSink,
): Promise<void> {
  const { openRunView, dimsOf } = await reader();
  const view = await openRunView(dir);
  try {
    const names = dimsOf(view.config).map((d) => d.name);
    if (options.all) {
      const rows = function* (): Iterable<Record<string, unknown>> {
        for (const e of view.events()) yield eventRow(e, names, view);
      };
      await writeRows(rows, options.format, sink);
      return;
    }
    if (options.format === 'json') {
      const rows = elitesOf(view).map((e) => eliteRow(e, names, view));
      await sink(`${JSON.stringify({ summary: view.summary, elites: rows }, null, 2)}\n`);
      return;
    }
    // Row by row (a row is garbage once written); the csv columns from rows with no genome described or encoded.
    const members = membersOf(view);
    const rowsOf = (full: boolean) =>
      function* (): Iterable<Record<string, unknown>> {
        for (const e of members) yield eliteRow(eliteRecord(e, view, full), names, view);
      };
    await writeRows(rowsOf(true), options.format, sink, rowsOf(false));
  } finally {
    await view.close();
  }
}

/**
 * Rows in a format, as JSON.stringify(rows, null, 2), JSON lines or csv would write them all at once; `rows` is read
 * once (twice for csv) and never held whole. Output is handed on in pieces of about 1 MB (few writes, flat memory).
 */
async function writeRows(
  rows: () => Iterable<Record<string, unknown>>,
  format: ExportFormat,
  sink: ExportSink,
  columnsOf: () => Iterable<Record<string, unknown>> = rows,
): Promise<void> {
  let buffered: string[] = [];
  let size = 0;
  const emit = async (text: string): Promise<void> => {
    buffered.push(text);
    size += text.length;
    if (size < CHUNK_CHARS) return;
    const piece = buffered.join('');
    buffered = [];
    size = 0;
    await sink(piece);
  };
  if (format === 'csv') {
    const columns = new Set<string>();
    for (const r of columnsOf()) for (const k of Object.keys(r)) columns.add(k);
    const header = [...columns];
    await emit(`${header.join(',')}\n`);
    for (const r of rows()) await emit(`${header.map((c) => csvCell(r[c])).join(',')}\n`);
  } else if (format === 'jsonl') {
    for (const r of rows()) await emit(`${JSON.stringify(r)}\n`);
  } else {
    let first = true;
    for (const r of rows()) {
      // An element of a 2-space-indented array: its own lines indented once more (strings hold no raw newline).
      await emit(`${first ? '[\n' : ',\n'}  ${JSON.stringify(r, null, 2).replace(/\n/g, '\n  ')}`);
      first = false;
    }
    await emit(first ? '[]\n' : '\n]\n');
  }
  if (buffered.length > 0) await sink(buffered.join(''));
}

export interface RunListing {
  readonly dir: string;
  readonly status: string;
  readonly proposals: number;
  readonly best: number | null;
  readonly coverage: number;
  readonly error?: string;
}

/**
 * Every run directory directly under `parent` (default ./runs), read without opening a log: a finished run from its
 * summary.json, a running or killed one from its last checkpoint (best and coverage a few seconds behind).
 */
export async function listRuns(parent = 'runs'): Promise<RunListing[]> {
  const root = resolve(parent);
  if (!existsSync(root))
    throw new UsageError(
      `no runs directory at ${parent}`,
      'Runs are written to ./runs by default; pass the directory that holds them.',
    );
  const out: RunListing[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!existsSync(join(dir, 'store.mdb'))) continue;
    // Imported at the first run: the store (LMDB) is not needed to list a directory without runs.
    const { readRunBrief } = await import('./probe.js');
    try {
      const brief = await readRunBrief(dir);
      if (!brief.config)
        throw new UsageError(`${dir} holds no run yet (no config saved)`, 'It is starting, or was stopped before.');
      out.push({
        dir,
        status: brief.status,
        proposals: brief.proposals,
        best: brief.best,
        coverage: brief.coverage ?? 0,
      });
    } catch (error) {
      out.push({ dir, status: 'unreadable', proposals: 0, best: null, coverage: 0, error: (error as Error).message });
    }
  }
  return out;
}

/** The global front and the cells' fronts of a Pareto archive; undefined for an archive of one elite per cell. */
function paretoOf(view: RunView, members: readonly EliteRecord[]): ParetoInspection | undefined {
  const { archive, config } = view;
  const reference = archive.reference;
  const objectives = config.objectives;
  if (!archive.members || !reference || !objectives) return undefined;
  const scored = [...archive.members()];
  const points = scored.map((e) => e.objectives!);
  const onFront = new Set(paretoFront(points).map((i) => scored[i]!.id));
  const cells = new Map<number, number[][]>();
  for (const e of scored) cells.set(e.cell, [...(cells.get(e.cell) ?? []), [...e.objectives!]]);
  const stats = archive.stats();
  return {
    names: objectives.directions.map((_, i) => objectives.names?.[i] ?? `objective ${i + 1}`),
    directions: objectives.directions,
    reference: fromScores(reference, objectives.directions),
    hypervolume: stats.hypervolume ?? 0,
    moqdScore: stats.qdScore,
    members: scored.length,
    front: members.filter((m) => onFront.has(m.id)).sort((a, b) => a.objectives![0]! - b.objectives![0]!),
    cells: [...cells]
      .map(([cell, front]) => ({ cell, size: front.length, hypervolume: hypervolume(front, reference) }))
      .sort((a, b) => b.hypervolume - a.hypervolume || a.cell - b.cell),
  };
}

/** The archive's elites; every member of every front for a Pareto archive. */
function elitesOf(view: RunView): EliteRecord[] {
  return membersOf(view).map((e) => eliteRecord(e, view));
}

/** Every member of the archive: a Pareto archive's members, or one elite per cell. */
function membersOf(view: RunView): Elite<unknown>[] {
  return [...(view.archive.members?.() ?? view.archive.elites())];
}

/** `full` false: the same fields, but the genome neither described nor encoded (text '', genome null). */
function eliteRecord(e: Elite<unknown>, view: RunView, full = true): EliteRecord {
  const directions = view.config.objectives?.directions;
  return {
    id: e.id,
    cell: e.cell,
    fitness: fromScore(e.score, view.config.direction),
    descriptors: [...e.descriptors],
    text: full ? view.space.describe(e.genome) : '',
    genome: full ? view.space.encode(e.genome) : null,
    metrics: { ...e.metrics },
    ...sampleFields(e.id, view.samples),
    ...(e.objectives && directions ? { objectives: fromScores(e.objectives, directions) } : {}),
  };
}

function eliteRow(e: EliteRecord, names: readonly string[], view: RunView): Record<string, unknown> {
  const row: Record<string, unknown> = { id: e.id, cell: e.cell, fitness: e.fitness };
  names.forEach((n, i) => (row[n] = e.descriptors[i]));
  e.objectives?.forEach((v, i) => (row[objectiveColumn(view, i)] = v));
  for (const [k, v] of Object.entries(e.metrics)) if (!(k in row)) row[k] = v; // the evaluator's metrics
  if (e.samples !== undefined) Object.assign(row, { samples: e.samples, provisional: e.provisional });
  row.text = e.text;
  row.genome = e.genome;
  return row;
}

function eventRow(e: RunEvent, names: readonly string[], view: RunView): Record<string, unknown> {
  const row: Record<string, unknown> = { seq: e.seq, id: e.id, ok: e.ok, seconds: e.t };
  if (e.ok) {
    Object.assign(row, {
      source: { e: 'evaluated', k: 'key', f: 'fingerprint' }[e.src],
      fitness: e.f,
      status: { n: 'new', i: 'improved', r: 'rejected', s: 'screened' }[e.st],
      cell: e.cell,
    });
    names.forEach((n, i) => (row[n] = e.d?.[i]));
    e.ob?.forEach((v, i) => (row[objectiveColumn(view, i)] = v)); // several objectives, raw
    for (const [k, v] of Object.entries(e.m ?? {})) if (!(k in row)) row[k] = v; // the evaluator's metrics
  } else Object.assign(row, { failure: e.kind, message: e.msg });
  if (e.fid) Object.assign(row, { fidelity: e.fid[0], sample: e.fid[1] }); // raced proposals: the stage they ran at
  if (e.g !== undefined) row.text = view.space.describe(view.space.decode(e.g));
  return row;
}

/** The export column of objective i: its name in the config, else objective_1, objective_2, … */
function objectiveColumn(view: RunView, i: number): string {
  return view.config.objectives?.names?.[i] ?? `objective_${i + 1}`;
}

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  // A genome: no quotes inside. JSON.stringify writes finite numbers as join() does (-0 as 0 too), ~2.5× faster.
  if (Array.isArray(v) && v.length > 1 && v.every(Number.isFinite)) return `"${JSON.stringify(v)}"`;
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
