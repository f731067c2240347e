// The prompt evaluator against a real chat/completions server on 127.0.0.1: labels from logprobs and from text,
// retries on 429/500/timeouts/malformed JSON, clear failures, the response cache (no request sent twice), in-process.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { basePrompt, createPromptEvaluator, loadTask, type PromptGenome } from '../../evaluators/prompt/index.js';
import { parseRunConfig } from '../../search/config.js';
import { exportRun } from '../../report/inspect.js';
import { rngFromSeed } from '../../core/rng.js';
import { runSearch } from '../../search/run.js';
import type { EvalContext, EvalResult } from '../../core/types.js';
import { useRunFiles } from '../helpers/files.js';
import { startFakeLlm, type FakeLlm, type FakeLlmOptions, type Reply } from './prompt-server.js';

const task = loadTask('brown-genre');
const gold = new Map([...task.dev, ...task.test].map((e) => [e.text, e.label]));
const KEY = 'sk-test-SECRET123';

const servers: FakeLlm[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function serve(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const server = await startFakeLlm(options);
  servers.push(server);
  return server;
}

/** Answers the gold label of the query (the server "knows" the task), with logprobs. */
const correct = (request: { query: string }): Reply => {
  const label = gold.get(request.query) ?? 'news';
  return {
    kind: 'answer',
    content: label,
    logprobs: [
      { token: label, logprob: -0.1 },
      { token: label === 'news' ? ' romance' : ' news', logprob: -2.5 },
    ],
  };
};

const ctx = (): EvalContext => ({
  rng: rngFromSeed('prompt-http'),
  signal: new AbortController().signal,
  options: {},
  fidelity: 1,
  sample: 0,
});

function options(server: FakeLlm, dir: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    scorer: 'http',
    baseUrl: server.url,
    model: 'test-model',
    devExamples: 4,
    testExamples: 2,
    backoffSeconds: 0.01,
    requestTimeoutSeconds: 2,
    responseCache: join(dir, `llm-${new URL(server.url).port}.mdb`),
    ...extra,
  };
}

async function evaluate(opts: Record<string, unknown>, genome: PromptGenome = task.prompt!): Promise<EvalResult> {
  const evaluator = createPromptEvaluator(opts);
  await evaluator.setup?.(opts);
  return evaluator.evaluate(genome, ctx());
}

process.env.OPENAI_API_KEY = KEY;

describe('prompt evaluator over HTTP', () => {
  it('scores with the server: first-token logprobs pick the label; fitness, test accuracy and token usage in the result', async () => {
    const server = await serve({ respond: correct });
    const dir = useRunFiles();
    const r = await evaluate(options(server, dir));
    expect(r.fitness).toBe(1);
    expect(r.descriptors).toEqual([453, 16]);
    expect(r.metrics).toMatchObject({
      devAccuracy: 1,
      testAccuracy: 1,
      devExamples: 4,
      testExamples: 2,
      unparsed: 0,
      requests: 6,
      cachedResponses: 0,
      completionTokens: 6,
    });
    expect(r.metrics?.promptTokens).toBeGreaterThan(6 * 300);
    expect(server.requests).toHaveLength(6);
    const body = server.requests[0]!.body as unknown as Record<string, unknown>;
    expect(body).toMatchObject({
      model: 'test-model',
      temperature: 0,
      max_tokens: 8,
      logprobs: true,
      top_logprobs: 10,
    });
    expect(server.requests[0]!.body.messages[0]).toEqual({ role: 'system', content: task.system });
    expect(server.authorizations.every((a) => a === `Bearer ${KEY}`)).toBe(true); // the key is sent, from the environment
  });

  it('without logprobs, reads the first verbalizer word of the answer text; an answer without one is unparsed', async () => {
    const dir = useRunFiles();
    const server = await serve({
      respond: (r) => {
        const label = gold.get(r.query)!;
        return {
          kind: 'answer',
          content: label === 'religion' ? "I can't tell." : `The genre is ${label.toUpperCase()}, not romance.`,
        };
      },
    });
    const r = await evaluate(options(server, dir, { logprobs: false, devExamples: 12, testExamples: 0 }));
    const religion = task.dev.slice(0, 12).filter((e) => e.label === 'religion').length;
    expect(religion).toBeGreaterThan(0);
    expect(r.metrics).toMatchObject({ unparsed: religion, devExamples: 12, testExamples: 0 });
    expect(r.fitness).toBeCloseTo((12 - religion) / 12, 10);
    expect(r.metrics?.testAccuracy).toBeUndefined();
    expect(server.requests[0]!.body.logprobs).toBeUndefined();
  });

  it("reward 'gap' is PromptQuine's mean gap reward over the verbalizer probabilities", async () => {
    const dir = useRunFiles();
    const server = await serve({
      respond: () => ({
        kind: 'answer',
        content: 'news',
        logprobs: [
          { token: 'news', logprob: Math.log(0.75) },
          { token: ' religion', logprob: Math.log(0.25) },
        ],
      }),
    });
    const r = await evaluate(options(server, dir, { reward: 'gap', devExamples: 8, testExamples: 0 }));
    // p(news) = 0.75, p(religion) = 0.25: gap +0.5 (× 200) for news, −0.5 (× 180) for religion, −0.75 (× 180) otherwise.
    const dev = task.dev.slice(0, 8);
    const news = dev.filter((e) => e.label === 'news').length;
    const religion = dev.filter((e) => e.label === 'religion').length;
    const expected = (news * 100 + religion * -90 + (8 - news - religion) * -135) / 8;
    expect(r.fitness).toBeCloseTo(expected, 8);
    expect(r.metrics?.devAccuracy).toBeCloseTo(news / 8, 10);
  });

  it('retries 429 and 500 with backoff, then succeeds', async () => {
    const dir = useRunFiles();
    const server = await serve({
      respond: (r) =>
        r.seen === 1
          ? { kind: 'status', status: 429, retryAfterSeconds: 0 }
          : r.seen === 2
            ? { kind: 'status', status: 500 }
            : correct(r),
    });
    const r = await evaluate(options(server, dir));
    expect(r.fitness).toBe(1);
    expect(server.requests).toHaveLength(18); // 6 examples × (429, 500, answer)
    expect(r.metrics).toMatchObject({ requests: 18, cachedResponses: 0 });
  });

  it('a server that keeps failing fails the evaluation with a clear message, without retrying 4xx', async () => {
    const dir = useRunFiles();
    const always500 = await serve({ respond: () => ({ kind: 'status', status: 500, message: 'model crashed' }) });
    await expect(evaluate(options(always500, dir, { devExamples: 1, testExamples: 0 }))).rejects.toThrow(
      /^LLM server at http:\/\/127\.0\.0\.1:\d+\/v1 answered 500 4 times \(retried with backoff\): model crashed$/,
    );
    expect(always500.requests).toHaveLength(4);

    const always429 = await serve({ respond: () => ({ kind: 'status', status: 429, message: 'slow down' }) });
    await expect(evaluate(options(always429, dir, { devExamples: 1, testExamples: 0, retries: 1 }))).rejects.toThrow(
      /answered 429 2 times \(retried with backoff\): slow down/,
    );

    const refuses = await serve({
      respond: () => ({ kind: 'status', status: 400, message: 'unknown parameter top_logprobs' }),
    });
    await expect(evaluate(options(refuses, dir, { devExamples: 1, testExamples: 0 }))).rejects.toThrow(
      /answered 400: refused the request: unknown parameter top_logprobs/,
    );
    expect(refuses.requests).toHaveLength(1);

    const locked = await serve({ respond: () => ({ kind: 'status', status: 401, message: 'invalid key' }) });
    await expect(
      evaluate(options(locked, dir, { devExamples: 1, testExamples: 0, apiKeyEnv: 'ELITES_TEST_UNSET_KEY' })),
    ).rejects.toThrow(
      /answered 401: refused no API key \(environment variable ELITES_TEST_UNSET_KEY is not set\): invalid key/,
    );
  });

  it('a request that hangs past the timeout is retried, and fails clearly when it keeps hanging', async () => {
    const dir = useRunFiles();
    const once = await serve({ respond: (r) => (r.seen === 1 ? { kind: 'hang' } : correct(r)) });
    const r = await evaluate(options(once, dir, { devExamples: 2, testExamples: 0, requestTimeoutSeconds: 0.3 }));
    expect(r.fitness).toBe(1);
    expect(once.requests).toHaveLength(4);

    const always = await serve({ respond: () => ({ kind: 'hang' }) });
    const started = performance.now();
    await expect(
      evaluate(options(always, dir, { devExamples: 1, testExamples: 0, requestTimeoutSeconds: 0.3, retries: 1 })),
    ).rejects.toThrow(
      /^LLM server at http:\/\/127\.0\.0\.1:\d+\/v1 timed out 2 times \(retried with backoff\): no answer within 0\.3 s$/,
    );
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('malformed JSON and bodies that are not chat completions are retried, then fail clearly', async () => {
    const dir = useRunFiles();
    const flaky = await serve({ respond: (r) => (r.seen === 1 ? { kind: 'malformed' } : correct(r)) });
    expect((await evaluate(options(flaky, dir, { devExamples: 2, testExamples: 0 }))).fitness).toBe(1);
    expect(flaky.requests).toHaveLength(4);

    const broken = await serve({ respond: () => ({ kind: 'malformed' }) });
    await expect(evaluate(options(broken, dir, { devExamples: 1, testExamples: 0, retries: 2 }))).rejects.toThrow(
      /answered with malformed JSON 3 times \(retried with backoff\): the body is not valid JSON/,
    );
    const odd = await serve({ respond: () => ({ kind: 'no-choices' }) });
    await expect(evaluate(options(odd, dir, { devExamples: 1, testExamples: 0, retries: 1 }))).rejects.toThrow(
      /answered with something that is not a chat completion 2 times .*no choices\[0\]\.message/,
    );
  });

  it('an unreachable server is retried and reported as such', async () => {
    const dir = useRunFiles();
    const gone = await serve();
    const url = gone.url;
    await gone.close();
    servers.splice(servers.indexOf(gone), 1);
    await expect(
      evaluate({ ...options(gone, dir, { devExamples: 1, testExamples: 0, retries: 1 }), baseUrl: url }),
    ).rejects.toThrow(/could not be reached 2 times \(retried with backoff\)/);
  });

  it('never sends a request twice for the same (model, prompt, example): not in one run, not across runs', async () => {
    const dir = useRunFiles();
    const server = await serve({ respond: correct, delayMs: 20 });
    const opts = options(server, dir);
    const evaluator = createPromptEvaluator(opts);
    await evaluator.setup?.(opts);
    const first = await evaluator.evaluate(task.prompt!, ctx());
    expect(server.requests).toHaveLength(6);
    const again = await evaluator.evaluate(task.prompt!, ctx());
    expect(server.requests).toHaveLength(6);
    expect(again.fitness).toBe(first.fitness);
    expect(again.metrics).toMatchObject({ requests: 0, cachedResponses: 6, promptTokens: first.metrics!.promptTokens });

    // A fresh evaluator on the same response cache: a later run.
    expect((await evaluate(opts)).metrics).toMatchObject({ requests: 0, cachedResponses: 6 });
    // Two evaluators asking for the same new prompt at the same time: each request is sent once.
    const pruned = task.prompt!.replace('Classify the genre of each sentence.', 'Classify each sentence.');
    const twins = await Promise.all([evaluate(opts, pruned), evaluate(opts, pruned)]);
    expect(server.requests).toHaveLength(12);
    expect(twins[0].metrics!.requests! + twins[1].metrics!.requests!).toBe(6);
    // The key holds the model and the prompt: another model, or another prompt, is a new request.
    await evaluate({ ...opts, model: 'other-model' });
    expect(server.requests).toHaveLength(18);
    expect(new Set(server.requests.map((r) => JSON.stringify(r.body))).size).toBe(18);
  });

  it('a run, then a second run without the result cache: the second sends no request', async () => {
    const dir = useRunFiles();
    const server = await serve({ respond: correct });
    const base = 'Classify the genre.\n\nSentence: The jury praised the city.\nGenre: news\n\nSentence: {text}\nGenre:';
    const config = (name: string, cache: boolean) =>
      parseRunConfig(
        {
          name,
          seed: 5,
          space: { type: 'bitstring', length: basePrompt(base).tokens.length },
          evaluator: { type: 'prompt', options: { ...options(server, dir), prompt: base } },
          search: { strategy: 'random' },
          archive: {
            type: 'grid',
            dims: [
              { name: 'tokens', min: 0, max: 40, bins: 20 },
              { name: 'demos', min: 0, max: 2, bins: 2 },
            ],
          },
          budget: { evaluations: 8 },
          workers: 0,
          cache: { enabled: cache, path: join(dir, 'cache.mdb') },
        },
        dir,
      );
    const first = await runSearch(config('first', true), { out: join(dir, 'run1') });
    expect(first).toMatchObject({ status: 'done', failures: 0 });
    const sent = server.requests.length;
    expect(sent).toBeGreaterThan(0);
    const second = await runSearch(config('second', false), { out: join(dir, 'run2') });
    expect(second).toMatchObject({ status: 'done', failures: 0, evaluations: first.evaluations });
    expect(server.requests.length).toBe(sent);
  });

  it('a failing server makes recorded failures in the run, with the message', async () => {
    const dir = useRunFiles();
    const server = await serve({ respond: () => ({ kind: 'status', status: 503, message: 'overloaded' }) });
    const config = parseRunConfig(
      {
        name: 'down',
        seed: 1,
        space: { type: 'bitstring', length: basePrompt(task.prompt!).tokens.length },
        evaluator: { type: 'prompt', options: options(server, dir, { retries: 1, devExamples: 1, testExamples: 0 }) },
        search: { strategy: 'random' },
        archive: {
          type: 'grid',
          dims: [
            { name: 'tokens', min: 0, max: 454, bins: 10 },
            { name: 'demos', min: 0, max: 17, bins: 17 },
          ],
        },
        budget: { evaluations: 3 },
        workers: 0,
        cache: { path: join(dir, 'cache.mdb') },
      },
      dir,
    );
    const s = await runSearch(config, { out: join(dir, 'run') });
    expect(s).toMatchObject({ status: 'done', failures: 3 });
    const rows = JSON.parse(await exportRun(join(dir, 'run'), { format: 'json', all: true })) as {
      failure?: string;
      message?: string;
    }[];
    expect(rows).toHaveLength(3);
    for (const row of rows)
      expect(row.message).toMatch(
        /^LLM server at http:\/\/127\.0\.0\.1:\d+\/v1 answered 503 2 times \(retried with backoff\): overloaded$/,
      );
  });
});

describe('prompt evaluator options', () => {
  it('refuses an API key in the config, and a key given as apiKeyEnv, without echoing it', () => {
    for (const bad of [{ apiKey: KEY }, { api_key: KEY }, { apiKeyEnv: KEY }]) {
      const parsed = createPromptEvaluatorSafe(bad);
      expect(parsed).toMatch(/environment variable/);
      expect(parsed).not.toContain('SECRET123');
    }
    expect(() =>
      parseRunConfig(
        {
          space: { type: 'bitstring', length: 4 },
          evaluator: { type: 'prompt', options: { apiKey: KEY } },
          search: { strategy: 'random' },
          archive: { type: 'grid', dims: [{ name: 'a', min: 0, max: 1, bins: 1 }] },
          budget: { evaluations: 1 },
        },
        '.',
      ),
    ).toThrow(/invalid config/);
  });

  it('scorer http without a server or a model fails in prepare() with what to set', () => {
    const saved = { url: process.env.ELITES_LLM_BASE_URL, model: process.env.ELITES_LLM_MODEL };
    delete process.env.ELITES_LLM_BASE_URL;
    delete process.env.ELITES_LLM_MODEL;
    try {
      expect(() => createPromptEvaluator({ scorer: 'http' }).prepare?.({})).toThrow(
        /baseUrl .* or the environment variable ELITES_LLM_BASE_URL/,
      );
      expect(() => createPromptEvaluator({ scorer: 'http', baseUrl: 'http://127.0.0.1:9/v1' }).prepare?.({})).toThrow(
        /ELITES_LLM_MODEL/,
      );
      process.env.ELITES_LLM_MODEL = 'served-model';
      // A model named by the environment is part of the version (the result cache's namespace).
      expect(createPromptEvaluator({ scorer: 'http' }).version).toBe('1/served-model');
      expect(createPromptEvaluator({ scorer: 'http', model: 'x' }).version).toBe('1');
    } finally {
      if (saved.url !== undefined) process.env.ELITES_LLM_BASE_URL = saved.url;
      if (saved.model !== undefined) process.env.ELITES_LLM_MODEL = saved.model;
      else delete process.env.ELITES_LLM_MODEL;
    }
  });

  it('refuses credentials in baseUrl', () => {
    expect(createPromptEvaluatorSafe({ baseUrl: 'http://user:pw@127.0.0.1:8080/v1' })).toMatch(
      /must not hold credentials/,
    );
  });

  it('refuses a query or fragment in baseUrl, and a URL that is not http(s), without echoing it', () => {
    for (const [url, why] of [
      ['http://127.0.0.1:8080/v1?api-key=sk-SECRET123', /must not hold a query string/],
      ['http://127.0.0.1:8080/v1#sk-SECRET123', /must not hold a query string or fragment/],
      ['ftp://127.0.0.1/SECRET123', /http:\/\/ or https:\/\//],
      ['not a url SECRET123', /is not a URL/],
    ] as const) {
      const message = createPromptEvaluatorSafe({ baseUrl: url });
      expect(message, url).toMatch(why);
      expect(message, url).not.toContain('SECRET123');
    }
  });

  it('holds ELITES_LLM_BASE_URL to the same rules, and refuses it in prepare() without showing it', () => {
    const saved = process.env.ELITES_LLM_BASE_URL;
    try {
      for (const [url, why] of [
        ['http://user:sk-SECRET123@127.0.0.1:8080/v1', /ELITES_LLM_BASE_URL must not hold credentials/],
        ['http://:sk-SECRET123@127.0.0.1:8080/v1', /ELITES_LLM_BASE_URL must not hold credentials/],
        ['http://127.0.0.1:8080/v1?key=sk-SECRET123', /ELITES_LLM_BASE_URL must not hold a query string/],
        ['sk-SECRET123', /ELITES_LLM_BASE_URL is not a URL/],
      ] as const) {
        process.env.ELITES_LLM_BASE_URL = url;
        const evaluator = createPromptEvaluator({ scorer: 'http', model: 'm' });
        let message = 'accepted';
        try {
          evaluator.prepare?.({});
        } catch (error) {
          message = (error as Error).message;
        }
        expect(message, url).toMatch(why);
        expect(message, url).not.toContain('SECRET123');
      }
      process.env.ELITES_LLM_BASE_URL = 'http://127.0.0.1:9/v1'; // a good one is taken, and named by scoredBy
      expect(createPromptEvaluator({ scorer: 'http', model: 'm' }).scoredBy?.({})).toMatchObject({
        scorer: 'm at http://127.0.0.1:9/v1, logprobs',
      });
    } finally {
      if (saved === undefined) delete process.env.ELITES_LLM_BASE_URL;
      else process.env.ELITES_LLM_BASE_URL = saved;
    }
  });
});

function createPromptEvaluatorSafe(raw: Record<string, unknown>): string {
  try {
    createPromptEvaluator(raw);
    return 'accepted';
  } catch (error) {
    return String((error as Error).message);
  }
}
