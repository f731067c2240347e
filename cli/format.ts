// Human-readable run summaries and elite tables for the CLI.
import type { RunSummary } from '../search/summary.js';
import type { ParetoInspection } from '../report/inspect.js';
import { formatNumber } from './io.js';
import { createStyle, type Style } from './style.js';

export function formatSummary(s: RunSummary, style: Style = createStyle(false)): string {
  const hits = s.cacheHits.key + s.cacheHits.fingerprint;
  const lines = [
    `${style.bold(`run ${s.runId}`)}: ${style.status(s.status)}${s.stopReason ? ` (${s.stopReason})` : ''} after ${formatNumber(s.seconds, 3)} s`,
    `  proposals ${s.proposals}  evaluations ${s.evaluations}  cache hits ${hits} (key ${s.cacheHits.key}, fingerprint ${s.cacheHits.fingerprint})  failures ${s.failures}${s.pruned ? `  pruned ${s.pruned}` : ''}${s.steps ? `  steps ${s.steps}` : ''}${s.collisions ? `  collisions ${s.collisions}` : ''}`,
    s.archive.hypervolume === undefined
      ? `  archive ${s.archive.size}/${s.archive.cells} cells  coverage ${(s.archive.coverage * 100).toFixed(2)}%  QD score ${formatNumber(s.archive.qdScore, 6)} (offset ${formatNumber(s.archive.qdOffset)})`
      : `  archive ${s.archive.size}/${s.archive.cells} cells  coverage ${(s.archive.coverage * 100).toFixed(2)}%  ${s.archive.members ?? 0} Pareto members  hypervolume ${formatNumber(s.archive.hypervolume, 6)}  MOQD score ${formatNumber(s.archive.qdScore, 6)}`,
    s.best
      ? `  best ${style.bold(formatNumber(s.best.fitness, 8))}${samplesNote(s.best)} at [${s.best.descriptors.map((d) => formatNumber(d)).join(', ')}]: ${truncate(s.best.text, 100)}`
      : '  best -',
    `  dir ${s.dir}`,
  ];
  if (s.scoredBy) {
    lines.splice(-1, 0, `  scored by ${s.scoredBy.scorer}`);
    if (s.scoredBy.caveat) lines.splice(-1, 0, style.status('interrupted', `  caveat: ${s.scoredBy.caveat}`));
  }
  if (s.remeasured?.length) {
    lines.push(`  re-measured (${s.remeasured[0]?.samples.length ?? 0} rounds; median, spread, archived):`);
    for (const r of s.remeasured)
      lines.push(
        `    ${formatNumber(r.median, 6).padStart(10)}  ±${((r.spread ?? 0) * 50).toFixed(1).padStart(4)}%  (was ${formatNumber(r.archived, 6)})  #${r.id} ${truncate(r.text, 80)}${r.failures ? `  ${r.failures} failed` : ''}`,
      );
  }
  if (s.error) lines.push(style.status('failed', `  error: ${s.error}`));
  return lines.join('\n');
}

export interface EliteRow {
  readonly rank: number;
  readonly id: number;
  readonly cell: number;
  readonly fitness: number;
  readonly descriptors: readonly number[];
  readonly text: string;
  readonly samples?: number;
  readonly provisional?: boolean;
}

/** " (mean of n samples, provisional)" for an elite held at the mean of its samples (aggregate mode). */
function samplesNote(e: { readonly samples?: number; readonly provisional?: boolean }): string {
  if (e.samples === undefined) return '';
  return ` (mean of ${e.samples} sample${e.samples === 1 ? '' : 's'}${e.provisional ? ', provisional' : ''})`;
}

export function formatEliteTable(rows: readonly EliteRow[], style: Style = createStyle(false)): string {
  if (rows.length === 0) return '(no elites)';
  const header = ['#', 'id', 'cell', 'fitness', 'descriptors', 'elite'];
  const body = rows.map((r) => [
    String(r.rank),
    String(r.id),
    String(r.cell),
    formatNumber(r.fitness, 6) +
      (r.samples === undefined ? '' : ` (n=${r.samples}${r.provisional ? ', provisional' : ''})`),
    `[${r.descriptors.map((d) => formatNumber(d, 3)).join(', ')}]`,
    truncate(r.text, 60),
  ]);
  return table(header, body, style);
}

/** A Pareto archive's global front (objective columns, ↑ maximized / ↓ minimized) and, with several cells, its cells' fronts. */
export function formatPareto(p: ParetoInspection, limit: number, style: Style = createStyle(false)): string {
  const arrows = p.names.map((n, i) => `${n} ${p.directions[i] === 'minimize' ? '↓' : '↑'}`);
  const shown = evenly(p.front, limit);
  const header = ['id', 'cell', ...arrows, 'elite'];
  const body = shown.map((e) => [
    String(e.id),
    String(e.cell),
    ...(e.objectives ?? []).map((v) => formatNumber(v, 6)),
    truncate(e.text, 60),
  ]);
  const lines = [
    style.bold(
      `Pareto front: ${p.front.length} of ${p.members} members non-dominated${shown.length < p.front.length ? ` (${shown.length} shown, evenly along ${p.names[0]})` : ''}; hypervolume ${formatNumber(p.hypervolume, 6)} from reference [${p.reference.map((r) => formatNumber(r)).join(', ')}]`,
    ),
    table(header, body, style),
  ];
  if (p.cells.length > 1) {
    const top = p.cells.slice(0, limit);
    lines.push(
      '',
      style.bold(
        `cell fronts: ${p.cells.length} cells, MOQD score ${formatNumber(p.moqdScore, 6)} (Σ of their hypervolumes); ${top.length} largest:`,
      ),
      table(
        ['cell', 'members', 'hypervolume'],
        top.map((c) => [String(c.cell), String(c.size), formatNumber(c.hypervolume, 6)]),
        style,
      ),
    );
  }
  return lines.join('\n');
}

/** At most `limit` items spread evenly over `items` (ends included). */
function evenly<T>(items: readonly T[], limit: number): T[] {
  if (items.length <= limit) return [...items];
  return Array.from({ length: limit }, (_, i) => items[Math.round((i * (items.length - 1)) / (limit - 1))]!);
}

function table(header: readonly string[], body: readonly string[][], style: Style): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [style.bold(line(header)), ...body.map(line)].join('\n');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
