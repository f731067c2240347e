// The prompt evaluator's options: a module of its own so that the registry validates a config without loading the
// evaluator (its HTTP client, response cache and task loading come only with a run that uses it).
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { taskSchema } from './task.js';

const envName = lazySchema(() =>
  z
    .string()
    .regex(
      /^[A-Za-z_][A-Za-z0-9_]*$/,
      'must be the NAME of an environment variable (letters, digits, underscore), not a key',
    ),
);
/**
 * Why a server URL cannot be used (undefined: it can). It must be http(s), with no credentials (user:password@) and
 * no query or fragment: a key put there would land in the run log, the summary and the report. An OpenAI-compatible
 * base URL has neither (the client appends /chat/completions); the key goes in the environment (apiKeyEnv).
 */
export function baseUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL (e.g. http://127.0.0.1:8080/v1)';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (parsed.username !== '' || parsed.password !== '')
    return 'must not hold credentials; put the key in an environment variable (apiKeyEnv)';
  if (parsed.search !== '' || parsed.hash !== '' || url.includes('?') || url.includes('#'))
    return 'must not hold a query string or fragment (no secret goes in a URL); put the key in an environment variable (apiKeyEnv)';
  return undefined;
}

/** A server URL as messages and logs show it: never its user, password, query or fragment, whatever got through. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const hidden = parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '';
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return hidden ? `${parsed.toString()} (credentials or query not shown)` : parsed.toString();
  } catch {
    return '(a malformed URL, not shown)';
  }
}

const noSecret = lazySchema(() =>
  z
    .never({
      error:
        'API keys are never read from the config: put the key in an environment variable and name it with apiKeyEnv (default OPENAI_API_KEY)',
    })
    .optional(),
);

export const promptOptionsSchema = lazySchema(() =>
  z
    .strictObject({
      task: z
        .union([z.string().min(1), taskSchema])
        .default('brown-genre')
        .describe('shipped task name, a task directory (task.json + JSONL), or an inline task'),
      prompt: z.string().min(1).optional().describe('the base prompt (holding {text}); default: the task prompt'),
      promptFile: z
        .string()
        .min(1)
        .optional()
        .describe('file holding the base prompt, relative to the working directory'),
      scorer: z
        .enum(['offline', 'http'])
        .default('offline')
        .describe('offline: nearest-neighbour stand-in (not an LLM); http: an OpenAI-compatible server'),
      reward: z
        .enum(['accuracy', 'gap'])
        .default('accuracy')
        .describe("fitness: dev accuracy in [0, 1], or PromptQuine's mean gap reward"),
      devExamples: z.int().positive().optional().describe('use the first N dev examples (default: all)'),
      testExamples: z
        .int()
        .nonnegative()
        .optional()
        .describe('use the first N test examples (default: all; 0: no test accuracy)'),
      neighbours: z.int().positive().default(3).describe('offline scorer: k of the k-nearest-neighbour vote'),
      baseUrl: z
        .string()
        .superRefine((url, ctx) => {
          const problem = baseUrlProblem(url);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        })
        .optional()
        .describe('e.g. http://127.0.0.1:8080/v1; default: environment variable ELITES_LLM_BASE_URL'),
      model: z.string().min(1).optional().describe('default: environment variable ELITES_LLM_MODEL'),
      apiKeyEnv: envName
        .default('OPENAI_API_KEY')
        .describe('the environment variable holding the API key (the key itself never goes in a config)'),
      apiKey: noSecret,
      api_key: noSecret,
      concurrency: z
        .int()
        .min(1)
        .max(256)
        .default(4)
        .describe('requests in flight at once, shared by all worker threads'),
      requestTimeoutSeconds: z.number().positive().max(3600).default(60),
      retries: z
        .int()
        .min(0)
        .max(10)
        .default(3)
        .describe('attempts after the first, on 429, 5xx, timeouts, lost connections and malformed answers'),
      backoffSeconds: z
        .number()
        .nonnegative()
        .max(60)
        .default(1)
        .describe('first retry delay; doubles each retry, with jitter'),
      maxTokens: z.int().positive().max(4096).default(8),
      logprobs: z
        .boolean()
        .default(true)
        .describe('ask for first-token logprobs (label by the most probable verbalizer)'),
      topLogprobs: z.int().min(1).max(20).default(10),
      responseCache: z
        .union([z.string().min(1), z.literal(false)])
        .default('.elites/llm-cache.mdb')
        .describe('LMDB file of answers by request, shared by runs; false: none'),
      cacheTag: z
        .string()
        .default('')
        .describe('part of the response-cache key: change it when other weights are served under the same model name'),
    })
    .refine((o) => o.prompt === undefined || o.promptFile === undefined, {
      message: 'give prompt or promptFile, not both',
      path: ['promptFile'],
    }),
);
export type PromptOptions = z.infer<typeof promptOptionsSchema>;
