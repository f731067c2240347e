// Mask rules against hand-computed cases, exact sparsity per row / per layer / per N:M group, and the mask fingerprint.
import { describe, expect, it } from 'vitest';
import { maskFingerprint, prunedOverlap, pruneMask, sparsityOf } from '../../evaluators/pruning/masks.js';
import { SeededRng } from '../../core/rng.js';
import { formulaMasks, pruneTarget } from '../../evaluators/pruning/scoring.js';
import { parseFormula, tensor } from '../../spaces/expression/index.js';

const layer = (dOut: number, dIn: number, data: number[]) => ({ dOut, dIn, data });

describe('pruning masks', () => {
  it('row group prunes the lowest ⌊s·dIn⌋ of each output row (hand-computed)', () => {
    const scores = layer(2, 4, [4, 1, 3, 2, /* row 1 */ 0.5, 9, 0.1, 7]);
    expect([...pruneMask(scores, { kind: 'row' }, 0.5)]).toEqual([1, 0, 1, 0, /* */ 0, 1, 0, 1]);
    expect([...pruneMask(scores, { kind: 'row' }, 0.25)]).toEqual([1, 0, 1, 1, /* */ 1, 1, 0, 1]);
  });

  it('layer group uses one threshold over the whole layer (magnitude baseline, hand-computed)', () => {
    const scores = layer(2, 4, [4, 1, 3, 2, 0.5, 9, 0.1, 7]);
    // The four lowest of the whole layer are 0.1, 0.5, 1, 2: row 1 loses two weights, row 0 two.
    expect([...pruneMask(scores, { kind: 'layer' }, 0.5)]).toEqual([1, 0, 1, 0, 0, 1, 0, 1]);
    const skewed = layer(2, 2, [1, 2, 10, 20]);
    expect([...pruneMask(skewed, { kind: 'layer' }, 0.5)]).toEqual([0, 0, 1, 1]); // a row may lose everything
    expect([...pruneMask(skewed, { kind: 'row' }, 0.5)]).toEqual([0, 1, 0, 1]);
  });

  it('N:M prunes N of every M consecutive inputs of each row', () => {
    const scores = layer(1, 8, [5, 1, 4, 2, 8, 7, 6, 9]);
    expect([...pruneMask(scores, { kind: 'n:m', n: 2, m: 4 }, 0.5)]).toEqual([1, 0, 1, 0, 1, 0, 0, 1]);
    expect(() => pruneMask(layer(1, 6, [1, 2, 3, 4, 5, 6]), { kind: 'n:m', n: 2, m: 4 }, 0.5)).toThrow(
      /M \(4\) to divide/,
    );
  });

  it('reaches the exact sparsity in every group on random scores, ties included', () => {
    const rng = SeededRng.fromSeed(1).next;
    const dOut = 16;
    const dIn = 24;
    const data = Array.from({ length: dOut * dIn }, () => Math.floor(rng() * 5)); // many ties
    for (const s of [0.1, 0.5, 0.75]) {
      const mask = pruneMask(layer(dOut, dIn, data), { kind: 'row' }, s);
      for (let o = 0; o < dOut; o++)
        expect(mask.slice(o * dIn, (o + 1) * dIn).filter((b) => b === 0).length).toBe(Math.floor(s * dIn));
      const whole = pruneMask(layer(dOut, dIn, data), { kind: 'layer' }, s);
      expect(whole.filter((b) => b === 0).length).toBe(Math.floor(s * dOut * dIn));
    }
    const nm = pruneMask(layer(dOut, dIn, data), { kind: 'n:m', n: 2, m: 4 }, 0.5);
    for (let g = 0; g < dOut * dIn; g += 4) expect(nm.slice(g, g + 4).filter((b) => b === 0).length).toBe(2);
    // Every pruned weight scores no higher than every kept weight of its group.
    for (let o = 0; o < dOut; o++) {
      const row = Array.from({ length: dIn }, (_, i) => ({
        v: data[o * dIn + i] as number,
        kept: pruneMask(layer(dOut, dIn, data), { kind: 'row' }, 0.5)[o * dIn + i],
      }));
      const maxPruned = Math.max(...row.filter((r) => !r.kept).map((r) => r.v));
      const minKept = Math.min(...row.filter((r) => r.kept).map((r) => r.v));
      expect(maxPruned).toBeLessThanOrEqual(minKept);
    }
  });

  it('refuses NaN or infinite scores with the position', () => {
    expect(() => pruneMask(layer(1, 3, [1, Number.NaN, 2]), { kind: 'row' }, 0.5)).toThrow(
      /score 1 \(row 0, column 1\) is NaN/,
    );
    expect(() => pruneMask(layer(1, 2, [1, Infinity]), { kind: 'row' }, 0.5)).toThrow(/Infinity/);
  });

  it('fingerprints by the pruned weights: equal masks, equal hash; one flipped bit, another', () => {
    const a = new Map([
      ['l0', Uint8Array.from([1, 0, 1, 0])],
      ['l1', Uint8Array.from([0, 1])],
    ]);
    const same = new Map([
      ['l1', Uint8Array.from([0, 1])],
      ['l0', Uint8Array.from([1, 0, 1, 0])],
    ]);
    const other = new Map([
      ['l0', Uint8Array.from([1, 0, 1, 0])],
      ['l1', Uint8Array.from([1, 0])],
    ]);
    expect(maskFingerprint(a)).toBe(maskFingerprint(same));
    expect(maskFingerprint(a)).not.toBe(maskFingerprint(other));
    expect(sparsityOf(a)).toBe(0.5);
    expect(prunedOverlap(a, a)).toBe(1);
    expect(prunedOverlap(a, other)).toBeCloseTo(2 / 3);
  });
});

describe('baseline metrics as formulas', () => {
  const stats = (w: number[][], g: number[][], x: number[]) => {
    const rows = w.length;
    const cols = w[0]?.length ?? 0;
    return [
      {
        name: 'l',
        dOut: rows,
        dIn: cols,
        W: tensor(rows, cols, w.flat()),
        G: tensor(rows, cols, g.flat()),
        X: tensor(1, cols, x),
      },
    ];
  };

  it('Wanda |W|·‖X‖₂ prunes per output row (hand-computed)', () => {
    // |W| = [[1, 2], [3, 4]], X (mean squared input) = [4, 1] → ‖X‖ = [2, 1] → scores [[2, 2], [6, 4]].
    const layers = stats(
      [
        [1, 2],
        [3, 4],
      ],
      [
        [0, 0],
        [0, 0],
      ],
      [4, 1],
    );
    const masks = formulaMasks(parseFormula('mul(W, sqrt(X))'), layers, pruneTarget('unstructured', 0.5, 'row'));
    expect([...(masks.get('l') ?? [])]).toEqual([0, 1, 1, 0]); // row 0 ties: the earlier weight goes
  });

  it('magnitude uses one threshold per layer (hand-computed)', () => {
    const layers = stats(
      [
        [1, 2],
        [3, 4],
      ],
      [
        [0, 0],
        [0, 0],
      ],
      [4, 1],
    );
    const masks = formulaMasks(parseFormula('W'), layers, pruneTarget('unstructured', 0.5, 'layer'));
    expect([...(masks.get('l') ?? [])]).toEqual([0, 0, 1, 1]);
  });

  it("Pruner-Zero's W²·mms(G) and a formula of X alone broadcast to the layer", () => {
    const layers = stats(
      [
        [1, 3],
        [2, 1],
      ],
      [
        [0, 10],
        [5, 10],
      ],
      [1, 2],
    );
    // mms(G) = [[0, 1], [0.5, 1]]; W² = [[1, 9], [4, 1]] → scores [[0, 9], [2, 1]].
    const pz = formulaMasks(
      parseFormula('mul(abs(mul(W, W)), mms(G))'),
      layers,
      pruneTarget('unstructured', 0.5, 'row'),
    );
    expect([...(pz.get('l') ?? [])]).toEqual([0, 1, 1, 0]);
    const xOnly = formulaMasks(parseFormula('X'), layers, pruneTarget('unstructured', 0.5, 'row'));
    expect([...(xOnly.get('l') ?? [])]).toEqual([0, 1, 0, 1]);
  });

  it('a formula that scores NaN names the layer and position', () => {
    const layers = stats(
      [
        [1, 1],
        [1, 1],
      ],
      [
        [0, 0],
        [0, 0],
      ],
      [1, 1],
    );
    expect(() => formulaMasks(parseFormula('mms(G)'), layers, pruneTarget('unstructured', 0.5, 'row'))).toThrow(
      /layer l: score 0 \(row 0, column 0\) is NaN/,
    );
  });

  it('parses N:M patterns', () => {
    expect(pruneTarget('2:4', 0.9, 'row')).toEqual({ group: { kind: 'n:m', n: 2, m: 4 }, sparsity: 0.5 });
    expect(() => pruneTarget('4:2', 0.5, 'row')).toThrow(/0 < N < M/);
  });
});
