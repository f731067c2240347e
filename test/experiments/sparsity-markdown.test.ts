// docs/sparsity.md with SparseGPT-reconstructed levels: the table, the per-layer columns, the build time and the
// computed reading (reconstructed against masked levels, uniform and evolved), from the stored report alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdown } from '../../experiments/sparsity/markdown.js';
import type { Report, Scored } from '../../experiments/sparsity/types.js';
import { MODEL_PRESETS, prunableLayers } from '../../lm/presets.js';
import { repoRoot } from '../helpers/files.js';

/** `from` moved by `delta` on both held-out slices. */
const scored = (label: string, from: Scored, delta: number): Scored => ({
  label,
  validation: from.validation + delta,
  test: from.test + delta,
  kl: from.kl / 2,
});

describe('sparsity page with reconstruction', () => {
  it('adds the SparseGPT rows and says where reconstruction wins, computed from the numbers', () => {
    const saved = JSON.parse(readFileSync(join(repoRoot, 'bench/results/sparsity.json'), 'utf8')) as Report;
    // The stored report without its SparseGPT parts (whether or not it has them), then with made-up ones.
    const { evaluationSeconds: _, ...rest } = saved;
    const stored: Report = { ...rest, levels: saved.levels.map(({ reconstructed: _r, ...level }) => level) };
    const layers = prunableLayers(MODEL_PRESETS.default);
    const perLayer = Object.fromEntries(layers.map((l) => [l.name, 0.55]));
    const report: Report = {
      ...stored,
      levels: stored.levels.map((level, i) => ({
        ...level,
        reconstructed: {
          uniform: scored('uniform (SparseGPT)', level.uniform, -0.3),
          sequentialUniform: scored('uniform (SparseGPT, sequential calibration)', level.uniform, -0.4),
          // Wins over evolved magnitude except at the last target.
          evolved: scored('evolved (SparseGPT)', level.evolved!, i === 2 ? 0.5 : -0.2),
          perLayer,
          databaseSeconds: 12.5 + i,
        },
      })),
      evaluationSeconds: { full: 3.25, screening: 0.5 },
    };
    const page = markdown(report, layers, undefined).replace(/\n {2}/g, ' ');
    expect(page).toContain('## With SparseGPT reconstruction (`reconstruct: sparsegpt`)');
    expect(page).toContain('| 50% | uniform (SparseGPT, sequential calibration) |');
    expect(page).toMatch(/12\.5 s at 50%, 13\.5 s at 60%, 14\.5 s at 70%/);
    expect(page).toContain('| layer | 50% | 60% | 70% | 50% SparseGPT | 60% SparseGPT | 70% SparseGPT |');
    expect(page).toMatch(/Reconstruction: uniform SparseGPT levels beat uniform magnitude levels/);
    expect(page).toMatch(/the evolved SparseGPT allocation beats the evolved magnitude allocation at 50% and 60%/);
    expect(page).toMatch(/3\.25 s at full fidelity/);
    expect(page).not.toMatch(/Not done: SparseGPT-style/);
    // Without reconstruction the stored page is unchanged: it still lists reconstruction as not done.
    expect(markdown(stored, layers, undefined)).toMatch(/Not done: SparseGPT-style weight reconstruction/);
  });

  it("gives the dense model's validation perplexity only when the pruning page measured it on this page's slice", () => {
    const stored = JSON.parse(readFileSync(join(repoRoot, 'bench/results/sparsity.json'), 'utf8')) as Report;
    const layers = prunableLayers(MODEL_PRESETS.default);
    const page = (dense: Parameters<typeof markdown>[2]) => markdown(stored, layers, dense).replace(/\n {2}/g, ' ');
    expect(page({ validation: 46.62, test: 45.44 })).toContain(
      'Dense model: validation 46.62, test 45.44 (docs/pruning.md, same slices).',
    );
    const testOnly = page({ test: 45.44 });
    expect(testOnly).toContain('Dense model: test 45.44 (docs/pruning.md, the same test slice;');
    expect(testOnly).not.toMatch(/Dense model: validation/);
  });
});
