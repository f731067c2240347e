// The page's static files, found both from sources (report/*.ts under vitest) and from dist/report/*.js.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export type AssetName = 'app.js' | 'style.css' | 'echarts.min.js';

/** Absolute path of a page asset. The page files are not compiled (checked JS and CSS), so dist/ uses the sources'. */
export function assetPath(name: AssetName): string {
  if (name === 'echarts.min.js') return createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
  for (const candidate of [`./page/${name}`, `../../report/page/${name}`]) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`report page asset ${name} not found next to ${fileURLToPath(import.meta.url)}`);
}

const cache = new Map<AssetName, string>();

/** The asset's text, read once per process. */
export function assetText(name: AssetName): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(assetPath(name), 'utf8');
    cache.set(name, text);
  }
  return text;
}
