// Headless Chromium for the page tests (playwright-core drives the system `chromium`; nothing is downloaded): where it
// is, how to start it, and pages that record every console error, uncaught exception and failed request.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const chromiumPath = ((): string => {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
})();

export const chromiumSkipReason = 'SKIPPED: no chromium on PATH (`command -v chromium` found nothing); CI installs it';

/** A browser with its profile under `root`, offline-minded (no background networking, no component updates). */
export function launchChromium(root: string, viewport: { width: number; height: number }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(root, 'profile'), {
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
    viewport,
  });
}

/** A page that records every console error, uncaught exception and failed request in `problems`. */
export async function pageWithProblems(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
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
