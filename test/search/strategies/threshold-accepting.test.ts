// TAPruning: one removal at a time, threshold against the best score, passes until one removes nothing.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import {
  accepts,
  strategies,
  thresholdAcceptingOptions,
  type ThresholdAcceptingState,
} from '../../../search/strategies/index.js';
import type { Strategy } from '../../../search/strategies/strategy.js';
import type { TokenMaskGenome } from '../../../spaces/index.js';
import { bitDeps, told } from './fixtures.js';
import { depsFor, drive, OPTIMUM, PRUNING_PROMPT, pruningFitness, pruningSpace } from './pruning-problem.js';

const ta = (options: unknown, seed = 'ta', space = pruningSpace()) =>
  strategies['threshold-accepting'].create(options, depsFor(space, seed)) as Strategy<TokenMaskGenome>;

describe('threshold-accepting on a synthetic pruning problem (optimum: prune exactly the 10 junk words)', () => {
  it('finds the optimum in one left→right pass and stops after a pass that prunes nothing', () => {
    const space = pruningSpace();
    const s = ta({}, 'seq', space);
    const seen: string[] = [];
    const run = drive(s, (g) => (seen.push(g.text), pruningFitness(space, g)), 1000);
    expect(run.best?.score).toBe(OPTIMUM.fitness);
    expect(run.best?.genome.text).toBe(OPTIMUM.text);
    expect(run.converged).toBe(true);
    expect(run.proposals).toBe(1 + 20 + 10); // the full prompt, 20 removals, then 10 (the key words) that all fail
    expect(seen[0]).toBe(PRUNING_PROMPT);
    expect(seen[1]).toBe(PRUNING_PROMPT.replace('Classify', '')); // the first token goes first
    expect((s.state() as ThresholdAcceptingState).passes).toBe(2);
  });

  it.each(['r1', 'r2', 'r3'])('finds it in random order too (seed %s)', (seed) => {
    const space = pruningSpace();
    const run = drive(ta({ order: 'random' }, seed, space), (g) => pruningFitness(space, g), 1000);
    expect(run.best?.genome.text).toBe(OPTIMUM.text);
    expect(run.proposals).toBe(31);
  });
});

describe('threshold rule', () => {
  it('compares against the best score, not the current one (losses add up to 1 − threshold)', () => {
    // Every removal costs 1 point from 100: with 0.96, the first four removals pass (96 ≥ 0.96·100), no fifth one does.
    const space = pruningSpace();
    const s = ta({}, 'loss', space);
    const run = drive(s, (g) => 100 - (space.tokens.length - space.length(g)), 1000);
    expect(run.converged).toBe(true);
    expect(run.proposals).toBe(1 + 20 + 16);
    const current = space.decode((s.state() as ThresholdAcceptingState).current!.genome);
    expect(current.text).toBe(` ${PRUNING_PROMPT.split(' ').slice(4).join(' ')}`);
  });

  it('works for any sign of the best score', () => {
    expect(accepts(96, 100, 0.96)).toBe(true);
    expect(accepts(95.9, 100, 0.96)).toBe(false);
    expect(accepts(-104, -100, 0.96)).toBe(true); // a 4% allowance below a negative best
    expect(accepts(-104.1, -100, 0.96)).toBe(false);
    expect(accepts(0, 0, 0.96)).toBe(true);
    expect(accepts(-0.001, 0, 0.96)).toBe(false);
    expect(accepts(5, -Infinity, 0.96)).toBe(true);
  });

  it('has the paper defaults', () => {
    expect(thresholdAcceptingOptions.parse({})).toEqual({ threshold: 0.96, order: 'sequential' });
  });
});

describe('protocol', () => {
  it('proposes one at a time', () => {
    const s = ta({});
    const [first] = s.ask(5);
    expect(s.ask(5)).toEqual([]);
    s.tell(told(first!, 0));
    expect(s.ask(3)).toHaveLength(1);
  });

  it('keeps the token when an evaluation fails', () => {
    const space = pruningSpace();
    const s = ta({}, 'fail', space);
    const run = drive(
      s,
      (g) => pruningFitness(space, g),
      1000,
      1,
      (p) => p.id === 2,
    ); // the removal of " um" fails
    expect(run.best?.genome.text).toBe(OPTIMUM.text); // the next pass removes it
    expect(run.proposals).toBe(1 + 20 + 11 + 10);
    expect(run.converged).toBe(true);
  });

  it('needs a space with removals(g), and says which space lacks it', () => {
    expect(() => strategies['threshold-accepting'].create({}, bitDeps(8, 'x'))).toThrow(ConfigError);
    expect(() => strategies['threshold-accepting'].create({}, bitDeps(8, 'x'))).toThrow(
      /space 'bits8' has no removals/,
    );
  });
});
