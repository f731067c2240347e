// Text heatmap: exact characters for tiny hand-built grid and CVT archives, downsampling, projections, empty archives.
import { describe, expect, it } from 'vitest';
import { createCvtArchive } from '../../archive/cvt.js';
import { createGridArchive } from '../../archive/grid.js';
import { renderHeatmap } from '../../archive/heatmap.js';

const legend = (lo: number, hi: number, filled: number, cells: number): string =>
  `score ${lo} … ${hi} by quantile: ' ' ░ ▒ ▓ █ (low → high), · empty; ${filled}/${cells} cells filled`;

describe('renderHeatmap', () => {
  it('says so for an empty archive', () => {
    const dims = [{ name: 'x', min: 0, max: 1, bins: 3 }];
    expect(renderHeatmap(createGridArchive({ dims }), dims)).toBe('(empty archive)');
  });

  it('draws a 2-D grid with y upward, shaded by quantile', () => {
    const dims = [
      { name: 'x', min: 0, max: 4, bins: 4 },
      { name: 'y', min: 0, max: 2, bins: 2 },
    ];
    const archive = createGridArchive<null>({ dims });
    const add = (id: number, score: number, x: number, y: number): void =>
      void archive.add({ id, genome: null, score, descriptors: [x, y] });
    add(1, 1, 0.5, 0.5); // bins (0, 0)
    add(2, 2, 1.5, 1.5); // bins (1, 1)
    add(3, 3, 3.5, 0.5); // bins (3, 0)
    add(4, 4, 3.5, 1.5); // bins (3, 1)
    expect(renderHeatmap(archive, dims, { geometry: archive.geometry() }).split('\n')).toEqual([
      '  ↑ y',
      '2 ┤·▒·█│',
      '0 ┤░··▓│',
      '  └────┘',
      '   0  4',
      '   x →',
      legend(1, 4, 4, 8),
    ]);
  });

  it('draws one row for one dim', () => {
    const dims = [{ name: 'ones', min: 0, max: 10, bins: 10 }];
    const archive = createGridArchive<null>({ dims });
    archive.add({ id: 1, genome: null, score: 1, descriptors: [0] });
    archive.add({ id: 2, genome: null, score: 2, descriptors: [10] });
    expect(renderHeatmap(archive, dims).split('\n')).toEqual(['ones', '0 │▒········█│ 10', legend(1, 2, 2, 10)]);
  });

  it('downsamples a large grid, keeping the best score of each character cell', () => {
    const dims = [
      { name: 'x', min: 0, max: 100, bins: 100 },
      { name: 'y', min: 0, max: 100, bins: 100 },
    ];
    const archive = createGridArchive<null>({ dims });
    archive.add({ id: 1, genome: null, score: 1, descriptors: [1, 1] });
    archive.add({ id: 2, genome: null, score: 9, descriptors: [5, 5] }); // same character cell as id 1
    archive.add({ id: 3, genome: null, score: 5, descriptors: [99, 99] });
    const lines = renderHeatmap(archive, dims, { width: 10, height: 5 }).split('\n');
    const map = lines.slice(1, 6);
    expect(map).toEqual([
      '100 ┤·········▒│',
      '    │··········│',
      '    │··········│',
      '    │··········│',
      '  0 ┤█·········│',
    ]);
    expect(lines[6]).toBe('    └──────────┘');
  });

  it('projects more than two dims onto the first two, best over the rest', () => {
    const dims = ['a', 'b', 'c'].map((name) => ({ name, min: 0, max: 1, bins: 2 }));
    const archive = createGridArchive<null>({ dims });
    archive.add({ id: 1, genome: null, score: 1, descriptors: [0, 0, 0] });
    archive.add({ id: 2, genome: null, score: 5, descriptors: [0, 0, 1] });
    archive.add({ id: 3, genome: null, score: 3, descriptors: [1, 1, 0] });
    const lines = renderHeatmap(archive, dims).split('\n');
    expect(lines[0]).toBe('projection onto a × b, best over c');
    expect(lines.slice(2, 4)).toEqual(['1 ┤·▒│', '0 ┤█·│']);
  });

  it('rasterises CVT centroids into the character grid', () => {
    const dims = [
      { name: 'x', min: 0, max: 1 },
      { name: 'y', min: 0, max: 1 },
    ];
    const geometry = {
      type: 'cvt',
      dims,
      centroids: [
        [0.1, 0.1],
        [0.9, 0.1],
        [0.1, 0.9],
        [0.9, 0.9],
        [0.6, 0.4],
      ],
    };
    const archive = createCvtArchive<null>({ cells: 5, dims }, { geometry });
    archive.add({ id: 1, genome: null, score: 4, descriptors: [0.05, 0.05] }); // centroid 0 → column 0, bottom row
    archive.add({ id: 2, genome: null, score: 8, descriptors: [0.95, 0.95] }); // centroid 3 → column 3, top row
    archive.add({ id: 3, genome: null, score: 6, descriptors: [0.6, 0.45] }); // centroid 4 → column 2, bottom row
    expect(
      renderHeatmap(archive, dims, { width: 4, height: 2, geometry: archive.geometry() }).split('\n').slice(1, 3),
    ).toEqual(['1 ┤···█│', '0 ┤░·▓·│']);
  });

  it('falls back to elite descriptors without a geometry, and never throws on odd input', () => {
    const dims = [
      { name: 'x', min: 0, max: 1 },
      { name: 'y', min: 0, max: 1 },
    ];
    const archive = createCvtArchive<null>(
      { cells: 2, dims },
      {
        geometry: {
          type: 'cvt',
          dims,
          centroids: [
            [0.2, 0.2],
            [0.8, 0.8],
          ],
        },
      },
    );
    archive.add({ id: 1, genome: null, score: 1, descriptors: [0, 0] });
    expect(renderHeatmap(archive, dims, { width: 2, height: 2 }).split('\n').slice(1, 3)).toEqual(['1 ┤··│', '0 ┤█·│']);
    expect(() => renderHeatmap(archive, [{ name: 'z', min: 1, max: 1 }], { width: 0, height: -3 })).not.toThrow();
    expect(renderHeatmap(archive, [])).toBe('(no descriptor dims to draw)');
  });
});
