// Hostile configs: ≥ 1,000 seeded variants of valid configs (wrong types, missing fields, unknown keys, extreme
// numbers, bad paths, malformed YAML). Every invalid one ends with exit 2, a message naming the field (or the
// YAML line), no stack trace, and no run directory; variants that happen to be valid run a 2-proposal budget.
import { appendFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadRunConfig } from '../../search/config.js';
import { ConfigError } from '../../core/errors.js';
import { SeededRng } from '../../core/rng.js';
import { runCli } from '../helpers/cli.js';
import { fixturePlugin, useRunFiles } from '../helpers/files.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const bases = (dir: string): Record<string, Json>[] => [
  {
    name: 'fuzz-arm',
    seed: 1,
    direction: 'maximize',
    space: { type: 'vector', dimensions: 3, min: 0, max: 1, mutation: { type: 'gaussian', sigma: 0.1 } },
    evaluator: { type: 'planar-arm', timeoutSeconds: 5 },
    search: { strategy: 'map-elites', initialRandom: 5, crossoverRate: 0 },
    archive: {
      type: 'grid',
      dims: [
        { name: 'x', min: 0, max: 1, bins: 4 },
        { name: 'y', min: 0, max: 1, bins: 4 },
      ],
    },
    budget: { evaluations: 3, seconds: 30 },
    workers: 0,
    workerMemoryMb: 256,
    cache: { enabled: true, path: join(dir, 'cache.mdb'), mode: 'cache', maxRepeats: 3, epsilon: 0.001 },
    failures: { maxConsecutive: 3 },
    log: { genomes: 'elites', checkpointSeconds: 1 },
  },
  {
    name: 'fuzz-bits',
    seed: 2,
    space: { type: 'bitstring', length: 16 },
    evaluator: { module: fixturePlugin('onemax.mjs'), options: { scale: 1 }, version: '1', fidelity: 1 },
    search: { strategy: 'one-plus-lambda', lambda: 2, mutationRate: 0.1 },
    archive: { type: 'grid', dims: [{ name: 'ones', min: 0, max: 16, bins: 17 }], qdOffset: 0 },
    budget: { evaluations: 3, targetFitness: 16 },
    workers: 0,
    cache: { enabled: false },
  },
  {
    name: 'fuzz-cvt',
    seed: 3,
    direction: 'minimize',
    space: { type: 'categorical', params: { block: [16, 32, 64], unroll: [1, 2, 4] } },
    evaluator: { module: fixturePlugin('cpu-5ms.mjs') },
    search: { strategy: 'ga', populationSize: 4, tournamentSize: 2 },
    archive: {
      type: 'cvt',
      cells: 4,
      samples: 200,
      dims: [
        { name: 'a', min: 0, max: 100 },
        { name: 'b', min: 0, max: 100 },
      ],
    },
    budget: { evaluations: 3 },
    workers: 0,
    cache: { enabled: false },
  },
];

/** Every path in a value (objects and arrays included), root first. */
function paths(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}
const getAt = (value: Json, path: Path): Json | undefined =>
  path.reduce<Json | undefined>(
    (v, k) => (v === null || typeof v !== 'object' ? undefined : (v as Record<string | number, Json>)[k]),
    value,
  );
function setAt(value: Json, path: Path, replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? null;
  const copy: Json = structuredClone(value);
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, Json> | undefined;
  if (parent === null || typeof parent !== 'object') return copy; // the first fault replaced the parent
  const last = path[path.length - 1] as string | number;
  if (replacement === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = replacement;
  return copy;
}

interface Variant {
  readonly kind: string;
  /** The field(s) damaged, dotted ('|' between two); '(yaml)' or '(root)' for the document. */
  readonly path: string;
  readonly text: string;
  readonly ext: 'yaml' | 'json';
}

function makeVariant(rng: () => number, dir: string, index: number): Variant {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
  const base = pick(bases(dir));
  const all = paths(base);
  const path = pick(all.slice(1));
  const dotted = path.join('.');
  const original = getAt(base, path);
  const asYaml = (value: Json): Variant => ({ kind, path: dotted, text: stringify(value), ext: 'yaml' });
  const kinds = [
    'wrong-type',
    'missing',
    'unknown-key',
    'extreme-number',
    'bad-path',
    'malformed-yaml',
    'bad-root',
    'two-faults',
  ] as const;
  const kind = pick(kinds);
  switch (kind) {
    case 'wrong-type': {
      const others: Json[] = ['abc', '', true, null, [], {}, 42, -1, [1, 'x'], { nested: { deep: 1 } }];
      return asYaml(
        setAt(
          base,
          path,
          pick(others.filter((o) => typeof o !== typeof original || Array.isArray(o) !== Array.isArray(original))),
        ),
      );
    }
    case 'missing':
      return asYaml(setAt(base, path, undefined));
    case 'unknown-key': {
      const parentPath =
        original !== null && typeof original === 'object' && !Array.isArray(original) ? path : path.slice(0, -1);
      const parent = getAt(base, parentPath);
      if (parent === null || typeof parent !== 'object' || Array.isArray(parent))
        return asYaml(setAt(base, path, 'abc'));
      const keys = Object.keys(parent);
      const typo = pick([`${pick(keys)}s`, `${pick(keys)}`.slice(1), `x${index}`, 'budgte', 'worker', 'timeout']);
      return {
        kind,
        path: [...parentPath, typo].join('.'),
        text: stringify(setAt(base, [...parentPath, typo], 1)),
        ext: 'yaml',
      };
    }
    case 'extreme-number': {
      const numbers = [
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        1e308,
        -1e308,
        -1,
        0,
        0.5,
        1.5,
        -0.0001,
        2 ** 53 + 2,
        Number.MAX_SAFE_INTEGER,
        1e-300,
      ];
      const numeric = all.filter((p) => typeof getAt(base, p) === 'number');
      const target = pick(numeric);
      return { kind, path: target.join('.'), text: stringify(setAt(base, target, pick(numbers))), ext: 'yaml' };
    }
    case 'bad-path': {
      const target = pick([
        ['cache', 'path'],
        ['evaluator', 'module'],
        ['space', 'module'],
      ] as Path[]);
      const bad = pick([
        join(dir, 'missing', 'nowhere.mjs'),
        dir,
        join(dir, 'a-file', 'below.mdb'),
        join(dir, 'a-file'),
        join(dir, 'plugin.ts'),
        join(dir, 'not-js.txt'),
        '',
      ]);
      let config = base;
      if (target[0] === 'space') config = setAt(base, ['space'], { module: bad, options: {} }) as Record<string, Json>;
      else if (target[0] === 'evaluator') config = setAt(base, ['evaluator'], { module: bad }) as Record<string, Json>;
      else config = setAt(base, ['cache'], { enabled: true, path: bad }) as Record<string, Json>;
      return { kind, path: target.join('.'), text: stringify(config), ext: 'yaml' };
    }
    case 'malformed-yaml': {
      const text = stringify(base);
      const at = Math.floor(rng() * text.length);
      const damage = pick(['delete', 'colon', 'brace', 'tab', 'truncate', 'quote', 'duplicate']);
      const broken =
        damage === 'delete'
          ? text.slice(0, at) + text.slice(at + 1 + Math.floor(rng() * 5))
          : damage === 'colon'
            ? `${text.slice(0, at)}: :${text.slice(at)}`
            : damage === 'brace'
              ? `${text.slice(0, at)}{[${text.slice(at)}`
              : damage === 'tab'
                ? `${text.slice(0, at)}\n\t  x: 1\n${text.slice(at)}`
                : damage === 'truncate'
                  ? text.slice(0, at)
                  : damage === 'quote'
                    ? `${text.slice(0, at)}"${text.slice(at)}`
                    : `${text}${text.split('\n')[0] ?? ''}\n`;
      return { kind, path: '(yaml)', text: broken, ext: 'yaml' };
    }
    case 'bad-root':
      return {
        kind,
        path: '(root)',
        text: pick(['', '42\n', '- a\n- b\n', 'just text\n', '~\n', '[]', '"str"']),
        ext: pick(['yaml', 'json'] as const),
      };
    case 'two-faults': {
      const other = pick(all.slice(1));
      const once = setAt(base, path, pick(['abc', -5, null] as Json[]));
      // Either fault may be the one reported (the first one found stops validation of that branch).
      return {
        kind,
        path: `${dotted}|${other.join('.')}`,
        text: JSON.stringify(setAt(once, other, getAt(once, other) === undefined ? 1 : undefined) ?? null),
        ext: 'json',
      };
    }
  }
}

/** Does the message name the variant's field: an issue path that is a prefix of it, or that it is a prefix of? */
function namesField(stderr: string, variant: Variant): boolean {
  if (variant.path.includes('|'))
    return variant.path.split('|').some((path) => namesField(stderr, { ...variant, path }));
  // Damaged YAML may still parse (into another config): then any field it broke may be the one named.
  if (variant.path === '(yaml)')
    return /not valid YAML\/JSON|→ at line \d+|→ at [\w.()]+|\b(space|evaluator|cache)\.(module|path)\b/.test(stderr);
  if (variant.path === '(root)') return /→ at \(root\)|not valid YAML\/JSON/.test(stderr);
  const issuePaths = [...stderr.matchAll(/→ at ([^\n]+)/g)].map((m) => m[1] ?? '');
  const segments = variant.path.split('.');
  const related = (p: string): boolean => {
    const s = p.split('.');
    const n = Math.min(s.length, segments.length);
    return n > 0 && s.slice(0, n).join('.') === segments.slice(0, n).join('.');
  };
  if (issuePaths.some(related)) return true;
  // Plug-in and cache errors name the field in the message or hint (evaluator.module, space.module, cache.path).
  return (
    stderr.includes(`${segments[0]}.`) || stderr.includes(`${segments[0]} module`) || stderr.includes(variant.path)
  );
}

describe('hostile configs', () => {
  it('1,400 seeded variants: invalid ones exit 2 naming the field, no stack trace, no run directory', async () => {
    const dir = useRunFiles({ 'a-file': 'x', 'plugin.ts': 'export default {}', 'not-js.txt': 'not { javascript' });
    // Relative paths (a mangled cache.path, the default .elites/cache.mdb) resolve against the working directory:
    // keep them in the scratch directory, not the repository.
    const cwd = process.cwd();
    process.chdir(dir);
    onTestFinished(() => process.chdir(cwd));
    const rng = SeededRng.fromSeed('config-fuzz').next;
    const counts: Record<string, { invalid: number; valid: number; refusedLater: number }> = {};
    const failures: string[] = [];
    const started = performance.now();
    for (let i = 0; i < 1400; i++) {
      const v = makeVariant(rng, dir, i);
      const file = join(dir, `v${i}.${v.ext}`);
      writeFileSync(file, v.text);
      const out = join(dir, 'out', `r${i}`);
      if (process.env.FUZZ_TRACE) appendFileSync(process.env.FUZZ_TRACE, `#${i} ${v.kind} ${v.path}\n${v.text}\n`);
      const c = (counts[v.kind] ??= { invalid: 0, valid: 0, refusedLater: 0 });
      let schemaValid = true;
      try {
        loadRunConfig(file);
      } catch (error) {
        if (!(error instanceof ConfigError))
          failures.push(`#${i} ${v.kind} ${v.path}: loadRunConfig threw ${String(error)}`);
        schemaValid = false;
      }
      // Valid variants get a tiny budget and run inline (the flags cannot hide a fault: the file already passed).
      const r = await runCli([
        'run',
        file,
        '--out',
        out,
        ...(schemaValid ? ['--evaluations', '2', '--workers', '0'] : []),
      ]);
      const problem = (what: string): void =>
        void failures.push(
          `#${i} ${v.kind} at ${v.path}: ${what}\n--- config:\n${v.text.slice(0, 400)}\n--- stderr:\n${r.stderr.slice(0, 600)}`,
        );
      if (/\n\s+at .*:\d+:\d+\)?\n/.test(r.stderr)) problem('stack trace printed');
      if (schemaValid && r.code !== 2) {
        c.valid++;
        if (![0, 1].includes(r.code)) problem(`valid config exited ${r.code}`);
        continue;
      }
      if (schemaValid) c.refusedLater++;
      else c.invalid++;
      if (r.code !== 2) problem(`exit ${r.code}, expected 2`);
      if (!namesField(r.stderr, v)) problem('message does not name the field');
      if (existsSync(out)) problem(`run directory created: ${readdirSync(out).join(', ')}`);
      if (failures.length > 40) break;
    }
    const seconds = (performance.now() - started) / 1000;
    console.info(`config fuzz: ${JSON.stringify(counts)} in ${seconds.toFixed(1)} s`);
    expect(
      failures
        .map((f) =>
          f
            .split('\n')
            .filter((l, k) => k === 0 || l.startsWith('error') || /^\s+at /.test(l))
            .slice(0, 3)
            .join(' | '),
        )
        .join('\n'),
    ).toBe('');
    const total = Object.values(counts).reduce((n, k) => n + k.invalid + k.refusedLater, 0);
    expect(total).toBeGreaterThanOrEqual(1000);
  }, 120_000);
});
