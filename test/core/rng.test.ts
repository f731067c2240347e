// The engine's random streams: seedrandom's alea stream exactly (same seed, same draws, same saved state), and a
// normal fill that gives exactly the draws of standardNormal(next) in order, edge and tail draws included.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { standardNormal } from '../../core/normal.js';
import { SeededRng } from '../../core/rng.js';

describe('SeededRng', () => {
  it('draws the stream of seedrandom.alea for the same seed, and restores from its saved state', () => {
    const ours = SeededRng.fromSeed(42);
    const theirs = seedrandom.alea('42', { state: true });
    for (let i = 0; i < 10_000; i++) expect(ours.next()).toBe(theirs());
    expect(ours.state().alea).toEqual(theirs.state());
    const restored = SeededRng.restore(ours.state());
    for (let i = 0; i < 1000; i++) expect(restored.next()).toBe(theirs());
  });

  it('fills normals exactly as standardNormal(next) one by one, and leaves the stream where it would be', () => {
    const filled = SeededRng.fromSeed('normals');
    const oneByOne = SeededRng.fromSeed('normals');
    const out = new Float64Array(1000);
    let beyondRectangles = 0;
    for (let round = 0; round < 50; round++) {
      filled.next.fillStandardNormal?.(out);
      for (let i = 0; i < out.length; i++) {
        const x = standardNormal(oneByOne.next);
        expect(out[i]).toBe(x);
        if (Math.abs(x) > 3.44) beyondRectangles++;
      }
      expect(filled.next()).toBe(oneByOne.next());
    }
    expect(beyondRectangles).toBeGreaterThan(0); // the tail path ran (p ≈ 0.0006 per draw, 50,000 draws)
    expect(filled.state()).toEqual(oneByOne.state());
  });
});
