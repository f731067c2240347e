// The page's static files, under report/page/ of the package (from the sources, dist/ and the CLI's bundle alike).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { packageFile } from '../core/package-root.js';

export type AssetName = 'app.js' | 'style.css' | 'echarts.min.js';

/** Absolute path of a page asset. The page files are not compiled (checked JS and CSS): dist/ uses the sources'. */
export function assetPath(name: AssetName): string {
  if (name === 'echarts.min.js') return createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
  return packageFile(`report/page/${name}`, `report page asset ${name} not found`);
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
