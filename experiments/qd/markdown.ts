// docs/quality-diversity.md from the rows' results: tables per benchmark, verdicts, what was not run, and prose
// written from the numbers (so a rerun writes other, true sentences).
import { bullet, countWord, list, thousands } from '../prose.js';
import { BENCHMARKS } from './rows.js';
import { atLeastBest, type RowResult, type Stat } from './summary.js';
import type { Benchmark, QdResults, RowSpec } from './types.js';

export const MIN_SEEDS = 3;

export interface PageInput {
  readonly results: QdResults;
  readonly rows: readonly RowResult[];
  /** Rows with no run at their full budget. */
  readonly missing: readonly { spec: RowSpec; budget: number; reason: string }[];
  readonly seedsWanted: number;
  /** The chart's file name, beside the page; undefined when nothing ran. */
  readonly chart: string | undefined;
}

const sd = (s: Stat, f: (x: number) => string): string =>
  s.sd === undefined ? f(s.mean) : `${f(s.mean)} ± ${f(s.sd)}`;
const int = (x: number): string => thousands(Math.round(x));
const two = (x: number): string => x.toFixed(2);
const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
// "+1.4", "−0.2"; a value that rounds to zero is "±0.0" (never "−0.0").
const signed = (x: number, digits: number): string =>
  Math.abs(x) < 0.5 * 10 ** -digits ? `±${(0).toFixed(digits)}` : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;

function published(spec: RowSpec): string {
  const a = spec.anchor ?? spec.reference;
  if (!a) return spec.atLeastBestOf ? 'at least the best single emitter type' : '—';
  const qd = spec.normalised ? two(a.qd) : int(a.qd);
  const qdSd = a.qdSd === undefined ? '' : ` ± ${spec.normalised ? two(a.qdSd) : int(a.qdSd)}`;
  const cov = `${a.coverage}%${a.coverageSd === undefined ? '' : ` ± ${a.coverageSd}`}`;
  return `${qd}${qdSd} / ${cov}${spec.reference ? ' (reference, not an anchor)' : ''}`;
}

function verdictCell(row: RowResult, all: readonly RowResult[]): string {
  const seeds = row.runs.length < MIN_SEEDS ? `, ${row.runs.length} of ${MIN_SEEDS} seeds` : '';
  if (row.verdict) {
    const v = row.verdict;
    const tol = `tol ±${((v.qdTolerance / Math.abs(row.spec.anchor?.qd ?? 1)) * 100).toFixed(1)}%`;
    const words = v.pass ? '**within**' : '**off**';
    return `${words}: QD ${signed(v.qdDiff * 100, 1)}% (${tol}), coverage ${signed(v.coverageDiff, 2)} pt${seeds}`;
  }
  if (row.spec.atLeastBestOf) {
    const others = all.filter((r) => row.spec.atLeastBestOf?.includes(r.spec.id));
    const check = atLeastBest(row, others);
    if (!check) return `no single-emitter row measured${seeds}`;
    const diff = (row.qd.mean / check.best.qd.mean - 1) * 100;
    return `${check.pass ? '**within**' : '**off**'}: ${signed(diff, 1)}% vs ${check.best.spec.algorithm} (${int(check.best.qd.mean)})${seeds}`;
  }
  if (row.spec.reference) {
    const diff = (row.qd.mean / row.spec.reference.qd - 1) * 100;
    return `QD ${signed(diff, 1)}%, coverage ${signed(row.coverage.mean - row.spec.reference.coverage, 2)} pt vs the reference${seeds}`;
  }
  return '—';
}

function table(rows: readonly RowResult[], all: readonly RowResult[]): string[] {
  const normalised = rows[0]?.spec.normalised ?? false;
  const head = normalised
    ? '| Algorithm | Config | Seeds | QD score | QD / cells | Coverage | Evaluations/s | Paper: QD / cells / coverage | Verdict | Load (1 min) |'
    : '| Algorithm | Config | Seeds | QD score | Coverage | Evaluations/s | Published: QD / coverage | Verdict | Load (1 min) |';
  const rule = normalised
    ? '|---|---|---:|---:|---:|---:|---:|---:|---|---:|'
    : '|---|---|---:|---:|---:|---:|---:|---|---:|';
  const lines = [head, rule];
  for (const r of rows) {
    const cells = [
      r.spec.algorithm,
      `\`${r.spec.config}\``,
      r.runs.map((x) => x.seed).join(', '),
      sd(r.qd, int),
      ...(normalised ? [sd(r.normalised, two)] : []),
      `${sd(r.coverage, two)}%`,
      sd(r.evaluationsPerSecond, int),
      published(r.spec),
      verdictCell(r, all),
      `${r.load[0].toFixed(1)}–${r.load[1].toFixed(1)}`,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

const label = (r: RowResult): string => `${BENCHMARKS[r.spec.benchmark].short} ${r.spec.algorithm}`;

/** pyribs 0.10's CMA-MAE on the sphere on this machine kind (issue 17): 5.4M evaluations in 105.8 s. */
const PYRIBS_CMA_MAE_SECONDS = 105.8;

function reading(rows: readonly RowResult[], missing: PageInput['missing'], cores: number): string[] {
  const out: string[] = [];
  const judged = rows.filter((r) => r.verdict);
  const full = judged.filter((r) => r.runs.length >= MIN_SEEDS);
  const passed = full.filter((r) => r.verdict?.pass);
  const provisional = judged.filter((r) => r.runs.length < MIN_SEEDS);
  const within = provisional.filter((r) => r.verdict?.pass).map(label);
  out.push(
    ...bullet(
      `${capital(countWord(judged.length))} anchored row${judged.length === 1 ? '' : 's'} measured, ` +
        `${full.length === 0 ? 'none' : countWord(full.length)} with at least ${countWord(MIN_SEEDS)} seeds` +
        (full.length === 0
          ? ''
          : `; of those, ${passed.length === full.length ? 'all' : passed.length === 0 ? 'none' : countWord(passed.length)} ` +
            `within tolerance${passed.length > 0 && passed.length < full.length ? ` (${list(passed.map(label))})` : ''}`) +
        '.' +
        (provisional.length > 0
          ? ` On fewer seeds (provisional), ${within.length === 0 ? 'none' : list(within)} ${within.length === 1 ? 'is' : 'are'} within tolerance.`
          : '') +
        (missing.length > 0
          ? ` ${capital(countWord(missing.length))} row${missing.length === 1 ? ' was' : 's were'} not run (listed under each table).`
          : ''),
    ),
  );
  for (const r of judged) {
    const v = r.verdict!;
    if (v.pass) continue;
    const value = r.spec.normalised ? two(r.normalised.mean) : int(r.qd.mean);
    const pub = r.spec.normalised ? two(r.spec.anchor!.qd) : int(r.spec.anchor!.qd);
    const what: string[] = [];
    if (!v.qdOk) what.push(`its QD ${value} is ${signed(v.qdDiff * 100, 1)}% from the published ${pub}`);
    else what.push(`its QD ${value} is within tolerance (${signed(v.qdDiff * 100, 1)}% from ${pub})`);
    if (!v.coverageOk)
      what.push(
        `its coverage ${two(r.coverage.mean)}% is ${signed(v.coverageDiff, 2)} points from ${r.spec.anchor!.coverage}%`,
      );
    const seeds = `${countWord(r.runs.length)} seed${r.runs.length === 1 ? '' : 's'}`;
    out.push(...bullet(`Off, ${label(r)} (${seeds}): ${what.join(', but ')}.`));
  }
  const bandit = rows.find((r) => r.spec.atLeastBestOf);
  if (bandit) {
    const check = atLeastBest(
      bandit,
      rows.filter((r) => bandit.spec.atLeastBestOf?.includes(r.spec.id)),
    );
    if (check)
      out.push(
        ...bullet(
          `The bandit scheduler over Gaussian, iso-line and CMA-MAE emitters reaches QD ${int(bandit.qd.mean)} on the sphere, ` +
            `${check.pass ? 'at least' : 'below'} the best single emitter type (${check.best.spec.algorithm}, ` +
            `${int(check.best.qd.mean)}; ${signed((bandit.qd.mean / check.best.qd.mean - 1) * 100, 2)}%).`,
        ),
      );
  }
  const sphere = rows.find((r) => r.spec.id === 'sphere-cma-mae');
  if (sphere)
    out.push(
      ...bullet(
        `CMA-MAE on the sphere took ${sd(sphere.seconds, (x) => x.toFixed(1))} s for 5.4M evaluations with every proposal ` +
          `logged, ${sphere.seconds.mean < PYRIBS_CMA_MAE_SECONDS ? 'under' : 'over'} pyribs 0.10's ` +
          `${PYRIBS_CMA_MAE_SECONDS} s on this machine kind, at a load average of ` +
          `${sphere.load[0].toFixed(1)}–${sphere.load[1].toFixed(1)} on ${countWord(cores)} cores.`,
      ),
    );
  const ordered = (b: Benchmark): string[] =>
    rows
      .filter((r) => r.spec.benchmark === b && r.verdict)
      .sort((x, y) => y.qd.mean - x.qd.mean)
      .map((r) => r.spec.algorithm);
  for (const b of ['rastrigin', 'arm', 'sphere'] as const) {
    const names = ordered(b);
    if (names.length >= 2) out.push(...bullet(`${capital(BENCHMARKS[b].short)}, by mean QD: ${names.join(' > ')}.`));
  }
  return out;
}

export function markdown(input: PageInput): string {
  const { results, rows, missing, chart } = input;
  const lines: string[] = [
    '# Quality diversity: published tables reproduced',
    '',
    '<!-- Written by experiments/qd-report.ts from bench/results/quality-diversity.json; do not edit by hand. -->',
    '',
    "Each row runs one config for several seeds at the anchor's full budget and compares the mean with the published",
    "number: pyribs' sphere table, and the CMA-MAE paper's linear-projection Rastrigin and planar-arm tables",
    '(Fontaine & Nikolaidis 2023, arXiv:2205.10752, settings read from icaros-usc/cma_mae `experiments/`). QD score is',
    'the sum of the elites\' objectives (QD offset 0); the paper reports it divided by the 10,000 cells ("QD / cells").',
    'A row is **within** tolerance when its mean QD is within 2% of the published one (or within the published ±',
    'where that is wider) and its mean coverage within 1 point; a verdict on fewer than three seeds says so.',
    'Means are ± sample SD over seeds. Evaluations/s is wall-clock and inline (workers 0), on a machine with',
    `${results.cores} cores (${results.cpu}) shared with other work: the load column is the 1-minute load average`,
    'at the starts and ends of the runs.',
    '',
    'Regenerate: `npm run qd-report` (all rows, 3 seeds; `-- --seeds N`, `-- --only ID[,ID]`, `-- --budget N` for a',
    'quick check that leaves this page alone, `-- --markdown-only` to rewrite it from the JSON). Finished runs are kept',
    'in the JSON and not run again.',
    '',
  ];
  if (chart) lines.push(`![QD score over evaluations, mean over seeds, per benchmark and algorithm](${chart})`, '');
  lines.push('## Reading the tables', '', ...reading(rows, missing, results.cores), '');
  for (const b of Object.keys(BENCHMARKS) as Benchmark[]) {
    const these = rows.filter((r) => r.spec.benchmark === b);
    const absent = missing.filter((m) => m.spec.benchmark === b);
    if (these.length === 0 && absent.length === 0) continue;
    lines.push(`## ${BENCHMARKS[b].title}`, '', `Setting: ${BENCHMARKS[b].setting}.`, '');
    if (these.length > 0) lines.push(...table(these, rows), '');
    for (const m of absent)
      lines.push(
        `- Not run: ${m.spec.algorithm} (\`${m.spec.config}\`, ${thousands(m.budget)} evaluations): ${m.reason}.`,
      );
    if (absent.length > 0) lines.push('');
  }
  const sources = [...new Set(rows.flatMap((r) => (r.spec.anchor ? [r.spec.anchor.source] : [])))];
  if (sources.length > 0) lines.push('Published numbers:', ...sources.map((s) => `- ${s}`), '');
  const commits = [...new Set(rows.flatMap((r) => r.runs.map((x) => x.commit)))];
  const dates = rows.flatMap((r) => r.runs.map((x) => x.date)).sort();
  if (dates.length > 0)
    lines.push(
      `Runs made ${dates[0]!.slice(0, 16).replace('T', ' ')} – ${dates[dates.length - 1]!.slice(0, 16).replace('T', ' ')} UTC ` +
        `at commit${commits.length === 1 ? '' : 's'} ${commits.map((c) => c.slice(0, 7)).join(', ')}.`,
      '',
    );
  return `${lines.join('\n')}`;
}
