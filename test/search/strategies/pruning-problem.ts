// A synthetic prompt-pruning problem with a known optimum, and a tiny synchronous driver for strategy tests.
import { SeededRng } from '../../../core/rng.js';
import type { Outcome, Proposal, Strategy, StrategyDeps } from '../../../search/strategies/strategy.js';
import type { Space } from '../../../core/types.js';
import {
  createTokenMaskSpace,
  type TokenMaskGenome,
  type TokenMaskOptionsInput,
  type TokenMaskSpace,
} from '../../../spaces/index.js';
import { TinyGridArchive } from './fixtures.js';

/** Words the task needs: pruning one costs 10. */
export const KEY_WORDS = ['Classify', 'the', 'review', 'as', 'positive', 'or', 'negative', '.', 'Answer', ':'] as const;
/** Filler: pruning one gains 1. */
export const JUNK_WORDS = ['um', 'uh', 'like', 'basically', 'er', 'actually', 'hmm', 'so', 'well', 'kinda'] as const;

/** 20 prunable word tokens (key and junk interleaved) and a protected placeholder: 23 tokens. */
export const PRUNING_PROMPT = `${KEY_WORDS.map((k, i) => `${k} ${JUNK_WORDS[i]}`).join(' ')} {text}`;

/** The optimum prunes exactly the 10 junk words: fitness 10, length 13 (10 key words + 3 placeholder tokens). */
export const OPTIMUM = { fitness: 10, length: 13, text: `${KEY_WORDS.join(' ')} {text}` } as const;

export function pruningSpace(options: Partial<TokenMaskOptionsInput> = {}): TokenMaskSpace {
  return createTokenMaskSpace({ prompt: PRUNING_PROMPT, ...options });
}

/** Fitness = junk words pruned − 10 · key words pruned (higher is better). */
export function pruningFitness(space: TokenMaskSpace, g: TokenMaskGenome, scale = 1): number {
  let f = 0;
  space.tokens.forEach((t, i) => {
    if (g.keep[i]) return;
    const word = t.trim();
    if ((JUNK_WORDS as readonly string[]).includes(word)) f += 1;
    else if ((KEY_WORDS as readonly string[]).includes(word)) f -= 10;
    else throw new Error(`pruned a token that is neither key nor junk: ${JSON.stringify(t)}`);
  });
  return f * scale;
}

/** An archive for the problem: one cell per (key words kept, junk words kept). */
export function pruningArchive<G>(): TinyGridArchive<G> {
  return new TinyGridArchive<G>([10, 10]);
}

export function pruningDescriptors(space: TokenMaskSpace, g: TokenMaskGenome): number[] {
  let key = 0;
  let junk = 0;
  space.tokens.forEach((t, i) => {
    if (!g.keep[i]) return;
    if ((KEY_WORDS as readonly string[]).includes(t.trim())) key++;
    else if ((JUNK_WORDS as readonly string[]).includes(t.trim())) junk++;
  });
  return [key, junk];
}

export interface RunResult<G> {
  best: { genome: G; score: number } | undefined;
  proposals: number;
  converged: boolean;
}

/**
 * Plays the engine with `batch` evaluations in flight, answering in order, until `budget` proposals were made, the
 * strategy is finished() with nothing outstanding, or a score reaches `target` (a budget's targetFitness). Scores
 * come from `score` (higher is better); `fail` marks failures.
 */
export function drive<G>(
  strategy: Strategy<G>,
  score: (g: G) => number,
  budget: number,
  batch = 1,
  fail: (p: Proposal<G>) => boolean = () => false,
  target = Infinity,
): RunResult<G> {
  let best: { genome: G; score: number } | undefined;
  let proposals = 0;
  const pending: Proposal<G>[] = [];
  for (;;) {
    if (!strategy.finished?.() && proposals < budget && !(best && best.score >= target)) {
      const got = strategy.ask(Math.min(batch - pending.length, budget - proposals));
      proposals += got.length;
      pending.push(...got);
    }
    const p = pending.shift();
    if (!p) return { best, proposals, converged: strategy.finished?.() ?? false };
    let outcome: Outcome<G>;
    if (fail(p)) outcome = { proposal: p, ok: false, failure: { kind: 'threw', message: 'planned' } };
    else {
      const s = score(p.genome);
      if (!best || s > best.score) best = { genome: p.genome, score: s };
      outcome = { proposal: p, ok: true, score: s, result: { fitness: s }, status: 'new', source: 'evaluated' };
    }
    strategy.tell(outcome);
  }
}

/** Deps over `space` with an empty archive and a seeded stream. */
export function depsFor<G>(space: Space<G>, seed: string): StrategyDeps<G> {
  return { space, archive: pruningArchive<G>(), rng: SeededRng.fromSeed(seed) };
}
