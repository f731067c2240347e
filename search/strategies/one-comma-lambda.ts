// The (1,λ)-EA (Rowe & Sudholt, TCS 545, 2014): one-plus-lambda.ts with comma selection, where the best offspring
// always replaces the parent. Same options, including the self-adjusting λ.
import type { z } from 'zod';
import { defineFactory } from '../../core/factory.js';
import { createOnePlusLambda, onePlusLambdaOptions } from './one-plus-lambda.js';
import type { Strategy, StrategyDeps } from './strategy.js';

/** The (1,λ)-EA: `createOnePlusLambda` with comma selection. */
export function createOneCommaLambda<G>(
  options: z.input<typeof onePlusLambdaOptions>,
  deps: StrategyDeps<G>,
): Strategy<G> {
  return createOnePlusLambda(options, deps, 'comma');
}

export const oneCommaLambda = defineFactory(
  '(1,λ)-EA: the best of λ offspring always replaces the parent; optional self-adjusting λ.',
  onePlusLambdaOptions,
  (options, deps: StrategyDeps<unknown>) => createOneCommaLambda(options, deps),
);
