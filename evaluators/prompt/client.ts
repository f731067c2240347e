// OpenAI-compatible chat/completions client (the official `openai` SDK with a baseURL: llama.cpp server, vLLM, Ollama,
// hosted APIs): temperature 0, a concurrency limit shared by every thread's requests, retries with backoff on 429,
// 5xx, timeouts, lost connections and malformed answers, and errors that say what happened without the API key.
import { randomInt } from 'node:crypto';
import type OpenAI from 'openai';
import { sharedSemaphore, type SharedSemaphore } from '../../core/semaphores.js';
import type { TopToken } from './labels.js';
import { displayUrl } from './options.js';
import type { Answer } from './response-cache.js';

export interface ChatClientOptions {
  /** e.g. http://127.0.0.1:8080/v1 (the SDK appends /chat/completions). */
  readonly baseUrl: string;
  readonly model: string;
  /** The key's value (read from the environment by the caller); undefined when the variable is unset. */
  readonly apiKey: string | undefined;
  /** The variable it came from, for messages. */
  readonly apiKeyEnv: string;
  /** Requests in flight at once against this server, across all worker threads of the process. */
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Attempts after the first. */
  readonly retries: number;
  /** First backoff; doubled each retry, with jitter (timing only: answers do not depend on it). */
  readonly backoffMs: number;
  readonly maxTokens: number;
  /** Ask for the first token's top logprobs (servers that do not give them just answer without). */
  readonly logprobs: boolean;
  readonly topLogprobs: number;
}

export interface ChatMessage {
  readonly role: 'system' | 'user';
  readonly content: string;
}

/** The request body: also what the response cache is keyed by (no header, so never the key). */
export interface ChatBody {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly temperature: 0;
  readonly max_tokens: number;
  readonly logprobs?: true;
  readonly top_logprobs?: number;
}

export interface ChatClient {
  readonly semaphore: SharedSemaphore;
  body(messages: readonly ChatMessage[]): ChatBody;
  /**
   * Sends one request (retrying as configured) and returns the answer and the number of HTTP attempts made.
   * @throws {Error} with a message naming the server and what went wrong, after the last attempt; at once for a 4xx
   * other than 429 (a request the server will never accept) or when `signal` aborts.
   */
  complete(body: ChatBody, signal: AbortSignal): Promise<{ answer: Answer; attempts: number }>;
}

/** Why one attempt failed, and whether another attempt may succeed. */
interface AttemptFailure {
  readonly retry: boolean;
  /** Short: "500", "429", "timeout", "malformed JSON", "connection failed". */
  readonly kind: string;
  readonly detail: string;
  readonly retryAfterMs?: number;
}

/** A response that is not a chat completion. */
class MalformedResponse extends Error {}

/** The SDK class, imported at the first request: the package is ~150 modules that a run without an LLM never needs. */
let sdkClass: typeof OpenAI | undefined;
async function loadSdk(): Promise<typeof OpenAI> {
  sdkClass ??= (await import('openai')).default;
  return sdkClass;
}

export function createChatClient(options: ChatClientOptions): ChatClient {
  let sdk: Promise<OpenAI> | undefined;
  const client = (): Promise<OpenAI> =>
    (sdk ??= loadSdk().then(
      (SDK) =>
        new SDK({
          baseURL: options.baseUrl,
          // Local servers need no key; the SDK insists on one, so an unset variable sends a placeholder (a server that
          // checks keys answers 401, reported with the variable's name).
          apiKey: options.apiKey ?? 'no-key-set',
          maxRetries: 0, // retries are ours: they release the shared concurrency slot while backing off
          timeout: options.timeoutMs + 1000, // ours fires first and also covers reading the body
          logLevel: 'off',
        }),
    ));
  // A permit outlives no attempt (each has its own timer): a lease a little longer frees the permit of a terminated thread.
  const semaphore = sharedSemaphore(`llm-requests:${options.baseUrl}`, options.concurrency, {
    leaseMs: options.timeoutMs + 10_000,
  });
  const where = `LLM server at ${displayUrl(options.baseUrl)}`;
  // Nothing we print may hold the key, even if a server echoes request headers into an error body.
  const redact = (text: string): string =>
    options.apiKey && options.apiKey.length >= 4 ? text.split(options.apiKey).join('[API key]') : text;

  const attempt = async (body: ChatBody, signal: AbortSignal): Promise<Answer> => {
    const sdk = await client(); // before the timer: loading the SDK is not the server's time
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(), options.timeoutMs);
    try {
      const raw: unknown = await sdk.chat.completions.create(
        body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming,
        { signal: AbortSignal.any([signal, timer.signal]) },
      );
      return parseCompletion(raw);
    } catch (error) {
      if (signal.aborted) throw error;
      throw timer.signal.aborted ? Object.assign(new Error('timeout'), { timedOut: true }) : error;
    } finally {
      clearTimeout(timeout);
    }
  };

  const classify = (error: unknown): AttemptFailure => {
    if ((error as { timedOut?: boolean }).timedOut)
      return { retry: true, kind: 'timeout', detail: `no answer within ${options.timeoutMs / 1000} s` };
    if (error instanceof MalformedResponse) return { retry: true, kind: 'malformed answer', detail: error.message };
    if (error instanceof SyntaxError)
      return { retry: true, kind: 'malformed JSON', detail: `the body is not valid JSON (${error.message})` };
    // The SDK's errors come from a loaded SDK; before it loads (its import failed) no error is one of them.
    const OpenAI = sdkClass;
    if (OpenAI === undefined) return plainFailure(error);
    if (error instanceof OpenAI.APIConnectionTimeoutError)
      return { retry: true, kind: 'timeout', detail: `no answer within ${options.timeoutMs / 1000} s` };
    if (error instanceof OpenAI.APIConnectionError)
      return { retry: true, kind: 'connection failed', detail: connectionCause(error) };
    if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
      const status = error.status;
      const detail = errorBody(error);
      if (status === 429 || status >= 500) {
        const retryAfter = Number(error.headers?.get('retry-after'));
        return {
          retry: true,
          kind: String(status),
          detail,
          ...(Number.isFinite(retryAfter) && retryAfter > 0
            ? { retryAfterMs: Math.min(retryAfter * 1000, 60_000) }
            : {}),
        };
      }
      if (status === 401 || status === 403) {
        const key = options.apiKey
          ? `the API key from environment variable ${options.apiKeyEnv}`
          : `no API key (environment variable ${options.apiKeyEnv} is not set)`;
        return { retry: false, kind: String(status), detail: `refused ${key}: ${detail}` };
      }
      if (status === 404)
        return {
          retry: false,
          kind: '404',
          detail: `not found (is the model "${options.model}" served, and does baseUrl end in /v1?): ${detail}`,
        };
      return { retry: false, kind: String(status), detail: `refused the request: ${detail}` };
    }
    return plainFailure(error);
  };

  return {
    semaphore,
    body(messages) {
      return {
        model: options.model,
        messages,
        temperature: 0,
        max_tokens: options.maxTokens,
        ...(options.logprobs ? { logprobs: true as const, top_logprobs: options.topLogprobs } : {}),
      };
    },
    async complete(body, signal) {
      const failures: AttemptFailure[] = [];
      for (let n = 1; ; n++) {
        const release = await semaphore.acquire(signal);
        try {
          return { answer: await attempt(body, signal), attempts: n };
        } catch (error) {
          if (signal.aborted)
            throw new Error(`request to ${where} stopped: the evaluation timed out or the run is stopping`);
          const failure = classify(error);
          failures.push(failure);
          if (!failure.retry) throw new Error(redact(`${where} answered ${failure.kind}: ${failure.detail}`));
          if (n > options.retries) throw new Error(redact(summarise(where, failures)));
        } finally {
          release();
        }
        const last = failures.at(-1);
        const backoff = options.backoffMs * 2 ** (n - 1);
        await sleep(
          Math.max(last?.retryAfterMs ?? 0, backoff / 2 + randomInt(Math.max(1, Math.ceil(backoff)))),
          signal,
        );
      }
    },
  };
}

const plainFailure = (error: unknown): AttemptFailure => ({
  retry: false,
  kind: 'error',
  detail: error instanceof Error ? error.message : String(error),
});

/** "LLM server at URL answered 500 4 times (retried with backoff): <last detail>", or the mix of causes. */
function summarise(where: string, failures: readonly AttemptFailure[]): string {
  const kinds = failures.map((f) => f.kind);
  const last = failures.at(-1)!;
  const times = failures.length === 1 ? 'once' : `${failures.length} times`;
  const phrase = (kind: string): string =>
    /^\d+$/.test(kind)
      ? `answered ${kind}`
      : ({
          timeout: 'timed out',
          'connection failed': 'could not be reached',
          'malformed JSON': 'answered with malformed JSON',
          'malformed answer': 'answered with something that is not a chat completion',
        }[kind] ?? `failed (${kind})`);
  const what = kinds.every((k) => k === kinds[0])
    ? `${phrase(kinds[0]!)} ${times}`
    : `failed ${times} (${kinds.join(', ')})`;
  return `${where} ${what}${failures.length > 1 ? ' (retried with backoff)' : ''}: ${last.detail}`;
}

function errorBody(error: InstanceType<typeof OpenAI.APIError>): string {
  const body = error.error as { message?: unknown } | undefined;
  const text =
    typeof body?.message === 'string' ? body.message : body !== undefined ? JSON.stringify(body) : error.message;
  return clip(text);
}

function connectionCause(error: InstanceType<typeof OpenAI.APIConnectionError>): string {
  let cause: unknown = error.cause;
  let text = error.message;
  while (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    text = `${cause.message}${typeof code === 'string' ? ` (${code})` : ''}`;
    cause = cause.cause;
  }
  return clip(text);
}

const clip = (text: string): string => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

/**
 * The answer of a chat completion: the first choice's text, its first token's top logprobs when present, the usage.
 * @throws {MalformedResponse} when the body is not a chat completion.
 */
export function parseCompletion(raw: unknown): Answer {
  if (raw === null || typeof raw !== 'object')
    throw new MalformedResponse(`the body is not a JSON object (${clip(String(raw))})`);
  const choice = (raw as { choices?: unknown }).choices;
  const first = Array.isArray(choice)
    ? (choice[0] as { message?: { content?: unknown }; logprobs?: { content?: unknown } } | undefined)
    : undefined;
  if (!first || typeof first !== 'object' || !first.message || typeof first.message !== 'object') {
    throw new MalformedResponse(`the body has no choices[0].message (${clip(JSON.stringify(raw))})`);
  }
  const content = first.message.content;
  if (content !== null && content !== undefined && typeof content !== 'string')
    throw new MalformedResponse('choices[0].message.content is not a string');
  const usage = (raw as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } }).usage;
  const count = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : 0);
  const top = firstTokenTop(first.logprobs?.content);
  return {
    text: typeof content === 'string' ? content : '',
    ...(top ? { top } : {}),
    promptTokens: count(usage?.prompt_tokens),
    completionTokens: count(usage?.completion_tokens),
  };
}

function firstTokenTop(content: unknown): TopToken[] | undefined {
  if (!Array.isArray(content) || content.length === 0) return undefined;
  const first = content[0] as { token?: unknown; logprob?: unknown; top_logprobs?: unknown };
  const list: TopToken[] = [];
  const add = (t: unknown): void => {
    const { token, logprob } = (t ?? {}) as { token?: unknown; logprob?: unknown };
    if (
      typeof token === 'string' &&
      typeof logprob === 'number' &&
      Number.isFinite(logprob) &&
      !list.some((x) => x.token === token)
    )
      list.push({ token, logprob });
  };
  if (Array.isArray(first.top_logprobs)) for (const t of first.top_logprobs) add(t);
  add(first); // the sampled token itself, when the server lists no alternatives
  return list.length > 0 ? list : undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('request stopped: the evaluation timed out or the run is stopping'));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('request stopped: the evaluation timed out or the run is stopping'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
