// Prompt evaluator (PromptQuine, Wang et al., ICML 2025, arXiv:2506.17930; Plum, Pan et al., arXiv:2311.08364): a
// candidate prompt (a pruned or edited in-context-learning prompt) classifies a task's dev examples; fitness = dev
// accuracy (or PromptQuine's gap reward), test accuracy in the metrics. Scored by an LLM behind an OpenAI-compatible
// chat/completions API (`scorer: http`), or offline by a nearest-neighbour stand-in that is not an LLM (`scorer: offline`).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { lockKey } from '../../core/semaphores.js';
import type { EvalContext, EvalResult, Evaluator, ScoredBy } from '../../core/types.js';
import { createChatClient, type ChatClient, type ChatMessage } from './client.js';
import { gapReward, readAnswer, type Prediction } from './labels.js';
import { inverseDocumentFrequencies, offlineClassifier } from './offline.js';
import { openResponseCache, requestKey, type Answer, type ResponseCache } from './response-cache.js';
import { loadTask, QUERY_PLACEHOLDER, resolveTaskDirectory, type Example, type Task } from './task.js';
import {
  basePrompt,
  fillQuery,
  findDemonstrations,
  pickDemonstrations,
  promptLength,
  promptText,
  renderPrompt,
  verbalizerMatcher,
  type BasePrompt,
} from './template.js';
import { baseUrlProblem, displayUrl, promptOptionsSchema, type PromptOptions } from './options.js';

export { promptOptionsSchema, type PromptOptions } from './options.js';

/** Genomes the prompt evaluator accepts (see promptText in template.ts). */
export type PromptGenome =
  | string
  | ArrayLike<number>
  | { readonly keep: ArrayLike<number>; readonly tokens?: readonly string[] }
  | { readonly phrases: readonly string[] };

/** Counters of one evaluation's requests. */
interface Usage {
  requests: number;
  cachedResponses: number;
  promptTokens: number;
  completionTokens: number;
}

/** Scores a prompt on a list of examples: a prediction per example. */
type Scorer = (
  prompt: string,
  examples: readonly Example[],
  usage: Usage,
  signal: AbortSignal,
) => Promise<Prediction[]>;

/** Everything setup() loads, once per thread. */
interface Loaded {
  readonly task: Task;
  readonly base: BasePrompt;
  readonly dev: readonly Example[];
  readonly test: readonly Example[];
  readonly score: Scorer;
}

/**
 * The HTTP scorer's server settings: options first, then the environment. The environment's URL is held to what the
 * option is (no credentials, no query), and refused without being shown.
 */
function serverOf(options: PromptOptions): { baseUrl: string | undefined; model: string | undefined } {
  const fromEnv = options.baseUrl === undefined ? process.env.ELITES_LLM_BASE_URL || undefined : undefined;
  const problem = fromEnv === undefined ? undefined : baseUrlProblem(fromEnv);
  if (problem) throw new Error(`the environment variable ELITES_LLM_BASE_URL ${problem}`);
  return {
    baseUrl: options.baseUrl ?? fromEnv,
    model: options.model ?? process.env.ELITES_LLM_MODEL,
  };
}

export function createPromptEvaluator(input: z.input<typeof promptOptionsSchema> = {}): Evaluator<PromptGenome> {
  const options = promptOptionsSchema.parse(input);
  let loaded: Loaded | undefined;
  const load = (): Loaded => (loaded ??= loadEverything(options));
  // A model named by the environment is not in the options hash: it goes in the version, so the result cache of a
  // run against one model is never read by a run against another.
  const envModel = options.scorer === 'http' && options.model === undefined ? process.env.ELITES_LLM_MODEL : undefined;

  return {
    name: 'prompt',
    version: envModel === undefined ? '1' : `1/${envModel}`,
    inputFiles: () => [
      ...(typeof options.task === 'string' ? [resolveTaskDirectory(options.task)] : []),
      ...(options.promptFile !== undefined ? [options.promptFile] : []),
    ],
    prepare() {
      load(); // fail fast, in the main process, on a bad task, prompt or server setting
    },
    scoredBy(): ScoredBy {
      if (options.scorer === 'http') {
        const { baseUrl, model } = serverOf(options);
        const at = baseUrl === undefined ? '(server?)' : displayUrl(baseUrl);
        return { scorer: `${model ?? '(model?)'} at ${at}${options.logprobs ? ', logprobs' : ''}` };
      }
      return {
        scorer: `offline nearest-neighbour stand-in (k = ${options.neighbours})`,
        caveat:
          'not an LLM: the scores say which demonstrations and words a nearest-neighbour classifier finds useful; set scorer: http for a language model',
      };
    },
    setup() {
      load();
    },
    fingerprint(genome) {
      return createHash('sha1').update(promptText(genome, load().base)).digest('hex');
    },
    // Descriptors (length, demonstrations) and metrics are functions of the rendered text and the fidelity, which
    // the lookup includes: a prompt with the same text is the same candidate, whatever genome rendered it.
    fingerprintDeterminesResult: true,
    async evaluate(genome, ctx): Promise<EvalResult> {
      const { task, base, dev, test, score } = load();
      const prompt = promptText(genome, base);
      const devSet = subset(dev, ctx);
      const testSet = devSet.length === dev.length ? test : []; // racing's screening stages skip the test split
      const usage: Usage = { requests: 0, cachedResponses: 0, promptTokens: 0, completionTokens: 0 };
      const predictions = await score(prompt, [...devSet, ...testSet], usage, ctx.signal);
      const labels = Object.keys(task.verbalizers);
      const devPredictions = predictions.slice(0, devSet.length);
      const testPredictions = predictions.slice(devSet.length);
      const accuracy = (ps: readonly Prediction[], xs: readonly Example[]): number =>
        ps.filter((p, i) => p.label === xs[i]!.label).length / Math.max(1, xs.length);
      const devAccuracy = accuracy(devPredictions, devSet);
      const fitness =
        options.reward === 'gap'
          ? devPredictions.reduce((s, p, i) => s + gapReward(p, devSet[i]!.label, labels), 0) /
            Math.max(1, devSet.length)
          : devAccuracy;
      const tokens = promptLength(prompt);
      return {
        fitness,
        descriptors: [tokens, findDemonstrations(prompt, task).length],
        // For runs with objectives (PromptQuine's trade-off): dev accuracy (maximize) against prompt tokens (minimize).
        objectives: [devAccuracy, tokens],
        metrics: {
          devAccuracy,
          ...(testSet.length > 0 ? { testAccuracy: accuracy(testPredictions, testSet) } : {}),
          devExamples: devSet.length,
          testExamples: testSet.length,
          unparsed: predictions.filter((p) => p.label === undefined).length,
          ...usage,
        },
      };
    },
  };
}

/** The dev examples of this evaluation: all at fidelity 1; a fraction (≤ 1) or a count (> 1) of them otherwise, drawn by ctx.sample. */
function subset(dev: readonly Example[], ctx: EvalContext): readonly Example[] {
  const f = ctx.fidelity;
  const n = Math.max(1, Math.min(dev.length, f <= 1 ? Math.round(f * dev.length) : Math.floor(f)));
  if (n === dev.length) return dev;
  if (ctx.sample === 0) return dev.slice(0, n);
  const order = (e: Example): string => createHash('sha1').update(`${ctx.sample}:${e.text}`).digest('hex');
  return [...dev].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0)).slice(0, n);
}

function loadEverything(options: PromptOptions): Loaded {
  const task = loadTask(options.task);
  const text =
    options.prompt ??
    (options.promptFile !== undefined
      ? readPromptFile(options.promptFile)
      : (task.prompt ?? renderPrompt(task, pickDemonstrations(task, task.train, task.shots))));
  if (!text.includes(QUERY_PLACEHOLDER))
    throw new Error(
      `the base prompt has no ${QUERY_PLACEHOLDER} placeholder for the query; end it with the task's query format, e.g. ${JSON.stringify(task.query)}`,
    );
  const dev = options.devExamples === undefined ? task.dev : task.dev.slice(0, options.devExamples);
  const test = options.testExamples === undefined ? task.test : task.test.slice(0, options.testExamples);
  const score = options.scorer === 'offline' ? offlineScorer(task, options) : httpScorer(task, options);
  return { task, base: basePrompt(text), dev, test, score };
}

function readPromptFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`promptFile ${path} cannot be read: ${(error as Error).message}`);
  }
}

/** The nearest-neighbour stand-in (offline.ts): no server, no model; not an LLM. */
function offlineScorer(task: Task, options: PromptOptions): Scorer {
  const idf = inverseDocumentFrequencies(task.train.map((e) => e.text));
  return async (prompt, examples) => {
    const classifier = offlineClassifier(prompt, task, idf, options.neighbours);
    return examples.map((e) => classifier.predict(e.text));
  };
}

/** The LLM behind an OpenAI-compatible server; answers come from the response cache when it has them. */
function httpScorer(task: Task, options: PromptOptions): Scorer {
  const { baseUrl, model } = serverOf(options);
  if (baseUrl === undefined)
    throw new Error(
      'scorer http needs a server: set evaluator.options.baseUrl (e.g. http://127.0.0.1:8080/v1) or the environment variable ELITES_LLM_BASE_URL',
    );
  if (model === undefined)
    throw new Error(
      'scorer http needs a model name: set evaluator.options.model or the environment variable ELITES_LLM_MODEL',
    );
  const client: ChatClient = createChatClient({
    baseUrl,
    model,
    apiKey: process.env[options.apiKeyEnv] || undefined,
    apiKeyEnv: options.apiKeyEnv,
    concurrency: options.concurrency,
    timeoutMs: options.requestTimeoutSeconds * 1000,
    retries: options.retries,
    backoffMs: options.backoffSeconds * 1000,
    maxTokens: options.maxTokens,
    logprobs: options.logprobs,
    topLogprobs: options.topLogprobs,
  });
  const cache: ResponseCache | undefined =
    options.responseCache === false ? undefined : openResponseCache(options.responseCache);
  const matcher = verbalizerMatcher(task.verbalizers);
  const inFlight = new Map<string, Promise<Answer>>();
  // A request holds its key's lock from the cache check to the committed answer: the same request from another
  // thread waits and then reads the cache, so no request is sent twice. The lease outlasts every attempt and backoff
  // (Retry-After is capped at 60 s), so only a terminated thread's lock expires.
  const leaseMs =
    (options.retries + 1) * (options.requestTimeoutSeconds * 1000 + 75_000) +
    options.backoffSeconds * 1000 * 2 ** (options.retries + 1);

  const fetchAnswer = async (
    body: ReturnType<ChatClient['body']>,
    key: string,
    usage: Usage,
    signal: AbortSignal,
  ): Promise<Answer> => {
    const release = await lockKey(key, { signal, leaseMs });
    try {
      cache?.refresh();
      const hit = cache?.get(key);
      if (hit) {
        usage.cachedResponses++;
        return hit;
      }
      const { answer, attempts } = await client.complete(body, signal);
      usage.requests += attempts;
      await cache?.put(key, answer);
      return answer;
    } finally {
      release();
    }
  };

  const answerOne = async (prompt: string, example: Example, usage: Usage, signal: AbortSignal): Promise<Answer> => {
    const messages: ChatMessage[] = [
      ...(task.system ? [{ role: 'system' as const, content: task.system }] : []),
      { role: 'user', content: fillQuery(prompt, task, example.text) },
    ];
    const body = client.body(messages);
    const key = requestKey(body, options.cacheTag);
    const hit = cache?.get(key);
    if (hit) {
      usage.cachedResponses++;
      return hit;
    }
    let pending = inFlight.get(key);
    if (!pending) {
      pending = fetchAnswer(body, key, usage, signal).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    } else usage.cachedResponses++;
    return pending;
  };

  return async (prompt, examples, usage, signal) => {
    // One controller for the evaluation: the first request that fails for good stops the others.
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    signal.addEventListener('abort', stop, { once: true });
    cache?.refresh();
    const answers: Answer[] = new Array(examples.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < examples.length && !controller.signal.aborted) {
        const i = next++;
        answers[i] = await answerOne(prompt, examples[i]!, usage, controller.signal);
      }
    };
    let failure: { error: unknown } | undefined;
    try {
      const lanes = Array.from({ length: Math.min(options.concurrency, examples.length) }, () =>
        lane().catch((error: unknown) => {
          failure ??= { error }; // the first failure is the cause; the lanes it stops fail after it
          stop();
        }),
      );
      await Promise.all(lanes);
    } finally {
      signal.removeEventListener('abort', stop);
    }
    if (failure) throw failure.error;
    for (const a of answers) {
      usage.promptTokens += a.promptTokens;
      usage.completionTokens += a.completionTokens;
    }
    return answers.map((a) => readAnswer(a.text, a.top, task.verbalizers, matcher));
  };
}

export { createChatClient, parseCompletion, type ChatClient, type ChatClientOptions } from './client.js';
export { gapReward, readAnswer, type Prediction, type TopToken } from './labels.js';
export { inverseDocumentFrequencies, offlineClassifier, type OfflineClassifier } from './offline.js';
export { openResponseCache, requestKey, type Answer, type ResponseCache } from './response-cache.js';
export {
  LABEL_PLACEHOLDER,
  loadTask,
  QUERY_PLACEHOLDER,
  readExamples,
  resolveTaskDirectory,
  type Example,
  type PromptTemplate,
  type Task,
  type TaskSpec,
} from './task.js';
export {
  basePrompt,
  fillQuery,
  findDemonstrations,
  formatDemonstration,
  pickDemonstrations,
  promptLength,
  promptText,
  renderPrompt,
  verbalizerMatcher,
  type BasePrompt,
  type Demonstration,
} from './template.js';
