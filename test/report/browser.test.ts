// The report and the dashboard in headless Chromium (playwright-core): no console errors, one drawn cell per elite,
// clicking a cell shows its elite, the table works from the keyboard, and a live run's page follows the run.
// Screenshots at two widths are written as artifacts (test-artifacts/screenshots/; with ELITES_UPDATE_SCREENSHOTS=1
// to docs/screenshots/, referenced from the README).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../report/report.js';
import { startDashboard } from '../../report/server.js';
import { spawnCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/files.js';
import { waitFor } from '../helpers/wait.js';
import { EvaluationGate, kernelConfig, runConfig } from './helpers.js';

const chromiumPath = ((): string => {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
})();
const skipReason = 'SKIPPED: no chromium on PATH (`command -v chromium` found nothing); CI installs it';
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

/** A page that records every console error, uncaught exception and failed request. */
async function newPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // (A navigation cancels the open event stream of the page it leaves: ERR_ABORTED is not a failure.)
  page.on(
    'requestfailed',
    (r) =>
      void (
        r.failure()?.errorText !== 'net::ERR_ABORTED' &&
        problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`)
      ),
  );
  return { page, problems };
}

/** Graphic elements ECharts actually drew for the map's `elites` series (not the data length: what is on the canvas). */
const DRAWN_CELLS = `(() => {
  const chart = echarts.getInstanceByDom(document.querySelector('#archive-map'));
  const view = chart._chartsViews.find((v) => v.__model && v.__model.name === 'elites');
  return view ? view.group.children().length : -1;
})()`;

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
      context = await chromium.launchPersistentContext(join(root, 'profile'), {
        executablePath: chromiumPath,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
        viewport: widths[0],
      });
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
