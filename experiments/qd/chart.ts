// QD score over evaluations, one panel per benchmark and one line per algorithm (mean over seeds), as an SVG drawn by
// ECharts' server-side renderer (the report's charting library, without a browser).
import * as echarts from 'echarts';
import type { RowResult } from './summary.js';
import type { Benchmark } from './types.js';

const WIDTH = 1000;
const PANEL_HEIGHT = 330;
// One colour per algorithm across the panels (a legend shows the colour of the first series of its name).
const COLOURS: Record<string, string> = {
  'CMA-MAE': '#c23531',
  'CMA-ME': '#e08a00',
  'MAP-Elites': '#2f4554',
  'MAP-Elites (line)': '#61a0a8',
  'Bandit scheduler': '#6e7074',
};

/** The mean curve over seeds: runs record their points at the same budget fractions, so point i lines up. */
function meanCurve(row: RowResult): [number, number][] {
  const length = Math.min(...row.runs.map((r) => r.curve.length));
  const out: [number, number][] = [];
  for (let i = 0; i < length; i++) {
    let x = 0;
    let y = 0;
    for (const r of row.runs) {
      const [proposals, qd] = r.curve[i]!;
      x += proposals;
      y += row.spec.normalised ? qd / r.cells : qd;
    }
    out.push([x / row.runs.length / 1e6, y / row.runs.length]);
  }
  return out;
}

/** Panels in the order given; an empty list gives undefined. */
export function qdChart(
  panels: readonly { benchmark: Benchmark; title: string; rows: readonly RowResult[] }[],
): string | undefined {
  const shown = panels.filter((p) => p.rows.length > 0);
  if (shown.length === 0) return undefined;
  const height = shown.length * PANEL_HEIGHT + 40;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height });
  const top = (i: number): number => 40 + i * PANEL_HEIGHT + 30;
  chart.setOption({
    animation: false,
    backgroundColor: '#fff',
    textStyle: { fontFamily: 'sans-serif' },
    title: shown.map((p, i) => ({
      text: p.title,
      top: top(i) - 30,
      left: 'center',
      textStyle: { fontSize: 14 },
    })),
    legend: shown.map((p, i) => ({
      top: top(i) - 8,
      right: 20,
      orient: 'vertical',
      data: p.rows.map((r) => r.spec.algorithm),
    })),
    grid: shown.map((_, i) => ({ left: 90, right: 200, top: top(i) + 10, height: PANEL_HEIGHT - 90 })),
    xAxis: shown.map((_, i) => ({
      type: 'value',
      gridIndex: i,
      name: 'evaluations (millions)',
      nameLocation: 'middle',
      nameGap: 25,
      min: 0,
    })),
    yAxis: shown.map((p, i) => ({
      type: 'value',
      gridIndex: i,
      name: p.rows[0]!.spec.normalised ? 'QD / cells' : 'QD score',
      nameLocation: 'middle',
      nameGap: 65,
      scale: false,
    })),
    series: shown.flatMap((p, i) =>
      p.rows.map((r) => ({
        type: 'line',
        name: r.spec.algorithm,
        xAxisIndex: i,
        yAxisIndex: i,
        showSymbol: false,
        data: meanCurve(r),
        lineStyle: { width: 2 },
        ...(COLOURS[r.spec.algorithm] ? { color: COLOURS[r.spec.algorithm] } : {}),
      })),
    ),
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return `${svg}\n`;
}
