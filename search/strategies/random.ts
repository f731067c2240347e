// Random search (Bergstra & Bengio, 2012, JMLR 13:281–305) — independent samples from the space; the baseline.
import { z } from 'zod';
import { lazySchema } from '../../core/lazy-schema.js';
import { defineFactory } from '../../core/factory.js';
import { batchSize, IdCounter, parseState } from './select.js';
import type { Proposal, Strategy, StrategyDeps } from './strategy.js';

export const randomOptions = lazySchema(() => z.strictObject({}));
export type RandomOptions = z.infer<typeof randomOptions>;

const randomState = lazySchema(() => z.strictObject({ nextId: z.number().int().min(0) }));
export type RandomState = z.infer<typeof randomState>;

/** Every proposal is `space.sample(rng)`, with no parents; tells are ignored. */
export function createRandom<G>(options: z.input<typeof randomOptions>, deps: StrategyDeps<G>): Strategy<G> {
  randomOptions.parse(options ?? {});
  const { space, rng } = deps;
  let ids = new IdCounter();
  return {
    ask(n: number): Proposal<G>[] {
      const out: Proposal<G>[] = [];
      for (let i = 0; i < batchSize(n); i++) out.push(ids.propose(space.sample(rng.next)));
      return out;
    },
    tell(): void {},
    state(): RandomState {
      return { nextId: ids.next };
    },
    restore(state: unknown): void {
      ids = new IdCounter(parseState('random', randomState, state).nextId);
    },
  };
}

export const random = defineFactory(
  'Random search: independent samples from the space.',
  randomOptions,
  (options, deps: StrategyDeps<unknown>) => createRandom(options, deps),
);
