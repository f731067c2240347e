// The wire protocol between elites and an evaluator process (protocol 1): one JSON object per line, UTF-8, requests on
// the process's stdin and replies on its stdout. Documented for implementers in README.md beside this file.

export const PROTOCOL = 1;

/** What an evaluation request tells the process about its context (EvalContext minus what cannot cross: rng, signal). */
export interface WireContext {
  readonly fidelity: number;
  readonly sample: number;
  /** An unsigned 32-bit seed from the candidate's noise stream: the same candidate gets the same seed on any worker. */
  readonly seed: number;
}

export type Request =
  | { readonly type: 'setup'; readonly id: number; readonly protocol: number; readonly options: unknown }
  | {
      readonly type: 'evaluate' | 'fingerprint';
      readonly id: number;
      readonly genome: unknown;
      readonly ctx: WireContext;
    }
  /** The run's pruner stopped evaluation `id`: the process's should_stop() turns true. No reply. */
  | { readonly type: 'stop'; readonly id: number };

export type Reply =
  /** The request `id` finished: null for setup, the result object for evaluate, the fingerprint string for fingerprint. */
  | { readonly type: 'done'; readonly id: number; readonly value: unknown }
  /** The request `id` raised: `message` is the exception, `traceback` its trace (Python: traceback.format_exc()). */
  | { readonly type: 'error'; readonly id: number; readonly message: string; readonly traceback?: string }
  /** A running evaluation's progress (ctx.report(step, value)). */
  | { readonly type: 'report'; readonly id: number; readonly step: number; readonly value: number };

/** One request as a line (with its newline). Typed arrays (vector and bitstring genomes) become JSON arrays. */
export function encodeRequest(request: Request): string {
  if (!('genome' in request)) return `${JSON.stringify(request)}\n`;
  const { genome } = request;
  // The common genomes without a replacer, which would be called once per element of a long vector.
  if (isTypedArray(genome)) return `${JSON.stringify({ ...request, genome: Array.from(genome) })}\n`;
  const flat = Array.isArray(genome) && genome.every((x) => x === null || typeof x !== 'object');
  return `${flat ? JSON.stringify(request) : JSON.stringify(request, typedArraysAsArrays)}\n`;
}

function isTypedArray(value: unknown): value is ArrayLike<number> {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

function typedArraysAsArrays(_key: string, value: unknown): unknown {
  return isTypedArray(value) ? Array.from(value) : value;
}

/** A line of stdout as a reply, or why it is not one (quoting it). */
export function parseReply(line: string): Reply | { readonly problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { problem: `a line that is not JSON: ${quote(line)}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { problem: `a line that is not a JSON object: ${quote(line)}` };
  const frame = value as Record<string, unknown>;
  if (typeof frame.id !== 'number' || !Number.isInteger(frame.id))
    return { problem: `a frame without an integer id: ${quote(line)}` };
  switch (frame.type) {
    case 'done':
      return { type: 'done', id: frame.id, value: frame.value ?? null };
    case 'error':
      if (typeof frame.message !== 'string') return { problem: `an error frame without a message: ${quote(line)}` };
      return {
        type: 'error',
        id: frame.id,
        message: frame.message,
        ...(typeof frame.traceback === 'string' ? { traceback: frame.traceback } : {}),
      };
    case 'report':
      if (typeof frame.step !== 'number' || typeof frame.value !== 'number')
        return { problem: `a report frame whose step or value is not a number: ${quote(line)}` };
      return { type: 'report', id: frame.id, step: frame.step, value: frame.value };
    default:
      return { problem: `a frame of unknown type ${JSON.stringify(frame.type)}: ${quote(line)}` };
  }
}

/** A line for a message: trimmed and cut to 200 characters, as JSON. */
export function quote(line: string): string {
  const t = line.trim();
  return JSON.stringify(t.length > 200 ? `${t.slice(0, 197)}...` : t);
}
