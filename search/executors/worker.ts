// Worker-thread entry for the piscina executor: builds the evaluator from workerData once, then runs tasks.
import { workerData } from 'piscina';
import { createEvaluationRunner } from '../evaluation.js';
import type { EvaluatorSpec } from './executor.js';
import { adoptSharedMemory } from '../../core/semaphores.js';
import { reportSinkOf } from './report-channel.js';
import { threadEntry } from './thread-entry.js';

const spec = workerData as EvaluatorSpec;
// Before the evaluator loads: its semaphores must be the ones every other thread uses.
if (spec.sharedMemory !== undefined) adoptSharedMemory(spec.sharedMemory);
const progress = spec.reports ? reportSinkOf(spec.reports) : undefined; // the run has a pruner
// The cache's module (and lmdb's native addon with it) loads only in a thread that reads a cache: a run without one
// starts its threads without it, and a pool that ends a thread while it starts has no native module in registration.
// The thread reads the file only; its environment stays open until the thread ends (store/lmdb-env.ts).
const cache =
  spec.cache === undefined
    ? undefined
    : (await import('../../store/result-cache.js')).openResultCache({ ...spec.cache, readOnly: true });
export default threadEntry(createEvaluationRunner(spec, cache, undefined, progress), spec.timeoutMs);
