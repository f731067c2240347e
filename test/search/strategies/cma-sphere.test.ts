// End to end through the engine: CMA-MAE beats MAP-Elites on a small pyribs-style sphere at the same budget and seed.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunConfig, type RunConfigInput } from '../../../search/config.js';
import { runSearch } from '../../../search/run.js';
import { useRunFiles } from '../../helpers/files.js';

/** pyribs' sphere at n = 20: descriptors in ±10·5.12, a 20 × 20 grid, start at x0 = 0, no bounds, 540 per batch. */
const sphereConfig = (search: RunConfigInput['search'], mutation = true): RunConfigInput => ({
  name: 'cma-sphere',
  seed: 3,
  space: {
    type: 'vector',
    dimensions: 20,
    min: -5.12,
    max: 5.12,
    ...(mutation ? { mutation: { type: 'gaussian', sigma: 0.5 } } : {}),
    init: { x0: 0, sigma: 0.5 },
    bounds: 'none',
  },
  evaluator: { type: 'sphere' },
  direction: 'maximize',
  search,
  archive: {
    type: 'grid',
    qdOffset: 0,
    dims: [
      { name: 'm1', min: -51.2, max: 51.2, bins: 20 },
      { name: 'm2', min: -51.2, max: 51.2, bins: 20 },
    ],
  },
  budget: { evaluations: 30_000 },
  batch: 540,
  workers: 0,
  cache: { enabled: false },
});

describe('cma-mae on a 20-d sphere', () => {
  it('reaches a higher QD score than MAP-Elites (Gaussian σ 0.5) on the same budget and seed', async () => {
    const dir = useRunFiles();
    const mae = await runSearch(parseRunConfig(sphereConfig({ strategy: 'cma-mae' }, false), dir), {
      out: join(dir, 'mae'),
    });
    const me = await runSearch(parseRunConfig(sphereConfig({ strategy: 'map-elites', initialRandom: 540 }), dir), {
      out: join(dir, 'me'),
    });
    const line = (name: string, r: typeof mae) =>
      `${name}: QD ${r.archive.qdScore.toFixed(0)}, coverage ${(100 * r.archive.coverage).toFixed(1)}%`;
    console.log(`${line('cma-mae', mae)}; ${line('map-elites', me)} (30k proposals, seed 3)`);
    expect(mae.proposals).toBe(30_000);
    expect(me.proposals).toBe(30_000);
    expect(mae.archive.qdScore).toBeGreaterThan(me.archive.qdScore);
    expect(mae.archive.coverage).toBeGreaterThan(me.archive.coverage);
  }, 120_000);
});
