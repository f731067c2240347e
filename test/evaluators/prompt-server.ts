// A real HTTP server on 127.0.0.1 that speaks POST /v1/chat/completions, for the prompt evaluator's tests: it counts
// requests (in flight, per body), records the Authorization header, and can answer 429, 500, malformed JSON or hang.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does with one request. */
export type Reply =
  | {
      readonly kind: 'answer';
      readonly content: string;
      readonly logprobs?: readonly { token: string; logprob: number }[];
    }
  | { readonly kind: 'status'; readonly status: number; readonly message?: string; readonly retryAfterSeconds?: number }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'no-choices' }
  | { readonly kind: 'hang' };

export interface ChatRequest {
  readonly body: {
    model: string;
    messages: { role: string; content: string }[];
    logprobs?: boolean;
    top_logprobs?: number;
  };
  /** The query sentence (from the last "Sentence: …\nGenre:" of the user message). */
  readonly query: string;
  /** How many times this exact body was received, this one included. */
  readonly seen: number;
  /** Its Authorization header ('' without one): a server may echo it, as some do in their errors. */
  readonly authorization: string;
}

export interface FakeLlm {
  /** Base URL to give the evaluator (ends in /v1). */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: ChatRequest[];
  /** Authorization headers received. */
  readonly authorizations: string[];
  /** Most requests in flight at once. */
  maxInFlight(): number;
  close(): Promise<void>;
}

export interface FakeLlmOptions {
  readonly respond?: (request: ChatRequest) => Reply;
  /** Delay before answering each request, so that concurrent requests overlap. */
  readonly delayMs?: number;
}

/** The default answer: the word "news" with first-token logprobs favouring it. */
export const answerNews: Reply = {
  kind: 'answer',
  content: 'news',
  logprobs: [
    { token: 'news', logprob: -0.2 },
    { token: ' religion', logprob: -2 },
  ],
};

export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const requests: ChatRequest[] = [];
  const authorizations: string[] = [];
  const seen = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  const respond = options.respond ?? (() => answerNews);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let data = '';
    req.on('data', (chunk: Buffer) => (data += String(chunk)));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
        return;
      }
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const authorization = String(req.headers.authorization ?? '');
      authorizations.push(authorization);
      const body = JSON.parse(data) as ChatRequest['body'];
      const n = (seen.get(data) ?? 0) + 1;
      seen.set(data, n);
      const user = body.messages.at(-1)?.content ?? '';
      const query = /Sentence: ([^\n]*)\nGenre:\s*$/.exec(user)?.[1] ?? user;
      const request: ChatRequest = { body, query, seen: n, authorization };
      requests.push(request);
      const reply = respond(request);
      const done = (): void => {
        inFlight--;
      };
      if (reply.kind === 'hang') {
        res.on('close', done); // never answered; the client gives up (or the server closes)
        return;
      }
      setTimeout(() => {
        done();
        send(res, reply, body);
      }, options.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    authorizations,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, reply: Exclude<Reply, { kind: 'hang' }>, body: ChatRequest['body']): void {
  if (reply.kind === 'status') {
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      ...(reply.retryAfterSeconds !== undefined ? { 'retry-after': String(reply.retryAfterSeconds) } : {}),
    });
    res.end(JSON.stringify({ error: { message: reply.message ?? `status ${reply.status}`, type: 'server_error' } }));
    return;
  }
  if (reply.kind === 'malformed') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "x", "choices": [ {"message": ');
    return;
  }
  if (reply.kind === 'no-choices') {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ id: 'x', object: 'chat.completion', result: 'news' }));
    return;
  }
  const logprobs =
    body.logprobs && reply.logprobs
      ? {
          content: [
            {
              token: reply.logprobs[0]!.token,
              logprob: reply.logprobs[0]!.logprob,
              top_logprobs: reply.logprobs.slice(0, body.top_logprobs ?? 1),
            },
          ],
        }
      : null;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 0,
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: reply.content }, logprobs, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: Math.ceil((body.messages.at(-1)?.content.length ?? 0) / 4),
        completion_tokens: 1,
        total_tokens: 0,
      },
    }),
  );
}
