// docs/multi-objective.md from bench/results/multi-objective.json: every number and every verdict is computed here,
// so a rerun with other numbers writes other (true) sentences.
import { hypervolume } from '../../core/hypervolume.js';
import { dominates } from '../../core/pareto.js';
import { bullet, countWord, list, percent, range, thousands } from '../prose.js';
import { latest } from './front-chart.js';
import { ROWS, type MoResults, type MoRow, type MoRunRecord } from './rows.js';

/** "none of five", "two of three". */
const ofSeeds = (k: number, n: number): string => `${k === 0 ? 'none' : countWord(k)} of ${countWord(n)}`;
const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: readonly number[]): number => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};
const pm = (xs: readonly number[], digits: number): string => `${mean(xs).toFixed(digits)} ± ${sd(xs).toFixed(digits)}`;

export function markdown(results: MoResults, seedsWanted: Record<MoRow['group'], number>, chart?: string): string {
  const runs = (row: string): MoRunRecord[] =>
    results.runs.filter((r) => r.row === row).sort((a, b) => a.seed - b.seed);
  const commits = [...new Set(results.runs.map((r) => r.commit.slice(0, 7)))];
  const out: string[] = [
    '# Several objectives: NSGA-II, MOME and the prompt search’s Pareto front',
    '',
    '<!-- Written by `npm run build && node dist/experiments/mo-report.js` from bench/results/multi-objective.json; edit the generator, not this page. -->',
    '',
    `Measured on ${results.cpu} (${results.cores} cores), inline (one evaluation at a time), at commit${commits.length > 1 ? 's' : ''} ${list(commits)}. Hypervolumes are exact (core/hypervolume.ts: a sweep in two objectives, a sweep over a staircase in three).`,
    '',
    ...nsga2Section(runs, seedsWanted.nsga2),
    ...momeSection(runs, seedsWanted.mome),
    ...promptSection(results, chart),
  ];
  return `${out.join('\n')}\n`;
}

function nsga2Section(runs: (row: string) => MoRunRecord[], wanted: number): string[] {
  const rows = ROWS.filter((r) => r.group === 'nsga2');
  const lines = [
    '## NSGA-II against the analytic fronts',
    '',
    `Configs \`configs/{zdt1,zdt2,zdt3,dtlz2}-nsga2.yaml\`: population 100, 25,000 evaluations, SBX (η = 15, each gene crossed with probability 0.5, crossover rate 0.9), polynomial mutation (η = 20, rate 1/n), ZDT with n = 30 and reference (1, 1), DTLZ2 with three objectives, n = 12 and reference (1, 1, 1). The hypervolume is that of the final population (what NSGA-II returns); the run's \`pareto\` archive (the front of everything evaluated, up to the config's \`capacity\`, crowded members out first) is the second column, with how many points it held. A goal is met only if every seed reaches it.`,
    '',
    '| problem | seeds | population hypervolume | % of optimum (worst seed) | archive hypervolume | optimum | ≤ 100 evenly spread front points | goal | verdict | s per run |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const verdicts: string[] = [];
  for (const row of rows) {
    const rs = runs(row.id);
    if (rs.length === 0) {
      lines.push(`| ${row.title} | 0 of ${wanted} | not run yet | | | | | | | |`);
      continue;
    }
    const optimum = row.optimum!.value;
    const population = rs.map((r) => r.populationHypervolume ?? Number.NaN);
    const shares = population.map((h) => h / optimum);
    const worst = Math.min(...shares);
    const met = row.goal === undefined ? undefined : rs.length >= wanted && worst >= row.goal;
    const verdict =
      row.goal === undefined
        ? '—'
        : met
          ? '**met**'
          : rs.length < wanted
            ? `open (${rs.length} of ${wanted} seeds)`
            : `**missed** (worst ${percent(worst)})`;
    if (row.goal !== undefined)
      verdicts.push(
        `${row.title} reaches ${percent(row.goal)} of ${row.optimum!.source} in ${ofSeeds(shares.filter((x) => x >= row.goal!).length, shares.length)} seeds (${range(shares, (x) => `${(x * 100).toFixed(2)}%`)})`,
      );
    lines.push(
      `| ${row.title} | ${rs.length} | ${pm(population, 4)} | ${(mean(shares) * 100).toFixed(2)}% (${(worst * 100).toFixed(2)}%) | ${pm(
        rs.map((r) => r.hypervolume),
        4,
      )} (${mean(rs.map((r) => r.points)).toFixed(0)} points) | ${optimum.toFixed(4)} (${row.optimum!.source}) | ${spreadCell(row, optimum)} | ${row.goal === undefined ? '—' : `≥ ${percent(row.goal)}`} | ${verdict} | ${mean(rs.map((r) => r.seconds)).toFixed(1)} |`,
    );
  }
  lines.push('', '### Reading the NSGA-II rows', '');
  if (verdicts.length > 0) lines.push(...bullet(`${list(verdicts)}.`));
  const ceilings = rows
    .filter((r) => r.goal !== undefined)
    .map((r) => ({ row: r, spread: spreadHypervolume(r) }))
    .filter((c) => c.spread && c.spread.value < c.row.goal! * c.row.optimum!.value);
  for (const { row, spread } of ceilings)
    lines.push(
      ...bullet(
        `The ${row.title} goal cannot be met by a population of 100: ${spread!.points} evenly spread points of the true front reach only ${percent(spread!.value / row.optimum!.value)} of ${row.optimum!.source} (the rest of the volume lies between the points), so ${percent(row.goal!)} needs several hundred points.`,
      ),
    );
  lines.push(
    ...bullet(
      'Each child is one SBX child (Deb’s code makes two per pair); parents come from binary tournaments on (rank, crowding distance); survival is (µ + λ) over parents and the whole generation, cut by crowding. The engine hands a generation’s children to the workers as they are asked and the generation closes when the last one is told, so the result does not depend on the order in which evaluations finish (search/strategies/nsga2.ts).',
    ),
    '',
  );
  return lines;
}

/** The hypervolume of the row's evenly spread true-front points (all minimized, reference 1 in each), and its share. */
function spreadHypervolume(row: MoRow): { points: number; value: number } | undefined {
  const points = row.spread?.();
  if (!points) return undefined;
  const reference = points[0]!.map(() => -1);
  return {
    points: points.length,
    value: hypervolume(
      points.map((p) => p.map((v) => -v)),
      reference,
    ),
  };
}

function spreadCell(row: MoRow, optimum: number): string {
  const s = spreadHypervolume(row);
  return s ? `${s.value.toFixed(4)} (${s.points} points: ${(100 * (s.value / optimum)).toFixed(1)}%)` : '—';
}

function momeSection(runs: (row: string) => MoRunRecord[], wanted: number): string[] {
  const lines = [
    '## MOME against MAP-Elites on a weighted sum',
    '',
    'The MOME paper’s comparison (Pierrot et al. 2022) on the Rastrigin benchmark of QDax’s MOME example (`configs/mo-rastrigin-mome.yaml`, `configs/mo-rastrigin-map-elites.yaml`): two Rastrigin objectives with optima at 0 and 2.2 in each of 100 genes, both maximized; genes in [−2, 4]; cells: a 64-centroid CVT over the first two genes; 100,000 evaluations in batches of 100. MOME keeps a Pareto front of up to 50 per cell; MAP-Elites keeps one elite per cell, chosen on f1 + f2. Both are measured the same way from their archives: the MOQD score is Σ over cells of the hypervolume of the cell’s points, the global hypervolume that of all points, both against the reference (−1500, −1500). (QDax’s example uses (−150, −150), which no point beats in both objectives at n = 100: the two optima are 2.2 apart in every gene.)',
    '',
    'Two variations, each the same for both algorithms: the configs’ own (SBX η = 15 on half the genes for 90% of the children, else polynomial mutation η = 20 at rate 1/n, the NSGA-II rows’ operators) and the disruptive one of QDax’s notebook (polynomial mutation of 60% of the genes at η = 1; SBX at η = 1 on half the genes stands in for its gene-exchange crossover; half the children each way).',
    '',
    '| variation | algorithm | seeds | MOQD score | global hypervolume | points kept | s per run |',
    '|---|---|---|---|---|---|---|',
  ];
  const pairs = [
    { variation: 'configs’ own (SBX 15, PM 20)', mome: runs('mome'), baseline: runs('map-elites-sum'), main: true },
    {
      variation: 'QDax notebook’s (η 1, 60% of genes)',
      mome: runs('mome-disruptive'),
      baseline: runs('map-elites-sum-disruptive'),
      main: false,
    },
  ];
  for (const pair of pairs)
    for (const [title, rs] of [
      ['MOME', pair.mome],
      ['MAP-Elites on f1 + f2', pair.baseline],
    ] as const) {
      if (rs.length === 0) lines.push(`| ${pair.variation} | ${title} | 0 of ${wanted} | not run yet | | | |`);
      else
        lines.push(
          `| ${pair.variation} | ${title} | ${rs.length} | ${pm(
            rs.map((r) => r.moqdScore),
            0,
          )} | ${pm(
            rs.map((r) => r.hypervolume),
            0,
          )} | ${mean(rs.map((r) => r.points)).toFixed(0)} | ${mean(rs.map((r) => r.seconds)).toFixed(1)} |`,
        );
    }
  lines.push('', '### Reading the MOME rows', '');
  for (const pair of pairs) {
    const paired = pair.mome.filter((m) => pair.baseline.some((b) => b.seed === m.seed));
    if (paired.length === 0) {
      lines.push(...bullet(`${pair.variation}: not measured yet.`));
      continue;
    }
    const other = (m: MoRunRecord): MoRunRecord => pair.baseline.find((b) => b.seed === m.seed)!;
    const wins = (key: 'moqdScore' | 'hypervolume'): number => paired.filter((m) => m[key] > other(m)[key]).length;
    const ratio = (key: 'moqdScore' | 'hypervolume'): string =>
      range(
        paired.map((m) => m[key] / other(m)[key]),
        (x) => `${x.toFixed(2)}×`,
      );
    const both = wins('moqdScore') === paired.length && wins('hypervolume') === paired.length;
    const verdict = pair.main
      ? ` The goal (above on both, over at least three seeds) is ${both && paired.length >= 3 ? '**met**' : '**not met**'} with the configs’ variation.`
      : '';
    lines.push(
      ...bullet(
        `${pair.variation}: MOME is above MAP-Elites on the MOQD score in ${ofSeeds(wins('moqdScore'), paired.length)} seeds (${ratio('moqdScore')}) and on the global hypervolume in ${ofSeeds(wins('hypervolume'), paired.length)} (${ratio('hypervolume')}).${verdict}`,
      ),
    );
  }
  const [main, disruptive] = pairs.map((p) => {
    const paired = p.mome.filter((m) => p.baseline.some((b) => b.seed === m.seed));
    const above = (m: MoRunRecord): boolean => {
      const b = p.baseline.find((x) => x.seed === m.seed)!;
      return m.moqdScore > b.moqdScore && m.hypervolume > b.hypervolume;
    };
    return { paired: paired.length, momeAbove: paired.filter(above).length };
  });
  // The explanation that fits the numbers: written only when the two variations disagree as it says.
  if (main!.paired > 0 && main!.momeAbove === main!.paired && disruptive!.paired > 0 && disruptive!.momeAbove === 0)
    lines.push(
      ...bullet(
        'A cell’s single elite is one point of the trade-off (the best sum); a front keeps the solutions that trade one objective for the other inside the same cell, which both measures reward. But a front also spends parents on its extremes: with the disruptive variation, where a child lands far from its parent, MAP-Elites’ pressure on the sum moves its elites toward the true front faster than MOME’s uniform draw from fronts of up to 50, and its boxes are the larger ones.',
      ),
    );
  lines.push('');
  return lines;
}

function promptSection(results: MoResults, chart: string | undefined): string[] {
  const mome = latest(results, 'prompt-mome');
  const single = latest(results, 'prompt-quine');
  const lines = [
    '## The prompt search’s Pareto front',
    '',
    'PromptQuine’s trade-off (ALGORITHMS.md §5.1): prune the tokens of the 16-shot brown-genre prompt. `configs/prompt-mome.yaml` keeps, per cell (5 length bands × demonstrations still present), the prompts no other beats on both dev accuracy (↑) and prompt tokens (↓); `configs/prompt-quine.yaml` is the accuracy-only GGA search, whose best prompt is drawn for comparison. Both are scored by the offline nearest-neighbour stand-in, **not an LLM**: the numbers say which demonstrations and words that classifier finds useful. `elites report` on a prompt-mome run draws the same front interactively (every member, dominated ones faded).',
    '',
  ];
  if (!mome || !single) return [...lines, '- Not measured yet.', ''];
  if (chart) lines.push(`![Prompt search: Pareto front against the accuracy-only best prompt](${chart})`, '');
  const b = single.best;
  const beaten = mome.front.filter((p) =>
    dominates([p.objectives[0]!, -p.objectives[1]!], [b.objectives[0]!, -b.objectives[1]!]),
  );
  const dominatedByBest = mome.front.filter((p) =>
    dominates([b.objectives[0]!, -b.objectives[1]!], [p.objectives[0]!, -p.objectives[1]!]),
  );
  const shorter = mome.front.filter((p) => p.objectives[0]! >= b.objectives[0]! && p.objectives[1]! < b.objectives[1]!);
  lines.push(
    `| dev accuracy | prompt tokens | prompt (first 80 characters) |`,
    '|---|---|---|',
    ...mome.front.map(
      (p) =>
        `| ${p.objectives[0]!.toFixed(3)} | ${p.objectives[1]} | ${escapeCell(p.text.replace(/\s+/g, ' ').slice(0, 80))} |`,
    ),
    `| **${b.objectives[0]!.toFixed(3)}** (accuracy-only best) | **${b.objectives[1]}** | ${escapeCell(b.text.replace(/\s+/g, ' ').slice(0, 80))} |`,
    '',
    '### Reading the prompt front',
    '',
    ...bullet(
      `The MOME run (${thousands(mome.proposals)} proposals) ends with ${mome.front.length} prompts on its global front, from ${mome.front[0]!.objectives[1]} tokens at accuracy ${mome.front[0]!.objectives[0]!.toFixed(3)} to ${mome.front.at(-1)!.objectives[1]} tokens at ${mome.front.at(-1)!.objectives[0]!.toFixed(3)}; hypervolume ${mome.hypervolume.toFixed(2)} against (accuracy 0, 470 tokens).`,
    ),
    ...bullet(
      beaten.length > 0
        ? `${beaten.length} of them dominate the accuracy-only search’s best prompt (${b.objectives[0]!.toFixed(3)}, ${b.objectives[1]} tokens)${shorter.length > 0 ? `; the shortest as accurate is ${Math.min(...shorter.map((p) => p.objectives[1]!))} tokens long` : ''}.`
        : `None of them dominates the accuracy-only search’s best prompt (${b.objectives[0]!.toFixed(3)}, ${b.objectives[1]} tokens): that search, given all ${thousands(single.proposals)} proposals for one objective, ${mome.front.some((p) => p.objectives[0]! >= b.objectives[0]!) ? 'is matched in accuracy only by longer prompts' : 'reaches an accuracy the front does not'}${dominatedByBest.length > 0 ? `, and its one prompt dominates ${dominatedByBest.length} of the front’s ${mome.front.length}: MOME’s uniform mutations of random members do not find the long, accurate prompts the GGA reaches by pruning its best ones` : ''}.`,
    ),
    '',
  );
  return lines;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
