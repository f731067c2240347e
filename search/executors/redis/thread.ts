// Evaluation-thread entry for `elites worker` (piscina): the same runner as the local pool's threads (worker.ts),
// with level-2 lookups answered by the run's main process instead of a local LMDB file.
import { workerData } from 'piscina';
import { createEvaluationRunner } from '../../evaluation.js';
import type { EvaluatorSpec } from '../executor.js';
import { adoptSharedMemory } from '../../../core/semaphores.js';
import { reportSinkOf } from '../report-channel.js';
import { threadEntry } from '../thread-entry.js';
import { bridgedCache } from './fingerprint.js';

/** How long a thread waits for a fingerprint answer before it evaluates anyway. */
const LOOKUP_TIMEOUT_MS = 2000;

// `spec.cache` is the main process's cache (its path means nothing here): present means lookups are wanted.
const spec = workerData as EvaluatorSpec;
if (spec.sharedMemory !== undefined) adoptSharedMemory(spec.sharedMemory);
// The run has a pruner: reports go to this process's main thread, which forwards them to the run's main process.
const progress = spec.reports ? reportSinkOf(spec.reports) : undefined;
export default threadEntry(
  createEvaluationRunner(
    spec,
    spec.cache !== undefined ? bridgedCache(LOOKUP_TIMEOUT_MS) : undefined,
    undefined,
    progress,
  ),
  spec.timeoutMs,
);
