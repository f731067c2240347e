// The page's HTML: the self-contained report (scripts, styles and data inlined) and the dashboard's pages (assets linked).
import { createHash } from 'node:crypto';
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
  /** Made of constants and base64 hashes: no quote or markup to escape. */
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

/** A CSP source that allows exactly this inline script or stylesheet text (the element's content, byte for byte). */
function hashSource(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * Styles: the page's own stylesheet only (an element: by hash, or from the server); `style` attributes stay allowed
 * because ECharts writes them into its tooltips' markup. A style runs no script, and with `default-src 'none'` it
 * cannot load anything either (no request can carry data away). `style-src` is only the fallback of browsers without
 * the CSP 3 `-elem`/`-attr` directives; it allows inline styles so that their tooltips keep their look.
 */
const styleRules = (element: string, fallback: string): string =>
  `style-src ${fallback}; style-src-elem ${element}; style-src-attr 'unsafe-inline'`;

/** What every page refuses besides: a `<base>` that moves relative URLs, and forms that post anywhere. */
const PAGE_RULES = "base-uri 'none'; form-action 'none'";

/**
 * The report: one file that opens offline, and that is safe to open whoever wrote the run (its names, describe()
 * texts and metrics keys come from configs and plug-ins). The app sets every such string as text; on top of that the
 * CSP runs only the two inlined scripts, by hash (no `'unsafe-inline'`, so neither an injected `<script>` nor an
 * `onerror=` attribute runs), and forbids every network request, so a page that tried to load anything (a CDN, a
 * font) would fail visibly in the browser tests.
 */
export function reportHtml(snapshot: ReportSnapshot): string {
  const style = inlineStyle(assetText('style.css'));
  const scripts = [inlineScript(assetText('echarts.min.js')), inlineScript(assetText('app.js'))];
  return page({
    title: `${snapshot.runId} — elites report`,
    csp: [
      "default-src 'none'",
      `script-src ${scripts.map(hashSource).join(' ')}`,
      styleRules(hashSource(style), "'unsafe-inline'"),
      'img-src data: blob:',
      PAGE_RULES,
    ].join('; '),
    head: `<style>${style}</style>`,
    data: { mode: 'report', snapshot },
    scripts: scripts.map((js) => `<script>${js}</script>`).join('\n'),
  });
}

/**
 * The dashboard's policy, in its pages' `<meta>` and as an HTTP header on every response. `frame-ancestors` (no
 * page may frame the dashboard) works only as a header: a browser ignores it in `<meta>`, with a console error.
 */
export function dashboardCsp(delivery: 'header' | 'meta'): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    styleRules("'self'", "'self' 'unsafe-inline'"),
    "connect-src 'self'",
    "img-src 'self' data: blob:",
    PAGE_RULES,
    ...(delivery === 'header' ? ["frame-ancestors 'none'"] : []),
  ].join('; ');
}

/** A dashboard page (the run list or one run): same app, data fetched from the server it came from. */
export function dashboardHtml(data: Exclude<PageData, { mode: 'report' }>, title: string): string {
  return page({
    title: `${title} — elites dashboard`,
    csp: dashboardCsp('meta'),
    head: '<link rel="stylesheet" href="/assets/style.css">',
    data,
    scripts: '<script src="/assets/echarts.min.js"></script>\n<script src="/assets/app.js"></script>',
  });
}
