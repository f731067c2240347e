// The setting a cached result belongs to. A result is reused only under the same namespace, so the namespace names
// everything that can change what the evaluator answers: the evaluator (its code), its options and the contents of
// the files they point at, the space (the same genome means another candidate in another space), the fidelity, and
// the machine when results are timings.
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { contentHash } from '../core/hash.js';
import type { Evaluator } from '../core/types.js';
import type { CacheScope } from '../store/result-cache.js';
import { isModuleRef, type RunConfig } from './config.js';

/** The scope of a run's cache entries; `version`: the run's evaluator version (saved with the run, kept on resume). */
export function cacheScopeOf(config: RunConfig, evaluator: Evaluator<unknown>, version: string): CacheScope {
  const options = config.evaluator.options ?? {};
  const inputs: Record<string, string> = {};
  for (const path of evaluator.inputFiles?.(options) ?? []) inputs[resolve(path)] = contentHash(path) ?? 'absent';
  return {
    evaluator: evaluator.name,
    version,
    options,
    fidelity: config.evaluator.fidelity,
    space: isModuleRef(config.space) ? { ...config.space, source: contentHash(config.space.module) } : config.space,
    ...(Object.keys(inputs).length > 0 ? { inputs } : {}),
    ...(evaluator.machineDependent ? { machine: machineFingerprint() } : {}),
  };
}

/** The version a run records for its evaluator: the config's, else the evaluator's, else (a plug-in that names none) its source. */
export function evaluatorVersion(config: RunConfig, evaluator: Evaluator<unknown>): string {
  const pinned = config.evaluator.version ?? evaluator.version;
  if (pinned !== undefined) return pinned;
  const module = config.evaluator.module;
  const source = module !== undefined ? contentHash(module) : undefined;
  return source !== undefined ? `source:${source.slice(0, 16)}` : '0';
}

/** What makes timings comparable: the CPU model and count, the architecture and OS. */
export function machineFingerprint(): string {
  const all = cpus();
  return `${all[0]?.model ?? 'unknown cpu'} ×${all.length} ${process.arch} ${process.platform}`;
}
