// The pruner that never prunes: every evaluation runs to its end, as without early stopping.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { parsePrunerState } from './protocol.js';
import type { Pruner } from './types.js';

export const noneOptions = lazySchema(() => z.strictObject({}));
export type NoneOptions = z.infer<typeof noneOptions>;

/** Answers 'continue' to every report and keeps nothing; its state is `{}`. */
export function createNonePruner(): Pruner {
  return {
    report: () => 'continue',
    finish: () => {},
    state: () => ({}),
    restore(state: unknown): void {
      parsePrunerState('none pruner', noneOptions, state);
    },
  };
}
