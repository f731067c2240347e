// What the main process and `elites worker` share through Redis: key names, the published run record, job ids and
// the wire encoding of tasks and results.
import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { EvalTask, EvaluatorSpec } from '../executor.js';

/** Our own keys live beside BullMQ's (`bull:<queue>:…`) under one prefix per queue. */
export function keys(queue: string) {
  const base = `elites:${queue}`;
  return {
    /** The current run's record (RunRecord as JSON): what workers load. */
    run: `${base}:run`,
    /** Channel: a new run record was published. */
    announce: `${base}:announce`,
    /** The run that owns the queue, with a TTL its main process keeps renewing. */
    owner: `${base}:owner`,
    /** Hash: worker id → WorkerState as JSON (heartbeats). */
    workers: `${base}:workers`,
    /** Channel: fingerprint lookups from workers to the main process. */
    fingerprintRequests: `${base}:fp:req`,
    /** Channel: the main process's answers to one worker. */
    fingerprintReplies: (workerId: string) => `${base}:fp:rep:${workerId}`,
    /** Channel: running evaluations' ctx.report()s, workers to the main process (ReportMessage, encode()d). */
    reports: `${base}:reports`,
    /** Channel: the main process's pruner stopped an evaluation (PruneMessage, encode()d), to every worker. */
    prunes: `${base}:prunes`,
  };
}

/** The evaluator as the main process has it: workers must load one with the same name and version. */
export interface EvaluatorIdentity {
  readonly name: string;
  readonly version: string | null;
}

/** What the main process publishes for workers (JSON). */
export interface RunRecord {
  /** Hash of everything below: jobs carry it, a worker reloads when it changes. */
  readonly specId: string;
  /** Stable across resumes of one run directory: the prefix of its job ids. */
  readonly runTag: string;
  /** `module` is absolute on the main machine; `cache.path` is blanked (workers ask the main process, see fingerprint.ts). */
  readonly spec: Omit<EvaluatorSpec, 'sharedMemory'>;
  /** `module` relative to the main process's working directory (the project root), for workers elsewhere. */
  readonly moduleFromRoot?: string;
  /** The same for the evaluator process's working directory (`process.cwd`). */
  readonly processCwdFromRoot?: string;
  readonly expect: EvaluatorIdentity;
  /** BullMQ lock duration and stalled-check interval. */
  readonly stalledMs: number;
  /** The run has a pruner: workers forward their evaluations' reports and stop those it prunes. */
  readonly reports?: true;
  readonly main: { readonly host: string; readonly pid: number };
}

/** A worker's heartbeat entry; stale after HEARTBEAT_STALE_MS. */
export interface WorkerState {
  readonly host: string;
  readonly pid: number;
  readonly concurrency: number;
  readonly specId: string | null;
  readonly state: 'waiting' | 'loading' | 'ready' | 'refused';
  readonly message?: string;
  readonly seen: number;
}

export const HEARTBEAT_MS = 1000;
export const HEARTBEAT_STALE_MS = 5000;

/** A running evaluation's report: [spec id, proposal id, step, value] (the value as the evaluator gave it). */
export type ReportMessage = readonly [specId: string, id: number, step: number, value: number];
/** The pruner stopped proposal `id` of the run with this spec id. */
export type PruneMessage = readonly [specId: string, id: number];

/**
 * A report or prune message from the wire (encode()d: a NaN value survives), or undefined when it is not one: a stray
 * publisher must not end a run.
 */
export function parseMessage<T extends ReportMessage | PruneMessage>(text: string, length: T['length']): T | undefined {
  let value: unknown;
  try {
    value = decode<unknown>(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== length || typeof value[0] !== 'string') return undefined;
  if (!value.slice(1).every((x) => typeof x === 'number')) return undefined;
  return value as unknown as T;
}

/** Job payload: the run's spec id and the encoded task. */
export interface JobData {
  readonly s: string;
  readonly t: string;
}

/** Structured-clone encoding (v8.serialize) as base64 text: typed arrays, NaN and nested plain data survive. */
export function encode(value: unknown): string {
  return serialize(value).toString('base64');
}

export function decode<T>(text: string): T {
  return deserialize(Buffer.from(text, 'base64')) as T;
}

/**
 * One task, one job id, the same after a resume: a resumed main process that submits a task still in Redis (waiting,
 * running, or done while it was away) attaches to that job instead of evaluating it again. The content hash keeps a
 * re-proposal with other content (another repeat, key or stage) from attaching to a job that is not its own.
 */
export function jobId(runTag: string, task: EvalTask): string {
  const content = shortHash(`${task.key}\u0000${task.repeat}\u0000${task.fidelity ?? ''}\u0000${task.sample ?? ''}`);
  return `${runTag}.${task.id}.${task.repeat}.${content}`; // BullMQ refuses ids with ':' and all-digit ids
}

export function shortHash(text: string, length = 12): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
