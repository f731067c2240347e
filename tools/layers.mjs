#!/usr/bin/env node
// Prints the import table between the top-level source folders and fails (exit 1) on an import that
// points up the layer order or on a circle of imports between files. The order is STYLE's layer
// list: a folder may import any folder below it, never one above. Type-only imports count too:
// they are still arrows a reader has to follow.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Top first. `index.ts` (the public API) is the folder `.`; the roof and the ground as in STYLE §5.
const LAYERS = [
  ['bench', 'experiments'],
  // Developer tooling: what bench/ and experiments/ share (flags, the repository root), and this script.
  ['tools'],
  // The public API re-exports the CLI's `main` (a program may embed the CLI), so index.ts sits with cli/ at the roof.
  ['cli', '.'],
  ['testing'],
  ['report'],
  ['search'],
  ['evaluators'],
  ['spaces'],
  ['lm'],
  ['archive'],
  ['store'],
  ['core'],
];
const rank = new Map(LAYERS.flatMap((names, i) => names.map((n) => [n, LAYERS.length - i])));
const SKIP = new Set(['node_modules', 'dist', 'test', 'docs', '.git', 'configs', 'tasks']);

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) && dir === root) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|js|mjs)$/.test(name) && !name.endsWith('.d.ts') && !(dir === root && name !== 'index.ts'))
      out.push(path);
  }
  return out;
}

const SPEC =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(])import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const specs = [];
  for (const m of text.matchAll(SPEC)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec?.startsWith('.')) specs.push(spec);
  }
  return specs;
}

function resolveSpec(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {}
  }
  return undefined;
}

const folderOf = (file) => {
  const rel = relative(root, file).split(sep);
  return rel.length === 1 ? '.' : rel[0];
};

const files = sources(root);
const graph = new Map();
const table = new Map();
const problems = [];
for (const file of files) {
  const edges = [];
  for (const spec of importsOf(file)) {
    const target = resolveSpec(file, spec);
    if (!target) continue;
    edges.push(target);
    const from = folderOf(file);
    const to = folderOf(target);
    if (from === to) continue;
    const key = `${from} → ${to}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    const rf = rank.get(from);
    const rt = rank.get(to);
    if (rf === undefined || rt === undefined) {
      problems.push(
        `${relative(root, file)}: imports ${relative(root, target)}, and '${rf === undefined ? from : to}' has no layer`,
      );
    } else if (rt >= rf && !LAYERS.some((names) => names.includes(from) && names.includes(to))) {
      problems.push(`${relative(root, file)}: imports ${relative(root, target)}, upward (${from} → ${to})`);
    }
  }
  graph.set(file, edges);
}

// Circles between files: Tarjan's strongly connected components.
let index = 0;
const stack = [];
const onStack = new Set();
const idx = new Map();
const low = new Map();
function connect(v) {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!idx.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const scc = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      scc.push(relative(root, w));
    } while (w !== v);
    if (scc.length > 1) problems.push(`circle: ${scc.sort().join(' ↔ ')}`);
  }
}
for (const file of files) if (!idx.has(file)) connect(file);

const rows = [...table.entries()].sort((a, b) => a[0].localeCompare(b[0]));
const width = Math.max(...rows.map(([k]) => k.length), 4);
console.log(`${'from → to'.padEnd(width)}  import lines`);
for (const [key, n] of rows) console.log(`${key.padEnd(width)}  ${String(n).padStart(5)}`);
if (process.argv.includes('--table-only')) process.exit(0);
if (problems.length > 0) {
  console.error(`\n${problems.length} layer problem(s):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`\n${files.length} files: every import points down, no circles.`);
