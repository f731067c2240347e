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
export default threadEntry(createEvaluationRunner(spec, undefined, undefined, progress), spec.timeoutMs);
