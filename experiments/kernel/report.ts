// One full kernel report: the searches, the interleaved re-measurement of each shape, the reduced space; written to
// bench/results/kernels.json (everything docs/kernels.md is written from), bench/results/kernel-table.json and the page.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  copiesOfB,
  DEFAULT_KERNEL_CONFIG,
  median,
  NAIVE_KERNEL_CONFIG,
  resolveShape,
} from '../../evaluators/kernel/index.js';
import { loadRunConfig } from '../../search/config.js';
import { repoRoot } from '../../tools/args.js';
import { machine, waitForQuiet, type LoadRecord } from './machine.js';
import { GOALS, roundRatios, rooflineRounds } from './goals.js';
import { markdown, type Report, type Rerun } from './markdown.js';
import { interleaved, type Candidate, type Measured } from './measure.js';
import { numpyGemm } from './numpy.js';
import { reducedSpace } from './reduced.js';
import { codeRepeats, SHAPES, search, searchName, topElites } from './searches.js';
import type { KernelReportSettings } from './settings.js';

/** Runs (or reuses) the searches of `shapes`; what each did, by shape. */
async function searches(
  settings: KernelReportSettings,
  loads: LoadRecord[],
  shapes: typeof SHAPES = SHAPES,
): Promise<Report['searches']> {
  const out: Report['searches'] = {};
  for (const { preset, config } of shapes) {
    await waitForQuiet(`search ${preset}`, settings.maxWaitSeconds, loads);
    const { summary, name } = await search(config, preset, settings.evaluations);
    out[preset] = {
      run: `runs/${name}`,
      proposals: summary.proposals,
      evaluations: summary.evaluations,
      keyHits: summary.cacheHits.key,
      fingerprintHits: summary.cacheHits.fingerprint,
      fingerprintShare: summary.cacheHits.fingerprint / summary.proposals,
      ...codeRepeats(join(repoRoot, 'runs', name, 'cache.mdb'), summary.proposals),
      failures: summary.failures,
      minutes: summary.seconds / 60,
      bestSearchFitness: summary.best?.fitness ?? null,
      archiveSize: summary.archive.size,
    };
  }
  return out;
}

/** One shape's row: its candidates re-measured together, with the bandwidth roofline of the same rounds. */
async function shapeRow(
  preset: (typeof SHAPES)[number]['preset'],
  config: string,
  withNumpy: boolean,
  settings: KernelReportSettings,
  loads: LoadRecord[],
): Promise<Record<string, unknown>> {
  const shape = resolveShape(preset);
  const elites = await topElites(searchName(preset), 3);
  const candidates: Candidate[] = [
    { label: 'naive', genome: { ...NAIVE_KERNEL_CONFIG } },
    { label: 'default', genome: { ...DEFAULT_KERNEL_CONFIG } },
    ...elites.map((e, i) => ({ label: `elite ${i + 1}`, genome: e.genome, searchFitness: e.searchFitness })),
    ...(withNumpy
      ? [
          { label: 'numpy', numpy: 'native' as const },
          { label: 'numpy avx2', numpy: 'avx2' as const },
        ]
      : []),
  ];
  await waitForQuiet(`re-measure ${preset}`, settings.maxWaitSeconds, loads);
  console.log(`re-measuring ${preset}: ${candidates.length} candidates × ${settings.rounds} rounds`);
  const coldMiB = (loadRunConfig(join(repoRoot, config)).evaluator.options as { coldMiB?: number }).coldMiB ?? 0;
  const judgedByRoofline = GOALS.some((g) => g.shape === preset && g.measure === 'roofline');
  const { rows, probes, numpyInfo } = await interleaved(shape, candidates, coldMiB, settings.rounds, judgedByRoofline);
  const eliteRows = rows
    .filter((r) => r.label.startsWith('elite') && Number.isFinite(r.gflops))
    .sort((a, b) => b.gflops - a.gflops);
  const best = eliteRows[0];
  const get = (label: string): Measured | undefined => rows.find((r) => r.label === label);
  const bandwidth = probes.map((p) => p.bandwidthGBps);
  const gbps = median(bandwidth);
  const bytes = 4 * (shape.m * shape.k + shape.k * shape.n + shape.m * shape.n);
  const intensity = (2 * shape.m * shape.n * shape.k) / bytes; // flops per byte moved at least once
  const roofline = intensity * gbps;
  const peak = median(probes.map((p) => p.peakAllCores));
  const numpy = get('numpy');
  return {
    shape: preset,
    searchConfig: config,
    m: shape.m,
    n: shape.n,
    k: shape.k,
    coldMiB,
    copiesOfB: copiesOfB(shape, coldMiB),
    naive: get('naive'),
    default: get('default'),
    best: best ?? null,
    elites: eliteRows,
    numpy: numpy ?? null,
    numpyAvx2: get('numpy avx2') ?? null,
    numpyInfo,
    bandwidthGBps: gbps,
    bandwidthRounds: bandwidth,
    peakOneCoreRounds: probes.map((p) => p.peakOneCore),
    peakAllCoresRounds: probes.map((p) => p.peakAllCores),
    peakGflops: peak,
    rooflineGflops: roofline,
    bestOverNumpy: best && numpy ? best.gflops / numpy.gflops : null,
    bestOverRoofline: best ? best.gflops / roofline : null,
    bestOverPeak: best ? best.gflops / peak : null,
    // Round by round, each with that round's reference: what the goals' verdicts are made of.
    bestOverNumpyRounds: best && numpy ? roundRatios(best.rounds, numpy.rounds) : [],
    bestOverRooflineRounds: best ? rooflineRounds(best, bandwidth, intensity) : [],
  };
}

/** The per-shape table (bench/results/kernel-table.json) and the hash's shares over all searches. */
function totals(shapes: Record<string, unknown>[], bySearch: Report['searches']): Record<string, unknown> {
  const sum = (key: string): number => Object.values(bySearch).reduce((a, s) => a + Number(s[key] ?? 0), 0);
  const table = Object.fromEntries(
    shapes.map((s) => [
      s.shape as string,
      {
        genome: (s.best as Measured | null)?.genome ?? null,
        config: (s.best as Measured | null)?.config ?? null,
        gflops: (s.best as Measured | null)?.gflops ?? null,
      },
    ]),
  );
  return {
    table,
    fingerprintShare: sum('fingerprintHits') / sum('proposals'),
    sharedCodeShare: sum('sharedCodeKeys') / sum('proposals'),
  };
}

/** Measures everything (or, with settings.shape, one shape) and writes the JSON files and docs/kernels.md. */
export async function runKernelReport(settings: KernelReportSettings): Promise<void> {
  if (settings.shape !== undefined) return rerunShape(settings, settings.shape);
  const started = new Date().toISOString();
  const loads: LoadRecord[] = [];
  await waitForQuiet('start', settings.maxWaitSeconds, loads);
  const numpyProbe = await numpyGemm(resolveShape('square-1024'), 1, 0.05);
  const bySearch = await searches(settings, loads);
  const shapes: Record<string, unknown>[] = [];
  for (const { preset, config } of SHAPES)
    shapes.push(await shapeRow(preset, config, numpyProbe !== undefined, settings, loads));
  const reduced = await reducedSpace(settings, loads);
  const report: Report = {
    date: started,
    finished: new Date().toISOString(),
    machine: await machine(),
    evaluations: settings.evaluations,
    rounds: settings.rounds,
    maxWaitSeconds: settings.maxWaitSeconds,
    loads,
    numpy: numpyProbe
      ? { numpy: numpyProbe.numpy, blas: numpyProbe.blas, core: numpyProbe.core, config: numpyProbe.config }
      : null,
    shapes,
    searches: bySearch,
    ...totals(shapes, bySearch),
    reduced,
  };
  write(report);
}

/**
 * One shape searched (or its run reused) and re-measured again; its row, search and table entry replace those of the
 * stored report, which records the rerun (shape, date, loads) so the page says which rows are from when.
 */
async function rerunShape(settings: KernelReportSettings, preset: string): Promise<void> {
  const entry = SHAPES.find((s) => s.preset === preset);
  if (!entry)
    throw new Error(`--shape ${preset}: not a shape of the report (${SHAPES.map((s) => s.preset).join(', ')})`);
  const saved = JSON.parse(readFileSync(join(repoRoot, 'bench/results/kernels.json'), 'utf8')) as Report;
  const started = new Date().toISOString();
  const loads: LoadRecord[] = [];
  await waitForQuiet(`start ${preset}`, settings.maxWaitSeconds, loads);
  const bySearch = { ...saved.searches, ...(await searches(settings, loads, [entry])) };
  const row = await shapeRow(entry.preset, entry.config, saved.numpy !== null, settings, loads);
  const shapes = saved.shapes.map((s) => (s.shape === preset ? row : s));
  const reruns = [...((saved.reruns as Rerun[] | undefined) ?? []).filter((r) => r.shape !== preset)];
  reruns.push({ shape: preset, date: started, evaluations: settings.evaluations, rounds: settings.rounds, loads });
  write({ ...saved, shapes, searches: bySearch, ...totals(shapes, bySearch), reruns });
}

function write(report: Report): void {
  const { table } = report;
  mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
  writeFileSync(join(repoRoot, 'bench/results/kernels.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(repoRoot, 'bench/results/kernel-table.json'), `${JSON.stringify(table, null, 2)}\n`);
  writeFileSync(join(repoRoot, 'docs/kernels.md'), markdown(report));
  console.log('wrote bench/results/kernels.json, bench/results/kernel-table.json, docs/kernels.md');
}
