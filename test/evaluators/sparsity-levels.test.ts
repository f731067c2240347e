// The sparsity evaluator's tfjs-free parts: level arithmetic, the level database (build, file cache), N:M ranks and
// swaps, calibration-window selection, options. Synthetic layers; the real model is in sparsity-model.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pruneMask } from '../../evaluators/pruning/masks.js';
import { sparseGpt } from '../../evaluators/pruning/sparsegpt.js';
import type { LanguageModel } from '../../lm/model.js';
import { MODEL_PRESETS, prunableLayers, type LayerShape } from '../../lm/presets.js';
import {
  allocationDescriptors,
  basePrunedCount,
  buildLevelDatabase,
  buildNmBase,
  checkLevelGenome,
  checkLevelScheme,
  checkNmGenome,
  defaultWeightsPerLevel,
  groupRankOffsets,
  layerSparsities,
  levelDatabaseKey,
  loadOrBuildLevelDatabase,
  nmDescriptors,
  nmLayerWeights,
  nmMasks,
  prunedCounts,
  resolveSparsityOptions,
  selectWindows,
  sparsityOptionsSchema,
  windowCount,
  type LevelDatabaseSpec,
} from '../../evaluators/sparsity/index.js';
import type { LayerSource } from '../../evaluators/sparsity/database.js';
import { evaluators } from '../../evaluators/registry.js';
import { rngFromSeed, type Rng } from '../../core/rng.js';
import { createSparsityLevelsSpace, type NmGenome } from '../../spaces/sparsity/index.js';
import { useRunFiles } from '../helpers/files.js';

const TINY_LAYERS = prunableLayers(MODEL_PRESETS.tiny);
const DEFAULT_LAYERS = prunableLayers(MODEL_PRESETS.default);

/** Random weights (no exact zeros, a few exact ties) and Wanda norms for the given shapes. */
function sources(shapes: readonly LayerShape[], seed: string): LayerSource[] {
  const rng = rngFromSeed(seed);
  return shapes.map((s) => {
    const weight = Float32Array.from(
      { length: s.dOut * s.dIn },
      () => (rng() < 0.5 ? -1 : 1) * (0.01 + Math.round(rng() * 200) / 100),
    );
    return { ...s, weight, inputNorm: Float32Array.from({ length: s.dIn }, () => 0.1 + rng()) };
  });
}

/** Random level vector with sum 0 and |level| ≤ max, from random level switches. */
function randomLevels(rng: Rng, layers: number, max: number, switches: number): number[] {
  const levels = new Array<number>(layers).fill(0);
  for (let s = 0; s < switches; s++) {
    const down = Math.floor(rng() * layers);
    const up = Math.floor(rng() * layers);
    if (down === up || levels[down]! <= -max || levels[up]! >= max) continue;
    levels[down]!--;
    levels[up]!++;
  }
  return levels;
}

function zeros(a: Float32Array): number {
  let z = 0;
  for (const v of a) if (v === 0) z++;
  return z;
}

describe('level arithmetic', () => {
  it("uses EvoPress' default Δ = round(0.5·min(s, 1 − s)/L·dModel²)", () => {
    expect(defaultWeightsPerLevel(128, 0.5, 8)).toBe(512);
    expect(defaultWeightsPerLevel(32, 0.5, 8)).toBe(32);
    expect(defaultWeightsPerLevel(128, 0.7, 8)).toBe(Math.round((0.5 * 0.3 * 128 * 128) / 8));
  });

  it('keeps the global pruned count exactly Σ round(s·n) for every level vector summing to 0', () => {
    const rng = rngFromSeed('levels');
    for (const [layers, s] of [
      [TINY_LAYERS, 0.37],
      [DEFAULT_LAYERS, 0.5],
      [DEFAULT_LAYERS, 0.613],
    ] as const) {
      const scheme = {
        sparsity: s,
        maxLevel: 8,
        weightsPerLevel: defaultWeightsPerLevel(layers === TINY_LAYERS ? 32 : 128, s, 8),
      };
      checkLevelScheme(layers, scheme);
      const budget = layers.reduce((sum, l) => sum + basePrunedCount(l.dOut * l.dIn, s), 0);
      for (let t = 0; t < 200; t++) {
        const levels = randomLevels(rng, layers.length, 8, 1 + Math.floor(rng() * 60));
        checkLevelGenome(
          levels,
          layers.map((l) => l.name),
          8,
        );
        const counts = prunedCounts(layers, scheme, levels);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(budget);
        counts.forEach((c, i) =>
          expect(c).toBe(Math.round(s * layers[i]!.dOut * layers[i]!.dIn) + levels[i]! * scheme.weightsPerLevel),
        );
      }
    }
  });

  it('rejects a scheme whose extreme levels leave 0…n, naming the layer and the largest Δ', () => {
    expect(() => checkLevelScheme(TINY_LAYERS, { sparsity: 0.5, maxLevel: 8, weightsPerLevel: 65 })).toThrow(
      /layer block0\.q .*smaller maxLevel or weightsPerLevel.*at most 64/,
    );
    expect(() => checkLevelScheme(TINY_LAYERS, { sparsity: 0.5, maxLevel: 8, weightsPerLevel: 64 })).not.toThrow();
    expect(() => checkLevelScheme(TINY_LAYERS, { sparsity: 0.5, maxLevel: 8, weightsPerLevel: 0 })).toThrow(
      /positive integer/,
    );
  });

  it('rejects genomes of the wrong length, out of range, or not summing to 0', () => {
    const names = TINY_LAYERS.map((l) => l.name);
    expect(() => checkLevelGenome([0, 0], names, 8)).toThrow(/2 entries; the model has 12/);
    expect(() => checkLevelGenome([9, -9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], names, 8)).toThrow(/block0\.q is 9/);
    expect(() => checkLevelGenome([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], names, 8)).toThrow(/sum to 1/);
    expect(() => checkLevelGenome([0.5, -0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], names, 8)).toThrow(/integer/);
  });

  it('describes allocations: attention − MLP and late − early pruned fractions', () => {
    const scheme = { sparsity: 0.5, maxLevel: 8, weightsPerLevel: 32 };
    expect(allocationDescriptors(TINY_LAYERS, prunedCounts(TINY_LAYERS, scheme, new Array(12).fill(0)))).toEqual([
      0, 0,
    ]);
    // block0.q +4, block1.up −4: attention prunes 128 more of its 8192, MLP 128 fewer of its 8192; early +128, late −128 of 8192 each.
    const levels = [4, 0, 0, 0, 0, 0, 0, 0, 0, 0, -4, 0];
    const [attention, late] = allocationDescriptors(TINY_LAYERS, prunedCounts(TINY_LAYERS, scheme, levels));
    expect(attention).toBeCloseTo(128 / 8192 + 128 / 8192, 12);
    expect(late).toBeCloseTo(-128 / 8192 - 128 / 8192, 12);
    expect(layerSparsities(TINY_LAYERS, scheme, levels).get('block0.q')).toBe((512 + 128) / 1024);
  });
});

describe('level database', () => {
  const spec = (method: LevelDatabaseSpec['method'], s = 0.5): LevelDatabaseSpec => ({
    method,
    sparsity: s,
    maxLevel: 4,
    weightsPerLevel: 40,
  });

  it('prunes exactly round(s·n) + ℓΔ weights of every layer at every level', () => {
    for (const method of ['magnitude', 'wanda'] as const) {
      const db = buildLevelDatabase('k', sources(TINY_LAYERS, 'db'), spec(method, 0.43));
      db.layers.forEach((layer, i) => {
        for (let level = -4; level <= 4; level++) {
          const expected = Math.round(0.43 * layer.dOut * layer.dIn) + level * 40;
          expect(layer.counts[level + 4]).toBe(expected);
          expect(zeros(db.weights(i, level))).toBe(expected);
        }
      });
    }
  });

  it('at level 0 equals pruneMask: magnitude per layer, Wanda per row (|W|·sqrt(X)), when s·n and s·dIn are whole', () => {
    const src = sources(TINY_LAYERS, 'same');
    for (const [method, group] of [
      ['magnitude', { kind: 'layer' }],
      ['wanda', { kind: 'row' }],
    ] as const) {
      const db = buildLevelDatabase('k', src, spec(method));
      src.forEach((layer, i) => {
        const scores = Float64Array.from(
          layer.weight,
          (w, j) => Math.abs(w) * (method === 'wanda' ? layer.inputNorm![j % layer.dIn]! : 1),
        );
        const mask = pruneMask({ dOut: layer.dOut, dIn: layer.dIn, data: scores }, group, 0.5);
        const weights = db.weights(i, 0);
        mask.forEach((keep, j) => expect(weights[j]).toBe(keep ? layer.weight[j] : 0));
      });
    }
  });

  it('spreads a Wanda count over rows: ⌊k/dOut⌋ each, one more in the first k mod dOut rows', () => {
    const [layer] = sources([{ name: 'block0.q', dOut: 8, dIn: 16 }], 'rows');
    const db = buildLevelDatabase('k', [layer!], { method: 'wanda', sparsity: 0.5, maxLevel: 2, weightsPerLevel: 13 });
    const k = 64 + 13; // level +1
    const weights = db.weights(0, 1);
    for (let o = 0; o < 8; o++)
      expect(zeros(weights.subarray(o * 16, (o + 1) * 16))).toBe(Math.floor(k / 8) + (o < k % 8 ? 1 : 0));
  });

  it('SparseGPT: every level is sparseGpt() of the layer at that level’s count, from one factorisation', () => {
    const rng = rngFromSeed('hessian');
    const layers = sources(TINY_LAYERS.slice(3, 6), 'sgpt').map((layer) => {
      // A random positive-definite Hessian: mean of x·xᵀ over 3·dIn random inputs.
      const tokens = 3 * layer.dIn;
      const x = Float64Array.from({ length: tokens * layer.dIn }, () => rng() - 0.5);
      const hessian = new Float64Array(layer.dIn * layer.dIn);
      for (let t = 0; t < tokens; t++)
        for (let i = 0; i < layer.dIn; i++)
          for (let j = 0; j < layer.dIn; j++)
            hessian[i * layer.dIn + j]! += (x[t * layer.dIn + i]! * x[t * layer.dIn + j]!) / tokens;
      return { ...layer, hessian };
    });
    const db = buildLevelDatabase('k', layers, { ...spec('magnitude', 0.43), method: 'sparsegpt' });
    layers.forEach((layer, i) => {
      for (const level of [-4, 0, 3]) {
        const pruned = Math.round(0.43 * layer.dOut * layer.dIn) + level * 40;
        const weights = db.weights(i, level);
        expect(zeros(weights)).toBe(pruned);
        expect(weights).toEqual(sparseGpt(layer, layer.hessian, { kind: 'layer', pruned }).weights);
      }
      // Reconstructed: most kept weights moved.
      const level0 = db.weights(i, 0);
      const moved = level0.filter((w, j) => w !== 0 && w !== layer.weight[j]).length;
      expect(moved).toBeGreaterThan(0.9 * (layer.dOut * layer.dIn - zeros(level0)));
    });
    expect(() => buildLevelDatabase('k', sources(TINY_LAYERS, 'x'), { ...spec('wanda'), method: 'sparsegpt' })).toThrow(
      /needs the Hessian/,
    );
  });

  it('keys the calibration mode only for methods that read calibration statistics', () => {
    const src = sources(TINY_LAYERS, 'file');
    const model = {
      config: { ...MODEL_PRESETS.tiny },
      linearNames: () => src.map((l) => l.name),
      weight: (name: string) => {
        const l = src.find((x) => x.name === name)!;
        return { dOut: l.dOut, dIn: l.dIn, data: l.weight };
      },
    };
    const tokens = Int32Array.from({ length: 64 }, (_, i) => i);
    const key = (method: LevelDatabaseSpec['method'], calibration?: 'dense' | 'sequential') =>
      levelDatabaseKey(model, { ...spec(method), ...(calibration ? { calibration } : {}) }, tokens);
    expect(key('magnitude', 'sequential')).toBe(key('magnitude'));
    expect(key('magnitude', 'sequential')).toBe(
      levelDatabaseKey(
        model,
        spec('magnitude'),
        tokens.map((t) => t + 1),
      ),
    );
    expect(key('wanda', 'dense')).toBe(key('wanda'));
    expect(
      new Set([key('wanda'), key('wanda', 'sequential'), key('sparsegpt'), key('sparsegpt', 'sequential')]).size,
    ).toBe(4);
  });

  it('is cached on disk: reused on the second build, rebuilt (with a message) when corrupt, truncated or foreign', () => {
    const cacheDir = useRunFiles();
    const src = sources(TINY_LAYERS, 'file');
    let inputStatsCalls = 0;
    const model = {
      config: { ...MODEL_PRESETS.tiny },
      linearNames: () => src.map((s) => s.name),
      weight: (name: string) => {
        const s = src.find((l) => l.name === name)!;
        return { dOut: s.dOut, dIn: s.dIn, data: s.weight.slice() };
      },
      inputStats: () => {
        inputStatsCalls++;
        return new Map(src.map((s) => [s.name, s.inputNorm!.map((x) => x * x)]));
      },
    } as unknown as LanguageModel;
    const calibration = Int32Array.from({ length: 256 }, (_, i) => i % 300);
    const lines: string[] = [];
    const options = { cacheDir, calibration, log: (line: string) => lines.push(line) };

    const first = loadOrBuildLevelDatabase(model, spec('wanda'), options);
    expect(first.built).toBe(true);
    expect(inputStatsCalls).toBe(1);
    const second = loadOrBuildLevelDatabase(model, spec('wanda'), options);
    expect(second.built).toBe(false);
    expect(second.path).toBe(first.path);
    expect(inputStatsCalls).toBe(1);
    for (let i = 0; i < src.length; i++)
      for (const level of [-4, 0, 4])
        expect(second.database.weights(i, level)).toEqual(first.database.weights(i, level));
    expect(lines).toEqual([]);

    // Other calibration tokens (Wanda's X) or another Δ: another key, another file.
    const other = loadOrBuildLevelDatabase(model, spec('wanda'), {
      ...options,
      calibration: calibration.map((t) => (t + 1) % 300),
    });
    expect(other.built).toBe(true);
    expect(other.path).not.toBe(first.path);

    const bytes = readFileSync(first.path);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 5]! ^= 0x40;
    writeFileSync(first.path, flipped);
    expect(loadOrBuildLevelDatabase(model, spec('wanda'), options).built).toBe(true);
    expect(lines.at(-1)).toMatch(/checksum mismatch.*rebuilding/);
    expect(loadOrBuildLevelDatabase(model, spec('wanda'), options).built).toBe(false); // the rebuilt file is good

    writeFileSync(first.path, bytes.subarray(0, bytes.length - 100));
    expect(loadOrBuildLevelDatabase(model, spec('wanda'), options).built).toBe(true);
    expect(lines.at(-1)).toMatch(/truncated.*rebuilding/);
    writeFileSync(first.path, 'hello');
    expect(loadOrBuildLevelDatabase(model, spec('wanda'), options).built).toBe(true);
    expect(lines.at(-1)).toMatch(/bad magic/);
  });
});

describe('N:M ranks and swaps', () => {
  const shapes: LayerShape[] = [
    { name: 'block0.q', dOut: 4, dIn: 8 },
    { name: 'block0.up', dOut: 6, dIn: 8 },
  ];

  it('ranks descending with ties to the later position, so the base mask is pruneMask(n:m) even with ties', () => {
    expect(Array.from(groupRankOffsets([3, 1, 3, 2], 4))).toEqual([2, 0, 3, 1]);
    const src = sources(shapes, 'nm');
    for (const [n, m] of [
      [2, 4],
      [1, 4],
      [4, 8],
      [3, 8],
    ] as const) {
      for (const init of ['magnitude', 'wanda'] as const) {
        const base = buildNmBase(src, init, n, m);
        const empty: NmGenome = shapes.map(() => ({ groups: new Uint32Array(0), kept: new Uint8Array(0) }));
        const masks = nmMasks(base, empty);
        src.forEach((layer, i) => {
          const scores = Float64Array.from(
            layer.weight,
            (w, j) => Math.abs(w) * (init === 'wanda' ? layer.inputNorm![j % layer.dIn]! : 1),
          );
          expect(masks.get(layer.name)).toEqual(
            pruneMask({ dOut: layer.dOut, dIn: layer.dIn, data: scores }, { kind: 'n:m', n, m }, n / m),
          );
          expect(nmLayerWeights(base, i, empty[i])).toEqual(
            layer.weight.map((w, j) => (masks.get(layer.name)![j] ? w : 0)),
          );
        });
        expect(nmDescriptors(base, empty)).toEqual([0, init === 'magnitude' ? 1 : nmDescriptors(base, empty)[1]]);
      }
    }
  });

  it('keeps exactly K of M per group under swaps, and the weights follow the masks', () => {
    const src = sources(shapes, 'swaps');
    const base = buildNmBase(src, 'magnitude', 2, 4);
    const genome: NmGenome = [
      { groups: Uint32Array.from([0, 3, 7]), kept: Uint8Array.from([0b0101, 0b1100, 0b1010]) },
      { groups: Uint32Array.from([11]), kept: Uint8Array.from([0b1001]) },
    ];
    checkNmGenome(genome, base);
    const masks = nmMasks(base, genome);
    masks.forEach((mask, name) => {
      for (let g = 0; g < mask.length; g += 4) expect(mask[g]! + mask[g + 1]! + mask[g + 2]! + mask[g + 3]!).toBe(2);
      const i = shapes.findIndex((s) => s.name === name);
      expect(nmLayerWeights(base, i, genome[i])).toEqual(src[i]!.weight.map((w, j) => (mask[j] ? w : 0)));
    });
    // Group 0 of block0.q keeps ranks 0 and 2: its strongest and its third.
    const group0 = Array.from(src[0]!.weight.subarray(0, 4), Math.abs);
    const byRank = [0, 1, 2, 3].sort((a, b) => group0[b]! - group0[a]! || b - a);
    expect([0, 1, 2, 3].filter((j) => masks.get('block0.q')![j])).toEqual([byRank[0]!, byRank[2]!].sort());
    // 4 of 20 groups differ; overlap with magnitude = base pruned minus the swapped-out ones, over 40 pruned.
    const [differ, overlap] = nmDescriptors(base, genome);
    expect(differ).toBe(4 / 20);
    let both = 0;
    masks.forEach((mask, name) =>
      base.layers.find((l) => l.name === name)!.magnitudePruned.forEach((p, j) => (both += p && !mask[j] ? 1 : 0)),
    );
    expect(overlap).toBe(both / 40);
  });

  it('rejects genomes that do not fit the model, with the layer and entry', () => {
    const base = buildNmBase(sources(shapes, 'bad'), 'magnitude', 2, 4);
    const empty = { groups: new Uint32Array(0), kept: new Uint8Array(0) };
    expect(() => checkNmGenome([empty], base)).toThrow(/1 layers; the model has 2/);
    expect(() => checkNmGenome([empty, { groups: Uint32Array.from([12]), kept: Uint8Array.from([3]) }], base)).toThrow(
      /block0\.up.*group 12 is outside 0…11/,
    );
    expect(() => checkNmGenome([{ groups: Uint32Array.from([1]), kept: Uint8Array.from([7]) }, empty], base)).toThrow(
      /block0\.q.*exactly 2 of its low 4 bits/,
    );
    expect(() =>
      checkNmGenome([{ groups: Uint32Array.from([3, 2]), kept: Uint8Array.from([5, 5]) }, empty], base),
    ).toThrow(/strictly increasing/);
    expect(() => checkNmGenome([{ groups: Uint32Array.from([3]), kept: new Uint8Array(0) }, empty], base)).toThrow(
      /1 groups but 0 kept/,
    );
    expect(() => checkNmGenome([[0, 0, 0] as unknown as typeof empty, empty], base)).toThrow(/expected \{ groups/);
    expect(() => buildNmBase(sources([{ name: 'x', dOut: 2, dIn: 6 }], 'm'), 'magnitude', 2, 4)).toThrow(
      /M \(4\) to divide the inputs of layer x \(6\)/,
    );
  });
});

describe('calibration windows', () => {
  it('reads fidelity ≤ 1 as a fraction of the windows and > 1 as tokens (whole windows, at least one, at most all)', () => {
    expect(windowCount(1, 256, 64)).toBe(256);
    expect(windowCount(0.25, 256, 64)).toBe(64);
    expect(windowCount(0.001, 256, 64)).toBe(1);
    expect(windowCount(2048, 256, 64)).toBe(32);
    expect(windowCount(2100, 256, 64)).toBe(32);
    expect(windowCount(10, 256, 64)).toBe(1);
    expect(windowCount(1e9, 256, 64)).toBe(256);
    for (const bad of [0, -1, NaN, Infinity]) expect(() => windowCount(bad, 256, 64)).toThrow(/fidelity/);
  });

  it('draws distinct windows by (fidelity, sample); full fidelity is all windows whatever the sample', () => {
    const a = selectWindows(2048, 3, 256, 64);
    expect(a).toHaveLength(32);
    expect(new Set(a).size).toBe(32);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(a.every((w) => Number.isInteger(w) && w >= 0 && w < 256)).toBe(true);
    expect(selectWindows(2048, 3, 256, 64)).toEqual(a);
    expect(selectWindows(2048, 4, 256, 64)).not.toEqual(a);
    expect(selectWindows(4096, 3, 256, 64)).not.toEqual(a.slice(0, 64));
    expect(selectWindows(1, 7, 256, 64)).toEqual(Array.from({ length: 256 }, (_, i) => i));
    expect(selectWindows(1e6, 9, 256, 64)).toEqual(selectWindows(1, 0, 256, 64));
  });
});

describe('options', () => {
  it('fills mode-specific defaults and rejects options of the other mode', async () => {
    const levels = resolveSparsityOptions({});
    expect(levels.levels).toEqual({
      method: 'wanda',
      calibration: 'dense',
      sparsity: 0.5,
      maxLevel: 8,
      weightsPerLevel: 512,
    });
    expect(resolveSparsityOptions({ reconstruct: 'sparsegpt', calibration: 'sequential' }).levels).toMatchObject({
      method: 'sparsegpt',
      calibration: 'sequential',
    });
    expect(
      sparsityOptionsSchema.safeParse({ reconstruct: 'sparsegpt', method: 'wanda' }).error?.issues[0],
    ).toMatchObject({ path: ['method'], message: expect.stringMatching(/own masks: drop `method`/) });
    expect(sparsityOptionsSchema.safeParse({ mode: 'nm', reconstruct: 'sparsegpt' }).success).toBe(false);
    expect(levels).toMatchObject({
      model: 'default',
      mode: 'levels',
      fitness: 'kl',
      teacherTopK: 256,
      calibrationTokens: 16384,
      validationTokens: 8192,
      testTokens: 8192,
      descriptors: true,
    });
    expect(resolveSparsityOptions({ mode: 'nm' })).toMatchObject({
      sparsity: 0.5,
      levels: undefined,
      nm: { n: 2, m: 4, init: 'wanda' },
    });
    expect(resolveSparsityOptions({ mode: 'nm', pattern: '4:8', init: 'magnitude' }).nm).toEqual({
      n: 4,
      m: 8,
      init: 'magnitude',
    });
    expect(sparsityOptionsSchema.safeParse({ mode: 'nm', sparsity: 0.6 }).success).toBe(false);
    expect(sparsityOptionsSchema.safeParse({ pattern: '2:4' }).success).toBe(false);
    expect(sparsityOptionsSchema.safeParse({ mode: 'nm', pattern: '4:2' }).success).toBe(false);
    expect(sparsityOptionsSchema.safeParse({ mode: 'nm', pattern: '2:16' }).success).toBe(false);
    const tooBig = sparsityOptionsSchema.safeParse({ model: 'tiny', weightsPerLevel: 100 });
    expect(tooBig.success).toBe(false);
    expect(tooBig.error?.issues[0]?.message).toMatch(/smaller maxLevel or weightsPerLevel/);
    expect((await evaluators.sparsity.create({ model: 'tiny', mode: 'nm' }, undefined)).name).toBe('sparsity');
  });

  it("matches the sparsity-levels space's layer order and maxLevel", () => {
    const space = createSparsityLevelsSpace({ model: 'tiny' });
    expect(space.layerNames).toEqual(TINY_LAYERS.map((l) => l.name));
    expect(space.maxLevel).toBe(resolveSparsityOptions({ model: 'tiny' }).levels?.maxLevel);
  });
});
