// "Reading the results" of docs/sparsity.md, written from the report's numbers: every comparison below is computed, so
// a rerun whose evolved allocation loses, or whose allocation profile changes, says so.
import type { LayerShape } from '../../lm/presets.js';
import { bullet, countWord, list, ordinal, thousands } from '../prose.js';
import type { Dense, Level, Reconstructed, Report, Scored } from './types.js';

/** A test-perplexity gain under this fraction of the uniform allocation's perplexity is "small" (half a percent). */
const SMALL_GAIN = 0.005;
/** Uniform pruning within this fraction of the dense test perplexity "loses almost nothing" (one percent). */
const ALMOST_NOTHING = 0.01;
/** Keeping this many points more than the target on average is keeping "far more" weights. */
const FAR_MORE = 0.1;
/** A spread of per-layer sparsities at least this wide (points) at every target is "strongly" non-uniform. */
const STRONGLY = 0.2;

const f = (x: number): string => x.toFixed(2);
const pct = (s: number): string => `${Math.round(s * 100)}%`;
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const METHOD_NAMES: Record<string, { name: string; how: string }> = {
  magnitude: { name: 'magnitude', how: 'one threshold per layer' },
  wanda: { name: 'Wanda', how: 'per output row' },
};

export function readingNotes(report: Report, layers: readonly LayerShape[], dense: Dense | undefined): string[] {
  const evolved = report.levels.filter((l): l is Level & { evolved: Scored } => l.evolved !== undefined);
  const out = ['', '## Reading the results', ''];
  if (evolved.length) out.push(...bullet(allocationGain(evolved, report.method, dense)));
  const profile = allocationProfile(report.levels, layers);
  if (profile) out.push(...bullet(profile));
  if (report.levels.length) out.push(...bullet(baselines(report.levels, report.method)));
  const rebuilt = reconstructionGain(report.levels, report.method);
  if (rebuilt) out.push(...bullet(rebuilt));
  const nm = nmGain(report, layers);
  if (nm) out.push(...bullet(nm));
  out.push(
    ...bullet(
      `Racing: each generation is 16 proposals on 1,024 tokens, 4 on 4,096 and 3 on all 16,384 (the parent's is a cache hit: the last stage is a fixed sample), so a full-data evaluation happens for 2 of every 23 proposals. The speeds above are wall-clock rates of runs on ${report.workers} workers, so other load on the machine slows them; \`npm run bench\` measures them on their own.`,
    ),
    ...bullet(
      report.levels.some((l) => l.reconstructed)
        ? "Not done: EvoPress's quantisation and block-dropping searches."
        : "Not done: SparseGPT-style weight reconstruction in the level database (levels store masked weights only), and EvoPress's quantisation and block-dropping searches.",
    ),
  );
  return out;
}

/** Evolved against uniform allocation (same per-layer method), held-out validation and test, at each target. */
function allocationGain(
  levels: readonly (Level & { evolved: Scored })[],
  method: string,
  dense: Dense | undefined,
): string {
  const beats = levels.filter((l) => l.evolved.validation < l.uniform.validation && l.evolved.test < l.uniform.test);
  const misses = levels.filter((l) => !beats.includes(l));
  const small = beats.filter((l) => (l.uniform.test - l.evolved.test) / l.uniform.test < SMALL_GAIN);
  const clear = beats.filter((l) => !small.includes(l));
  const where =
    misses.length === 0
      ? 'at every target'
      : beats.length
        ? `at ${list(beats.map((l) => pct(l.sparsity)))}`
        : 'at no target';
  let s = `The evolved allocation ${beats.length ? 'beats' : 'does not beat'} uniform allocation with the same per-layer method ${where}, on held-out validation and test text`;
  const denseNote = dense ? ` (dense: ${f(dense.test)})` : '';
  s += clear.length
    ? `: ${clear.map((l, i) => `at ${pct(l.sparsity)} ${i === 0 ? 'test perplexity ' : ''}${f(l.evolved.test)} against ${f(l.uniform.test)}`).join(', ')}${denseNote}.`
    : '.';
  if (small.length) {
    s += ` At ${list(small.map((l) => pct(l.sparsity)))} the gain is small (${small.map((l) => `${f(l.evolved.test)} against ${f(l.uniform.test)}`).join('; ')})`;
    // Why it is small: uniform pruning at that target costs hardly anything over the dense model.
    const cheap = dense ? small.filter((l) => (l.uniform.test - dense.test) / dense.test < ALMOST_NOTHING) : [];
    s += cheap.length
      ? `: this small model loses almost nothing to ${list(cheap.map((l) => pct(l.sparsity)))} ${method} pruning.`
      : '.';
  }
  for (const l of misses) {
    s += ` At ${pct(l.sparsity)} it does not: validation ${f(l.evolved.validation)} against ${f(l.uniform.validation)}, test ${f(l.evolved.test)} against ${f(l.uniform.test)}.`;
  }
  return s;
}

interface Group {
  readonly block: number;
  readonly kind: 'attention' | 'MLP';
  readonly parts: readonly string[];
  readonly names: readonly string[];
}

/** Which layer groups (block × attention/MLP) each target's evolved allocation prunes least and most. */
function allocationProfile(levels: readonly Level[], layers: readonly LayerShape[]): string | undefined {
  const targets = levels.filter(
    (l): l is Level & { perLayer: Readonly<Record<string, number>> } => l.perLayer !== undefined,
  );
  if (!targets.length) return undefined;
  const groups = new Map<string, Group>();
  for (const { name } of layers) {
    const m = /^block(\d+)\.(\w+)$/.exec(name);
    if (!m) continue;
    const kind = ['q', 'k', 'v', 'o'].includes(m[2]!) ? 'attention' : 'MLP';
    const key = `${m[1]}.${kind}`;
    const g = groups.get(key) ?? { block: Number(m[1]), kind, parts: [], names: [] };
    groups.set(key, { ...g, parts: [...g.parts, m[2]!], names: [...g.names, name] });
  }
  const all = [...groups.values()];
  if (all.length < 2) return undefined;
  const sparsity = (l: (typeof targets)[number], g: Group): number => mean(g.names.map((n) => l.perLayer[n] ?? NaN));
  const extreme = (l: (typeof targets)[number], sign: 1 | -1): Group =>
    all.reduce((a, b) => (sign * (sparsity(l, b) - sparsity(l, a)) > 0 ? b : a));
  const groupName = (g: Group): string => `the ${ordinal(g.block)} block's ${g.kind}`;
  const same = (gs: readonly Group[]): Group | undefined => (gs.every((g) => g === gs[0]) ? gs[0] : undefined);
  const perTarget = (gs: readonly Group[]): string =>
    list(gs.map((g, i) => `${groupName(g)} at ${pct(targets[i]!.sparsity)}`));
  const clauses: string[] = [];

  const least = targets.map((l) => extreme(l, -1));
  const kept = same(least);
  const keptBelow = kept && targets.every((l) => kept.names.every((n) => (l.perLayer[n] ?? NaN) < l.sparsity));
  if (kept && keptBelow) {
    const far = targets.every((l) => l.sparsity - sparsity(l, kept) >= FAR_MORE);
    clauses.push(
      `${groupName(kept)} layers (${kept.parts.join(', ')}) keep ${far ? 'far ' : ''}more weights than average`,
    );
  } else clauses.push(`the least-pruned group is ${kept ? groupName(kept) : perTarget(least)}`);

  const most = targets.map((l) => extreme(l, 1));
  const hardest = same(most);
  clauses.push(hardest ? `${groupName(hardest)} is pruned hardest` : `the hardest-pruned group is ${perTarget(most)}`);

  const up = layers.find((l) => l.name === 'block0.up')?.name;
  const down = layers.find((l) => l.name === 'block0.down')?.name;
  let upDownAgrees = true;
  if (up && down) {
    const more = targets.filter((l) => (l.perLayer[up] ?? NaN) > (l.perLayer[down] ?? NaN));
    upDownAgrees = more.length === 0 || more.length === targets.length;
    const only = upDownAgrees ? '' : ` at ${list(more.map((l) => pct(l.sparsity)))} only`;
    clauses.push(
      `in the first block the MLP up-projection is pruned ${more.length ? 'more' : 'less'} than the down-projection${only}`,
    );
  }

  const agree = kept !== undefined && keptBelow === true && hardest !== undefined && upDownAgrees;
  const spread = Math.min(
    ...targets.map((l) => Math.max(...Object.values(l.perLayer)) - Math.min(...Object.values(l.perLayer))),
  );
  const lead = agree
    ? 'The allocations agree across targets'
    : targets.length > 1
      ? 'Across the targets'
      : 'The allocation';
  const joined =
    clauses.length > 2 ? `${clauses.slice(0, -1).join(', ')}, and ${clauses[clauses.length - 1]}` : list(clauses);
  return `${lead}: ${joined} — a ${spread >= STRONGLY ? 'strongly' : 'mildly'} non-uniform profile of the kind EvoPress reports.`;
}

/** Uniform pruning with the report's method against the other method: the stronger on both held-out slices. */
function baselines(levels: readonly Level[], method: string): string {
  const own = METHOD_NAMES[method] ?? { name: method, how: '' };
  const other = METHOD_NAMES[method === 'magnitude' ? 'wanda' : 'magnitude']!;
  const named = (m: { name: string; how: string }, noun = ''): string =>
    `${m.name}${noun}${m.how ? ` (${m.how})` : ''}`;
  const ownWins = levels.filter(
    (l) => l.uniform.validation < l.otherUniform.validation && l.uniform.test < l.otherUniform.test,
  );
  const otherWins = levels.filter(
    (l) => l.otherUniform.validation < l.uniform.validation && l.otherUniform.test < l.uniform.test,
  );
  const targets = (ls: readonly Level[]): string =>
    ls.length === levels.length
      ? `${levels.length > 2 ? 'all ' : ''}${countWord(levels.length)} targets`
      : list(ls.map((l) => pct(l.sparsity)));
  if (ownWins.length === levels.length)
    return `Uniform ${named(own, ' pruning')} is the stronger baseline here than ${named(other)} at ${targets(levels)}, so the searches prune with ${own.name} inside each layer.`;
  const parts = [
    ownWins.length ? `uniform ${named(own, ' pruning')} is the stronger baseline at ${targets(ownWins)}` : '',
    otherWins.length ? `${named(other)} at ${targets(otherWins)}` : '',
  ].filter((p) => p);
  const lead = parts.length
    ? `${parts.join(', ')}`
    : `neither uniform ${own.name} nor ${other.name} pruning is better on both held-out slices at every target`;
  return `${lead.replace(/^./, (c) => c.toUpperCase())}; these searches prune with ${own.name} inside each layer (\`--method\` chooses).`;
}

/** The evolved 2:4 mask against Wanda's, which it starts from. */
function nmGain(report: Report, layers: readonly LayerShape[]): string | undefined {
  const { wanda, magnitude, evolved, genome } = report.nm;
  if (!evolved) return undefined;
  const m = /^(\d+):(\d+), (?:base mask \()?(\d+) groups? swapped/.exec(genome ?? '');
  const groupSize = Number(m?.[2] ?? 4);
  const total = layers.reduce((a, l) => a + (l.dOut * l.dIn) / groupSize, 0);
  const swapped = m
    ? `the search swapped the kept pair of ${thousands(Number(m[3]))} of the ${thousands(total)} groups and`
    : 'the search';
  const moved = (from: number, to: number): string => (to < from ? 'lowered' : to > from ? 'raised' : 'left');
  return `${m ? `${m[1]}:${m[2]}` : '2:4'}: starting from Wanda's mask, ${swapped} ${moved(wanda.validation, evolved.validation)} validation perplexity from ${f(wanda.validation)} to ${f(evolved.validation)} (${magnitude.label}: ${f(magnitude.validation)}) and ${moved(wanda.test, evolved.test) === moved(wanda.validation, evolved.validation) ? '' : `${moved(wanda.test, evolved.test)} `}test from ${f(wanda.test)} to ${f(evolved.test)}.`;
}

/** SparseGPT-reconstructed levels against masked ones, uniform and evolved, on test perplexity at each target. */
function reconstructionGain(levels: readonly Level[], method: string): string | undefined {
  const rows = levels.filter((l): l is Level & { reconstructed: Reconstructed } => l.reconstructed !== undefined);
  if (!rows.length) return undefined;
  const own = METHOD_NAMES[method]?.name ?? method;
  const better = (a: Scored, b: Scored): boolean => a.validation < b.validation && a.test < b.test;
  const uniformWins = rows.filter((l) => better(l.reconstructed.uniform, l.uniform));
  const parts = [
    `Reconstruction: uniform SparseGPT levels ${uniformWins.length === rows.length ? 'beat' : uniformWins.length ? `beat (at ${list(uniformWins.map((l) => pct(l.sparsity)))} only)` : 'do not beat'} uniform ${own} levels on validation and test (test ${rows.map((l) => `${f(l.reconstructed.uniform.test)} against ${f(l.uniform.test)} at ${pct(l.sparsity)}`).join(', ')})`,
  ];
  const evolved = rows.filter(
    (l): l is typeof l & { evolved: Scored; reconstructed: { evolved: Scored } } =>
      l.evolved !== undefined && l.reconstructed.evolved !== undefined,
  );
  if (evolved.length) {
    const overMasked = evolved.filter((l) => better(l.reconstructed.evolved, l.evolved));
    const overUniform = evolved.filter((l) => better(l.reconstructed.evolved, l.reconstructed.uniform));
    const where = (ls: readonly Level[]): string =>
      ls.length === evolved.length
        ? 'at every target'
        : ls.length
          ? `at ${list(ls.map((l) => pct(l.sparsity)))}`
          : 'at no target';
    parts.push(
      `the evolved SparseGPT allocation beats the evolved ${own} allocation ${where(overMasked)} and uniform SparseGPT ${where(overUniform)} (test ${evolved.map((l) => `${f(l.reconstructed.evolved.test)} against ${f(l.evolved.test)} and ${f(l.reconstructed.uniform.test)} at ${pct(l.sparsity)}`).join('; ')})`,
    );
  }
  return `${parts.join('; ')}.`;
}
