// Every built-in evaluator with a fingerprint says what a fingerprint hit may reuse: describe() recomputes what
// depends on the genome, or fingerprintDeterminesResult says nothing does (no start-up warning for built-ins).
import { describe, expect, it } from 'vitest';
import { evaluators } from '../../evaluators/index.js';
import { createCommandEvaluator } from '../../evaluators/command/index.js';

describe('built-in evaluators with a fingerprint', async () => {
  const built = await Promise.all(
    Object.entries(evaluators).map(async ([type, factory]) => [type, await factory.create({})] as const),
  );
  const fingerprinted = [
    ...built,
    [
      'command with fingerprintFile',
      createCommandEvaluator({
        build: { argv: ['true', '{builddir}'] },
        run: { argv: ['true'] },
        fingerprintFile: '{builddir}/artefact',
      }),
    ] as const,
  ].filter(([, evaluator]) => evaluator.fingerprint !== undefined);

  it('are pruning, kernel, prompt, automl and command', () => {
    expect(fingerprinted.map(([type]) => type).sort()).toEqual(
      ['command with fingerprintFile', 'kernel', 'prompt', 'pruning', 'automl'].sort(),
    );
  });

  it.each(fingerprinted)('%s declares describe() or fingerprintDeterminesResult', (_type, evaluator) => {
    expect(typeof evaluator.describe === 'function' || evaluator.fingerprintDeterminesResult === true).toBe(true);
  });

  it('pruning and kernel recompute with describe(); prompt, automl and command declare fingerprintDeterminesResult', () => {
    const byType = Object.fromEntries(fingerprinted);
    expect(typeof byType.pruning?.describe).toBe('function');
    expect(typeof byType.kernel?.describe).toBe('function');
    expect(byType.prompt?.fingerprintDeterminesResult).toBe(true);
    expect(byType.automl?.fingerprintDeterminesResult).toBe(true);
    expect(byType['command with fingerprintFile']?.fingerprintDeterminesResult).toBe(true);
  });
});
