// The report and the dashboard in headless Chromium (playwright-core): no console errors, one drawn cell per elite,
// clicking a cell shows its elite, the table works from the keyboard, and a live run's page follows the run. For
// multi-objective runs: one drawn point per Pareto member (dominated ones faded), a clicked or keyed point shows its
// member, the dashboard shows the same. For early stopping: the pruned count, pruned as its own outcome series, and
// the learning curves (one line per elite curve, the pruned sample behind them).
// Screenshots at two widths are written as artifacts (test-artifacts/screenshots/; with ELITES_UPDATE_SCREENSHOTS=1
// to docs/screenshots/, referenced from the README).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../report/report.js';
import { startDashboard } from '../../report/server.js';
import type { ReportSnapshot, SnapshotPareto, SnapshotParetoMember } from '../../report/snapshot-types.js';
import {
  chromiumPath,
  chromiumSkipReason as skipReason,
  launchChromium,
  pageWithProblems,
} from '../helpers/browser.js';
import { spawnCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/files.js';
import { waitFor } from '../helpers/wait.js';
import { curvesConfig, EvaluationGate, kernelConfig, runConfig, twoObjectivesConfig } from './helpers.js';

if (!chromiumPath) console.warn(`test/report/browser.test.ts: ${skipReason}`);

// Artifacts of every run go to test-artifacts/screenshots/ (ignored by git); ELITES_UPDATE_SCREENSHOTS=1 writes
// the README's copies in docs/screenshots/ instead, so a plain `npm test` leaves the working tree clean.
const screenshots = join(
  repoRoot,
  process.env.ELITES_UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-artifacts/screenshots',
);
const widths = [
  { width: 1280, height: 900 },
  { width: 1920, height: 1080 },
] as const;

let context: BrowserContext;
let root: string;

const newPage = (): Promise<{ page: Page; problems: string[] }> => pageWithProblems(context);

/** Graphic elements ECharts actually drew for the map's `elites` series (not the data length: what is on the canvas). */
const DRAWN_CELLS = `(() => {
  const chart = echarts.getInstanceByDom(document.querySelector('#archive-map'));
  const view = chart._chartsViews.find((v) => v.__model && v.__model.name === 'elites');
  return view ? view.group.children().length : -1;
})()`;

/** The symbols ECharts drew on the Pareto scatter, per series, as their opacity (what is on the canvas). */
const PARETO_DRAWN = `(() => {
  const chart = echarts.getInstanceByDom(document.querySelector('#pareto-front'));
  const drawn = {};
  for (const name of ['front', 'dominated']) {
    const view = chart._chartsViews.find((v) => v.__model && v.__model.name === name);
    const symbols = view && view.group.childAt(0) ? view.group.childAt(0).children() : [];
    drawn[name] = symbols.map((s) => s.childAt(0).style.opacity ?? 1);
  }
  return drawn;
})()`;

/**
 * What ECharts drew on the learning-curves chart, per series id: polylines of the `lines` series (`elites-lines`, …)
 * and dots of the one-report scatters (`elites-points`, …); and the candidate id of the highlighted curve.
 */
const CURVES_DRAWN = `(() => {
  const chart = echarts.getInstanceByDom(document.querySelector('#learning-curves'));
  const drawn = {};
  for (const v of chart._chartsViews) {
    if (!v.__model || v.__model.id === 'extent') continue;
    const g = v.group.childAt(0);
    drawn[v.__model.id] = g ? g.children().length : 0;
  }
  const selected = chart.getOption().series.find((x) => x.id === 'selected-lines').data[0];
  return { drawn, selected: selected ? selected.id : null };
})()`;

/** Bars of each series of the outcome chart that ECharts drew with a height (empty buckets draw flat bars). */
const OUTCOME_BARS = `(() => {
  const chart = echarts.getInstanceByDom(document.querySelector('#chart-failures'));
  const bars = {};
  for (const v of chart._chartsViews)
    bars[v.__model.name] = v.group.children().filter((r) => r.shape && Math.abs(r.shape.height) > 0).length;
  return bars;
})()`;

async function expectCurvesDrawn(page: Page, snapshot: ReportSnapshot, selected: number): Promise<void> {
  const curves = snapshot.curves!;
  const withCurve = snapshot.elites.filter((e) => e.curve?.length);
  const { drawn, selected: highlighted } = (await page.evaluate(CURVES_DRAWN)) as {
    drawn: Record<string, number>;
    selected: number | null;
  };
  // Every elite curve of this fixture has 9 reports: one polyline each, the selected one apart; no dots.
  expect(drawn['elites-lines']! + drawn['selected-lines']!).toBe(withCurve.length);
  expect(drawn['selected-lines']).toBe(1);
  expect(drawn['elites-points']! + drawn['selected-points']!).toBe(0);
  expect(highlighted).toBe(selected);
  // The pruned sample: a polyline per curve of two reports or more, a dot per candidate pruned at its first report.
  expect(drawn['pruned-lines']).toBe(curves.pruned.filter((p) => p.curve.length > 1).length);
  expect(drawn['pruned-points']).toBe(curves.pruned.filter((p) => p.curve.length === 1).length);
  expect(drawn['pruned-lines']).toBeGreaterThan(0);
}

/** Checks that the Pareto scatter draws every member once: solid on the global front, faded when dominated. */
async function expectParetoDrawn(page: Page, p: SnapshotPareto): Promise<void> {
  const drawn = (await page.evaluate(PARETO_DRAWN)) as { front: number[]; dominated: number[] };
  const all = [...drawn.front, ...drawn.dominated];
  expect(all).toHaveLength(p.membersTotal);
  expect(all.filter((o) => o < 1)).toHaveLength(p.dominatedTotal);
  expect(all.filter((o) => o === 1)).toHaveLength(p.membersTotal - p.dominatedTotal);
  expect(await page.getAttribute('#pareto-front', 'aria-label')).toContain(
    `${p.membersTotal} members drawn, ${p.membersTotal - p.dominatedTotal} on the global front (solid), ${p.dominatedTotal} dominated (faded)`,
  );
}

/** Pixel positions (in the chart) of members on the Pareto scatter. */
async function memberPixels(page: Page, members: readonly SnapshotParetoMember[]): Promise<[number, number][]> {
  const points = members.map((m) => ({ series: m.dominated ? 'dominated' : 'front', value: m.objectives.slice(0, 2) }));
  return (await page.evaluate(
    `(() => { const c = echarts.getInstanceByDom(document.querySelector('#pareto-front'));
      return ${JSON.stringify(points)}.map((p) => c.convertToPixel({ seriesName: p.series }, p.value)); })()`,
  )) as [number, number][];
}

async function clickElite(page: Page, pos: readonly number[]): Promise<void> {
  const at = (await page.evaluate(
    `echarts.getInstanceByDom(document.querySelector('#archive-map')).convertToPixel({ seriesName: 'elites' }, ${JSON.stringify(pos)})`,
  )) as [number, number];
  const box = (await page.locator('#archive-map').boundingBox())!;
  await page.mouse.click(box.x + at[0], box.y + at[1]);
}

describe.skipIf(!chromiumPath)(
  `report and dashboard in headless Chromium${chromiumPath ? '' : ` (${skipReason})`}`,
  () => {
    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'elites-browser-'));
      mkdirSync(screenshots, { recursive: true });
      context = await launchChromium(root, widths[0]);
    });
    afterAll(async () => {
      await context?.close();
      rmSync(root, { recursive: true, force: true });
    });

    it('the report opens offline without errors, draws one cell per elite, and shows the elite of a clicked cell', async () => {
      const run = join(root, 'report-run');
      await runConfig(kernelConfig(root, { evaluations: 1500 }), run);
      const { snapshot, path } = await writeReport(run, join(root, 'report.html'));
      const archiveSize = (JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8')) as { archive: { size: number } })
        .archive.size;
      const { page, problems } = await newPage();
      await page.goto(`file://${path}`);
      await page.waitForSelector('body[data-updates="1"]');

      expect(await page.evaluate(DRAWN_CELLS)).toBe(archiveSize);
      // What scored the run, and that it is a stand-in, is said on the page.
      expect(await page.textContent('#scored-by')).toMatch(/Scored by toy-kernel formula — a formula, not a measured/);
      expect(await page.getAttribute('#archive-map', 'aria-label')).toMatch(
        new RegExp(`${archiveSize} of 128 cells filled`),
      );
      // A single-objective run has no Pareto section and no hypervolume chart; no pruner, no reports: neither the
      // pruned count nor the learning curves.
      expect(await page.isHidden('#curves-section')).toBe(true);
      expect(await page.locator('#stat-pruned').count()).toBe(0);
      expect(((await page.evaluate(OUTCOME_BARS)) as Record<string, number>).pruned).toBeUndefined();
      expect(await page.isHidden('#pareto-panel')).toBe(true);
      expect(await page.locator('#chart-hypervolume').count()).toBe(0);

      // Click a cell of the map (not the best one): the panel shows that elite's describe() text and metrics.
      const elite = snapshot.elites[3]!;
      const cell = snapshot.map.filled.find((c) => c.id === elite.id)!;
      await clickElite(page, cell.pos);
      await expect.poll(() => page.textContent('#elite-text')).toBe(elite.text);
      expect(await page.textContent('#elite-detail')).toMatch(/gflops/);
      expect(await page.getAttribute(`tbody tr[data-id="${elite.id}"]`, 'aria-current')).toBe('true');

      // Keyboard: a sort header is a button; rows take focus, arrows move, Enter shows the elite.
      await page.focus('th button[data-key="id"]');
      await page.keyboard.press('Enter');
      expect(await page.getAttribute('th:has(button[data-key="id"])', 'aria-sort')).toBe('ascending');
      const ids = [...snapshot.elites.map((e) => e.id)].sort((a, b) => a - b);
      expect(await page.getAttribute('tbody tr:first-child', 'data-id')).toBe(String(ids[0]));
      expect(await page.evaluate(`document.activeElement.dataset.key`)).toBe('id'); // focus stays on the header
      await page.keyboard.press('Enter');
      expect(await page.getAttribute('tbody tr:first-child', 'data-id')).toBe(String(ids.at(-1)));
      await page.focus('tbody tr:first-child');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      const second = snapshot.elites.find((e) => e.id === ids.at(-2))!;
      await expect.poll(() => page.textContent('#elite-text')).toBe(second.text);
      expect(await page.evaluate(`document.activeElement.dataset.id`)).toBe(String(second.id));
      for (const id of ['chart-qd', 'chart-coverage', 'chart-best', 'chart-hits', 'chart-failures']) {
        expect(await page.getAttribute(`#${id}`, 'aria-label'), id).toMatch(/over 1,500 proposals; latest: /);
      }

      for (const size of widths) {
        await page.setViewportSize(size);
        await page.waitForTimeout(200); // the charts follow their boxes (ResizeObserver)
        await page.screenshot({ path: join(screenshots, `report-${size.width}.png`), fullPage: true });
      }
      expect(problems).toEqual([]);
      await page.close();
    });

    it('the report of a mome run draws each Pareto member once (dominated ones faded); a clicked point shows its member', async () => {
      const run = join(root, 'mome-run');
      await runConfig(twoObjectivesConfig(root), run);
      const { snapshot, path } = await writeReport(run, join(root, 'mome.html'));
      const p = snapshot.pareto!;
      const summary = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8')) as {
        archive: { members: number; hypervolume: number };
      };
      expect(p.membersTotal).toBe(summary.archive.members);
      expect(p.dominatedTotal).toBeGreaterThan(0); // the fixture's cells dominate each other: both kinds are drawn
      const { page, problems } = await newPage();
      await page.setViewportSize(widths[0]);
      await page.goto(`file://${path}`);
      await page.waitForSelector('body[data-updates="1"]');

      expect(await page.isVisible('#pareto-panel')).toBe(true);
      await expectParetoDrawn(page, p);
      const axes = (await page.evaluate(
        `(() => { const o = echarts.getInstanceByDom(document.querySelector('#pareto-front')).getOption();
          return [o.xAxis[0].name, o.yAxis[0].name]; })()`,
      )) as string[];
      expect(axes).toEqual(['f1 (↓ lower is better)', 'f2 (↓ lower is better)']);
      expect(await page.textContent('#stat-qd')).toBe(String(Number(p.moqdScore.toPrecision(6))));
      expect(await page.textContent('#stat-hypervolume')).toBe(String(Number(p.hypervolume.toPrecision(6))));
      expect(await page.getAttribute('#chart-hypervolume', 'aria-label')).toMatch(
        new RegExp(
          `^Hypervolume over 2,000 proposals; latest: hypervolume ${String(Number(p.hypervolume.toPrecision(4)))}`,
        ),
      );

      // Click a dominated member that is not the best of its cell (so not in the elites table), away from others.
      const elites = new Set(snapshot.elites.map((e) => e.id));
      const pixels = await memberPixels(page, p.members);
      const isolated = p.members.findIndex(
        (m, i) =>
          m.dominated &&
          !elites.has(m.id) &&
          pixels.every((q, j) => j === i || Math.hypot(q[0] - pixels[i]![0], q[1] - pixels[i]![1]) > 14),
      );
      expect(isolated).toBeGreaterThanOrEqual(0);
      const member = p.members[isolated]!;
      await page.locator('#pareto-front').scrollIntoViewIfNeeded(); // below the map: the mouse clicks in the viewport
      const box = (await page.locator('#pareto-front').boundingBox())!;
      await page.mouse.click(box.x + pixels[isolated]![0], box.y + pixels[isolated]![1]);
      await expect.poll(() => page.textContent('#elite-text')).toBe(member.text);
      expect(await page.textContent('#elite-detail')).toMatch(/Paretodominated by another member/);

      // Keyboard: the focused scatter steps through the members along f1 (Home: the lowest f1, End: the highest).
      const order = [...p.members].sort(
        (a, b) => a.objectives[0]! - b.objectives[0]! || a.objectives[1]! - b.objectives[1]! || a.id - b.id,
      );
      await page.focus('#pareto-front');
      await page.keyboard.press('End');
      await expect.poll(() => page.textContent('#elite-text')).toBe(order.at(-1)!.text);
      await page.keyboard.press('Home');
      await expect.poll(() => page.textContent('#elite-text')).toBe(order[0]!.text);
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => page.textContent('#elite-text')).toBe(order[1]!.text);
      expect(await page.textContent('#elite-detail')).toMatch(
        order[1]!.dominated ? /dominated by another member/ : /on the global front/,
      );

      await page.screenshot({ path: join(screenshots, `report-mome-${widths[0].width}.png`), fullPage: true });
      expect(problems).toEqual([]);
      await page.close();
    });

    it('the report of an early-stopping run shows the pruned count, pruned outcomes apart, and the learning curves', async () => {
      const run = join(root, 'curves-run');
      await runConfig(curvesConfig(root, { evaluations: 400 }), run);
      const { snapshot, path } = await writeReport(run, join(root, 'curves.html'));
      const summary = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8')) as { pruned: number };
      const curves = snapshot.curves!;
      const withCurve = snapshot.elites.filter((e) => e.curve?.length);
      expect(summary.pruned).toBeGreaterThan(curves.prunedLimit); // the sample is a part of the pruned
      expect(withCurve.length).toBeGreaterThan(1);
      const { page, problems } = await newPage();
      await page.setViewportSize(widths[0]);
      await page.goto(`file://${path}`);
      await page.waitForSelector('body[data-updates="1"]');

      expect(await page.textContent('#stat-pruned')).toBe(summary.pruned.toLocaleString('en-US'));
      expect(await page.textContent('dt:has(+ #stat-pruned)')).toBe('Pruned');
      // Pruned is its own series of the outcome chart: a bar for each bucket with pruned proposals, none as failures.
      const bars = (await page.evaluate(OUTCOME_BARS)) as Record<string, number>;
      expect(bars.pruned).toBe(snapshot.timeline.filter((b) => b.pruned > 0).length);
      expect(bars.failures).toBe(0);
      expect(await page.getAttribute('#chart-failures', 'aria-label')).toMatch(/latest: failures \d+, pruned \d+$/);

      // Learning curves: the best elite highlighted until one is chosen, the others and the pruned sample behind it.
      expect(await page.isVisible('#learning-curves')).toBe(true);
      await expectCurvesDrawn(page, snapshot, withCurve[0]!.id);
      expect(await page.getAttribute('#learning-curves', 'aria-label')).toContain(
        `${withCurve.length} elite curves (elite ${withCurve[0]!.id} (the best) highlighted) and the last ${curves.pruned.length} of ${summary.pruned} pruned candidates (faded)`,
      );
      // Choosing another elite (a row of the table) highlights its curve instead.
      const other = withCurve.at(-1)!;
      await page.click(`tbody tr[data-id="${other.id}"]`);
      await expect.poll(() => page.textContent('#elite-text')).toBe(other.text);
      await expectCurvesDrawn(page, snapshot, other.id);
      expect(await page.getAttribute('#learning-curves', 'aria-label')).toContain(`(elite ${other.id} highlighted)`);

      await page.locator('#curves-section').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(screenshots, `report-curves-${widths[0].width}.png`), fullPage: true });
      expect(problems).toEqual([]);
      await page.close();
    });

    it('the dashboard shows the pruned count and the learning curves of an early-stopping run', async () => {
      const runs = join(root, 'curves-runs');
      await runConfig(curvesConfig(root, { evaluations: 300, name: 'curves-live' }), join(runs, 'curves'));
      const dashboard = await startDashboard({ runsDir: runs, port: 0, pollMs: 200 });
      const { page, problems } = await newPage();
      try {
        await page.setViewportSize(widths[0]);
        await page.goto(`${dashboard.url}runs/curves`);
        await page.waitForSelector('body[data-status="done"]');
        const snapshot = (await (await fetch(`${dashboard.url}api/runs/curves`)).json()) as ReportSnapshot;
        expect(snapshot.summary.pruned).toBeGreaterThan(0);
        expect(await page.textContent('#stat-pruned')).toBe(snapshot.summary.pruned.toLocaleString('en-US'));
        await expectCurvesDrawn(page, snapshot, snapshot.elites.find((e) => e.curve?.length)!.id);
        expect(problems).toEqual([]);
      } finally {
        await page.close();
        await dashboard.close();
      }
    });

    it('the report of a pareto archive (one front, no cells) hides the map and draws the front', async () => {
      const run = join(root, 'pareto-run');
      await runConfig(twoObjectivesConfig(root, { archive: 'pareto', evaluations: 800 }), run);
      const { snapshot, path } = await writeReport(run, join(root, 'pareto.html'));
      const { page, problems } = await newPage();
      await page.goto(`file://${path}`);
      await page.waitForSelector('body[data-updates="1"]');
      expect(await page.isHidden('#archive-map')).toBe(true);
      expect(await page.isVisible('#pareto-front')).toBe(true);
      expect(snapshot.pareto!.dominatedTotal).toBe(0); // one front: its members never dominate each other
      await expectParetoDrawn(page, snapshot.pareto!);
      expect(problems).toEqual([]);
      await page.close();
    });

    it('the dashboard shows the Pareto section of a mome run', async () => {
      const runs = join(root, 'mome-runs');
      await runConfig(twoObjectivesConfig(root, { evaluations: 1000 }), join(runs, 'mome'));
      const dashboard = await startDashboard({ runsDir: runs, port: 0, pollMs: 200 });
      const { page, problems } = await newPage();
      try {
        await page.setViewportSize(widths[0]);
        await page.goto(`${dashboard.url}runs/mome`);
        await page.waitForSelector('body[data-status="done"]');
        const snapshot = (await (await fetch(`${dashboard.url}api/runs/mome`)).json()) as {
          pareto: SnapshotPareto;
        };
        expect(await page.isVisible('#pareto-panel')).toBe(true);
        await expectParetoDrawn(page, snapshot.pareto);
        expect(await page.getAttribute('#chart-hypervolume', 'aria-label')).toMatch(/over 1,000 proposals; latest: /);
        expect(await page.textContent('#stat-members')).toBe(
          `${snapshot.pareto.membersTotal} (${snapshot.pareto.membersTotal - snapshot.pareto.dominatedTotal} on the front)`,
        );
        await page.screenshot({ path: join(screenshots, `dashboard-mome-${widths[0].width}.png`), fullPage: true });
        expect(problems).toEqual([]);
      } finally {
        await page.close();
        await dashboard.close();
      }
    });

    it('the dashboard lists a run started by the test and its page updates while the run progresses', async () => {
      const runs = join(root, 'runs');
      mkdirSync(runs);
      const dashboard = await startDashboard({ runsDir: runs, port: 0, pollMs: 200 });
      const { page, problems } = await newPage();
      // The test paces the run (EvaluationGate): it stands still after 50 evaluations, then after 150, so the page is
      // seen running at two points that differ, however fast or slow the machine.
      const gate = new EvaluationGate(join(root, 'live-gate'));
      try {
        await page.setViewportSize(widths[0]);
        await page.goto(dashboard.url);
        await page.waitForSelector('body[data-runs="0"]');
        gate.allow(50);
        const run = spawnCli(
          ['run', kernelConfig(root, { evaluations: 1500, name: 'live', gate }), '--out', join(runs, 'live')],
          root,
        );
        const row = page.locator('tr[data-run="live"]');
        await row.waitFor({ timeout: 20_000 });
        await row.locator('a').click();
        await page.waitForSelector('body[data-status="running"]', { timeout: 20_000 });

        type PageState = { status: string; seq: number; proposals: string };
        const state = async (): Promise<PageState> =>
          (await page.evaluate(
            `({ status: document.body.dataset.status, seq: Number(document.body.dataset.seq), proposals: document.querySelector('#stat-proposals').textContent })`,
          )) as PageState;
        const stateWhen = (what: string, ok: (s: PageState) => boolean): Promise<PageState> =>
          waitFor(async () => ((s) => ok(s) && s)(await state()), { what });
        const first = await stateWhen('the page to show the first evaluations', (s) => s.seq >= 0);
        await page.screenshot({ path: join(screenshots, `dashboard-${widths[0].width}.png`), fullPage: true });
        gate.allow(150);
        const second = await stateWhen('the page to follow the run past its pause', (s) => s.seq > first.seq);
        gate.allow(Infinity);
        const result = await run.done;
        expect(result.code, result.stderr).toBe(0);
        // Both seen while the run was held below its budget: running, and the page's numbers changed in between.
        expect([first.status, second.status]).toEqual(['running', 'running']);
        expect(second.proposals).not.toBe(first.proposals);
        await page.waitForSelector('body[data-status="done"]');
        expect(await page.evaluate(DRAWN_CELLS)).toBe(
          (JSON.parse(readFileSync(join(runs, 'live', 'summary.json'), 'utf8')) as { archive: { size: number } })
            .archive.size,
        );
        expect(await page.textContent('#stat-proposals')).toBe('1,500 of 1,500');

        await page.setViewportSize(widths[1]);
        await page.waitForTimeout(200);
        await page.screenshot({ path: join(screenshots, `dashboard-${widths[1].width}.png`), fullPage: true });

        await page.setViewportSize(widths[0]);
        await page.goto(dashboard.url);
        await page.waitForSelector('tr[data-run="live"] .status-done');
        await page.screenshot({ path: join(screenshots, 'dashboard-runs-1280.png') });
        expect(problems).toEqual([]);
      } finally {
        gate.allow(Infinity); // never leave the child waiting
        await page.close();
        await dashboard.close();
      }
    });
  },
);
