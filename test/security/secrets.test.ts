// Credentials never land in messages, logs or files, from any source: an API key in the environment that a server
// echoes back in its errors (real `elites` processes against a real chat/completions server on 127.0.0.1), and keys
// put where they do not belong (in ELITES_LLM_BASE_URL, in the baseUrl option, as credentials or in a query). After
// each: every byte of the run directory, the result and response caches, the report, the export and the commands'
// output is searched for the secret.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basePrompt } from '../../evaluators/prompt/index.js';
import { spawnCli, type CliRun } from '../helpers/cli.js';
import { useRunFiles } from '../helpers/files.js';
import { answerNews, startFakeLlm, type FakeLlm } from '../evaluators/prompt-server.js';

const KEY = 'sk-CANARY-key-5f1e9c0d';
const BASE = 'Classify the genre.\n\nSentence: The jury praised the city.\nGenre: news\n\nSentence: {text}\nGenre:';

/** Every file under `dir` (LMDB files included, read as bytes) that holds `secret`. */
function filesHolding(dir: string, secret: string): string[] {
  const found: string[] = [];
  const needle = Buffer.from(secret);
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (readFileSync(path).includes(needle)) found.push(path);
    }
  };
  walk(dir);
  return found;
}

/** A prompt search over HTTP, its caches in `dir`; `options` replace evaluator options. */
function promptConfig(dir: string, name: string, options: Record<string, unknown> = {}): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      name,
      seed: 3,
      space: { type: 'bitstring', length: basePrompt(BASE).tokens.length },
      evaluator: {
        type: 'prompt',
        options: {
          scorer: 'http',
          prompt: BASE,
          devExamples: 2,
          testExamples: 1,
          retries: 1,
          backoffSeconds: 0.01,
          requestTimeoutSeconds: 5,
          responseCache: join(dir, 'llm-cache.mdb'),
          ...options,
        },
      },
      search: { strategy: 'random' },
      archive: {
        type: 'grid',
        dims: [
          { name: 'tokens', min: 0, max: 40, bins: 20 },
          { name: 'demos', min: 0, max: 2, bins: 2 },
        ],
      },
      budget: { evaluations: 12 },
      failures: { maxConsecutive: 100 },
      workers: 0,
      cache: { path: join(dir, 'cache.mdb') },
    }),
  );
  return path;
}

let server: FakeLlm;
const saved = { ...process.env };
beforeAll(async () => {
  // A server that echoes the Authorization header in its errors (some proxies do): 401s, 500s, and answers.
  let n = 0;
  server = await startFakeLlm({
    respond: (request) => {
      n++;
      if (n % 3 === 0) return { kind: 'status', status: 401, message: `invalid key: ${request.authorization}` };
      if (n % 3 === 1) return { kind: 'status', status: 500, message: `upstream refused ${request.authorization}` };
      return answerNews;
    },
  });
  process.env.OPENAI_API_KEY = KEY; // the spawned elites inherit it
  process.env.ELITES_LLM_MODEL = 'test-model';
});
afterAll(async () => {
  process.env = saved;
  await server?.close();
});

async function elites(argv: readonly string[], cwd: string): Promise<CliRun> {
  return spawnCli(argv, cwd).done;
}

describe('credentials in messages, logs and files', () => {
  it('an API key a server echoes in its errors is in no message, log, cache, report or export', async () => {
    const dir = useRunFiles();
    process.env.ELITES_LLM_BASE_URL = server.url;
    const outputs: CliRun[] = [];
    const run = await elites(['run', promptConfig(dir, 'echoed'), '--out', join(dir, 'run')], dir);
    outputs.push(run);
    expect(run.code, run.stderr).toBe(0);
    outputs.push(await elites(['resume', join(dir, 'run'), '--evaluations', '16'], dir));
    outputs.push(await elites(['inspect', join(dir, 'run')], dir));
    outputs.push(await elites(['runs', dir], dir));
    outputs.push(await elites(['report', join(dir, 'run'), '--out', join(dir, 'report.html')], dir));
    const exported = await elites(['export', join(dir, 'run'), '--format', 'jsonl', '--all'], dir);
    outputs.push(exported);
    for (const o of outputs) expect(o.code, o.stderr).toBe(0);

    // The key was sent (the server saw it) and echoed back; the failures it caused were recorded, redacted.
    expect(server.authorizations).toContain(`Bearer ${KEY}`);
    const rows = exported.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { message?: string });
    const messages = rows.flatMap((r) => (r.message ? [r.message] : []));
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.some((m) => m.includes('[API key]'))).toBe(true);

    expect(filesHolding(dir, KEY)).toEqual([]); // run dir (log, store, summary), caches, report
    for (const o of outputs) expect(`${o.stdout}${o.stderr}`).not.toContain(KEY);
  }, 180_000);

  it.each([
    ['credentials', `http://elites:${KEY}@127.0.0.1:9/v1`, /must not hold credentials/],
    ['a password alone', `http://:${KEY}@127.0.0.1:9/v1`, /must not hold credentials/],
    ['a query', `http://127.0.0.1:9/v1?api-key=${KEY}`, /must not hold a query string/],
  ])(
    'ELITES_LLM_BASE_URL with %s: refused before the run (exit 2), the secret shown nowhere',
    async (_what, url, why) => {
      const dir = useRunFiles();
      process.env.ELITES_LLM_BASE_URL = url;
      const r = await elites(['run', promptConfig(dir, 'in-env'), '--out', join(dir, 'run')], dir);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/ELITES_LLM_BASE_URL/);
      expect(r.stderr).toMatch(why);
      expect(`${r.stdout}${r.stderr}`).not.toContain(KEY);
      expect(existsSync(join(dir, 'run'))).toBe(false);
      expect(filesHolding(dir, KEY)).toEqual([]);
    },
  );

  it.each([
    ['credentials', `http://elites:${KEY}@127.0.0.1:9/v1`, /must not hold credentials/],
    ['a query', `http://127.0.0.1:9/v1?key=${KEY}`, /must not hold a query string/],
  ])('the baseUrl option with %s: a config error (exit 2) that does not repeat it', async (_what, url, why) => {
    const dir = useRunFiles();
    process.env.ELITES_LLM_BASE_URL = server.url;
    const config = promptConfig(dir, 'in-option', { baseUrl: url });
    const r = await elites(['run', config, '--out', join(dir, 'run')], dir);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/baseUrl/);
    expect(r.stderr).toMatch(why);
    expect(`${r.stdout}${r.stderr}`).not.toContain(KEY);
    expect(existsSync(join(dir, 'run'))).toBe(false);
    expect(filesHolding(dir, KEY).filter((f) => f !== config)).toEqual([]); // (the config file itself holds it)
  });
});
