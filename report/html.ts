// The page's HTML: the self-contained report (scripts, styles and data inlined) and the dashboard's pages (assets linked).
import { assetText } from './assets.js';
import type { PageData, ReportSnapshot } from './snapshot-types.js';

/** JSON that is safe inside <script type="application/json">: no `<` (so no `</script>` or `<!--`), no line separators. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Script text safe inside <script>: `</script` becomes `<\/script` (the same in strings, templates and regexes). */
export function inlineScript(js: string): string {
  if (js.includes('<!--'))
    throw new Error('an inlined script must not contain "<!--" (it changes how HTML parses the script)');
  return js.replace(/<\/(script)/gi, '<\\/$1');
}

function inlineStyle(css: string): string {
  if (/<\/style/i.test(css)) throw new Error('an inlined stylesheet must not contain "</style"');
  return css;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface PageParts {
  readonly title: string;
  readonly csp: string;
  readonly head: string;
  readonly data: PageData;
  readonly scripts: string;
}

function page(p: PageParts): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${p.csp}">
<meta name="generator" content="elites">
<link rel="icon" href="data:,">
<title>${escapeHtml(p.title)}</title>
${p.head}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<main id="main" tabindex="-1"><p class="loading">Loading…</p><noscript>This page needs JavaScript to draw the charts.</noscript></main>
<script type="application/json" id="elites-data">${jsonForScript(p.data)}</script>
${p.scripts}
</body>
</html>
`;
}

/**
 * The report: one file that opens offline. The CSP forbids every network request, so a page that tried to
 * load anything (a CDN, a font) would fail visibly in the browser tests.
 */
export function reportHtml(snapshot: ReportSnapshot): string {
  return page({
    title: `${snapshot.runId} — elites report`,
    csp: "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:",
    head: `<style>${inlineStyle(assetText('style.css'))}</style>`,
    data: { mode: 'report', snapshot },
    scripts: `<script>${inlineScript(assetText('echarts.min.js'))}</script>\n<script>${inlineScript(assetText('app.js'))}</script>`,
  });
}

/** A dashboard page (the run list or one run): same app, data fetched from the server it came from. */
export function dashboardHtml(data: Exclude<PageData, { mode: 'report' }>, title: string): string {
  return page({
    title: `${title} — elites dashboard`,
    csp: "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data: blob:",
    head: '<link rel="stylesheet" href="/assets/style.css">',
    data,
    scripts: '<script src="/assets/echarts.min.js"></script>\n<script src="/assets/app.js"></script>',
  });
}
