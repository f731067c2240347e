// docs/multi-objective-prompt.svg: the prompt search's Pareto front (prompt tokens against dev accuracy) with the
// single-objective search's best prompt, as a small self-contained SVG (no fonts or scripts to fetch).
import type { MoResults, MoRunRecord } from './rows.js';

const W = 640;
const H = 380;
const PAD = { left: 64, right: 24, top: 36, bottom: 52 };

/** The chart, or undefined until both prompt runs are in the results. */
export function frontChart(results: MoResults): string | undefined {
  const mome = latest(results, 'prompt-mome');
  const single = latest(results, 'prompt-quine');
  if (!mome || !single) return undefined;
  // Objectives are [dev accuracy ↑, prompt tokens ↓]: x = tokens, y = accuracy.
  const front = mome.front.map((p) => ({ x: p.objectives[1]!, y: p.objectives[0]! })).sort((a, b) => a.x - b.x);
  const best = { x: single.best.objectives[1]!, y: single.best.objectives[0]! };
  const xs = [...front.map((p) => p.x), best.x];
  const ys = [...front.map((p) => p.y), best.y];
  const xMax = niceCeil(Math.max(...xs));
  const yMin = Math.max(0, Math.floor(Math.min(...ys) * 10) / 10 - 0.1);
  const yMax = Math.min(1, Math.ceil(Math.max(...ys) * 10) / 10 + 0.05);
  const sx = (x: number): number => PAD.left + (x / xMax) * (W - PAD.left - PAD.right);
  const sy = (y: number): number => H - PAD.bottom - ((y - yMin) / (yMax - yMin)) * (H - PAD.top - PAD.bottom);
  const f = (v: number): string => v.toFixed(1);

  // The front as a staircase: each point's accuracy holds until the next, longer prompt does better.
  const steps = front.flatMap((p, i) => {
    const next = front[i + 1];
    return next ? [`${f(sx(p.x))},${f(sy(p.y))}`, `${f(sx(next.x))},${f(sy(p.y))}`] : [`${f(sx(p.x))},${f(sy(p.y))}`];
  });
  const xTicks = Array.from({ length: 6 }, (_, i) => (i * xMax) / 5);
  const yTicks = Array.from({ length: 5 }, (_, i) => yMin + (i * (yMax - yMin)) / 4);
  const text = (x: number, y: number, s: string, anchor = 'middle', extra = ''): string =>
    `<text x="${f(x)}" y="${f(y)}" text-anchor="${anchor}" ${extra}>${s}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12" role="img" aria-label="Pareto front of the prompt search: ${front.length} prompts; the single-objective search's best prompt at ${best.x} tokens, accuracy ${best.y.toFixed(3)}">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    text(W / 2, 20, 'Prompt search: dev accuracy against prompt length', 'middle', 'font-size="14" font-weight="bold"'),
    ...xTicks.map(
      (t) =>
        `<line x1="${f(sx(t))}" y1="${PAD.top}" x2="${f(sx(t))}" y2="${H - PAD.bottom}" stroke="#eee"/>${text(sx(t), H - PAD.bottom + 16, String(Math.round(t)))}`,
    ),
    ...yTicks.map(
      (t) =>
        `<line x1="${PAD.left}" y1="${f(sy(t))}" x2="${W - PAD.right}" y2="${f(sy(t))}" stroke="#eee"/>${text(PAD.left - 6, sy(t) + 4, t.toFixed(2), 'end')}`,
    ),
    `<rect x="${PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${H - PAD.top - PAD.bottom}" fill="none" stroke="#999"/>`,
    text(W / 2, H - 14, 'prompt tokens (fewer is better)'),
    text(16, H / 2, 'dev accuracy (higher is better)', 'middle', `transform="rotate(-90 16 ${H / 2})"`),
    `<polyline points="${steps.join(' ')}" fill="none" stroke="#2563eb" stroke-width="1.5"/>`,
    ...front.map((p) => `<circle cx="${f(sx(p.x))}" cy="${f(sy(p.y))}" r="3.5" fill="#2563eb"/>`),
    `<path d="M ${f(sx(best.x))} ${f(sy(best.y) - 7)} l 7 7 l -7 7 l -7 -7 z" fill="#dc2626"/>`,
    `<circle cx="${PAD.left + 16}" cy="${PAD.top + 16}" r="3.5" fill="#2563eb"/>`,
    text(
      PAD.left + 26,
      PAD.top + 20,
      `MOME front (${front.length} prompts, ${mome.proposals.toLocaleString('en-US')} proposals)`,
      'start',
    ),
    `<path d="M ${PAD.left + 16} ${PAD.top + 29} l 6 6 l -6 6 l -6 -6 z" fill="#dc2626"/>`,
    text(
      PAD.left + 26,
      PAD.top + 39,
      `best prompt of the accuracy-only search (${single.proposals.toLocaleString('en-US')} proposals)`,
      'start',
    ),
    '</svg>',
    '',
  ].join('\n');
}

/** The most recent record of a row. */
export function latest(results: MoResults, row: string): MoRunRecord | undefined {
  return results.runs.filter((r) => r.row === row).at(-1);
}

function niceCeil(v: number): number {
  const step = 10 ** Math.floor(Math.log10(Math.max(1, v)));
  return Math.ceil(v / step) * step;
}
