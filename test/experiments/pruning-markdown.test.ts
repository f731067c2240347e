// docs/pruning.md's verdicts are computed: an evolved formula that beats every baseline is said to, one that loses to
// a baseline in another group (magnitude per layer) is said not to, naming it; the transfer section likewise.
import { describe, expect, it } from 'vitest';
import { markdown } from '../../experiments/pruning/markdown.js';
import type { Group, ModelResult, PruningReport, Row, RunRecord } from '../../experiments/pruning/types.js';

const row = (group: Group, method: string, validation: number, test: number, run?: string): Row => ({
  group,
  method,
  formula: method.startsWith('evolved') ? 'add(W, X)' : 'W',
  ...(run ? { run } : {}),
  calibration: 'sequential',
  validation,
  test,
  sparsity: 0.5,
});

function model(name: string, rows: Row[]): ModelResult {
  return {
    model: name,
    layers: 2,
    dModel: 128,
    dFF: 512,
    seed: 0,
    calibrationTokens: 8192,
    validationTokens: 8192,
    testTokens: 32768,
    dense: { validation: 46, test: 45 },
    rows,
    setupSeconds: 8,
  };
}

const run = (name: string, pattern: string, group: string): RunRecord => ({
  run: name,
  strategy: 'ga',
  pattern,
  group,
  calibration: 'sequential',
  proposals: 100,
  evaluations: 40,
  keyHits: 30,
  fingerprintHits: 30,
  failures: 0,
  seconds: 200,
  workers: 2,
  formula: 'add(W, X)',
  fitness: 46.5,
  perLayer: 1,
});

const TIMING = { denseEvaluation: 2, sequentialEvaluation: 2.5, freeEvaluation: 5, sparseGpt: 3 };

describe('pruning page verdicts', () => {
  it('says the evolved metric beats every baseline only when it beats each on validation and test', () => {
    const rows = [
      row('row', 'magnitude', 48, 47),
      row('layer', 'magnitude', 46.7, 45.8),
      row('row', 'Wanda', 47.1, 46),
      row('layer', 'SparseGPT', 46.9, 46.1),
      row('row', 'random', 40, 40), // random is not a baseline to beat
      row('row', 'evolved', 46.9, 45.9, 'free-run'),
      row('layer', 'evolved', 46.6, 45.7, 'free-run'),
      row('layer', 'Wanda + update', 46.8, 45.9),
      row('layer', 'evolved + update', 46.3, 45.95, 'free-run'),
      row('2:4', 'Wanda', 48, 47.2),
      row('2:4', 'evolved', 47.9, 47.3, 'nm-run'),
    ];
    const report: PruningReport = {
      date: '2026-01-01T00:00:00Z',
      main: model('default', rows),
      transfer: model(
        'wide',
        rows.map((r) => (r.method === 'evolved' ? { ...r, validation: r.validation + 5 } : r)),
      ),
      runs: [run('free-run', 'unstructured', 'free'), run('nm-run', '2:4', 'row')],
      timing: TIMING,
    };
    const page = markdown(report).replace(/\n {2}/g, ' '); // bullets unwrapped
    // The free search picks per layer (lower validation) and beats all four baselines in both groups.
    expect(page).toMatch(
      /50% unstructured, `add\(W, X\)` from free-run \(group free; here per layer\)[^\n]*beats every baseline/,
    );
    // At 2:4 it wins on validation (47.9 < 48) but loses on test (47.3 ≥ 47.2) to Wanda.
    expect(page).toMatch(
      /does \*\*not\*\* beat every baseline \(by at least 0\.005\): as good or better on test Wanda 2:4 \(47\.20\)/,
    );
    // With SparseGPT's update it beats SparseGPT on validation but not Wanda + update on test (45.90 ≤ 45.95).
    expect(page).toMatch(
      /50% unstructured, with SparseGPT's update on its masks \(per layer\): validation \/ test 46\.30 \/ 45\.95 [^\n]*it does \*\*not\*\* beat Wanda \+ update per layer on validation and on test alike/,
    );
    // On the second model its validation is 5 worse: it loses to magnitude and Wanda.
    expect(page).toMatch(/Transfer to the `wide` model/);
    expect(page).toMatch(
      /\(free-run, per layer\) has validation \/ test 51\.60 \/ 45\.70 [^\n]*it does \*\*not\*\* beat magnitude per row, magnitude per layer and Wanda per row/,
    );
    expect(page).toContain('| per layer | evolved (free-run) | `add(W, X)` | 46.60 | 45.70 | – | – |');
  });

  it('counts a win only by a margin the page shows: 0.003 better is a tie', () => {
    const rows = [row('layer', 'SparseGPT', 46.543, 45.44), row('layer', 'evolved', 46.54, 45.3, 'free-run')];
    const report: PruningReport = {
      date: '2026-01-01T00:00:00Z',
      main: model('default', rows),
      runs: [run('free-run', 'unstructured', 'free')],
      timing: TIMING,
    };
    const page = markdown(report).replace(/\n {2}/g, ' ');
    expect(page).toMatch(
      /does \*\*not\*\* beat every baseline \(by at least 0\.005\): as good or better on validation SparseGPT per layer \(46\.54\)/,
    );
  });
  it('says when the best baseline is as good as the dense model on test, and only then', () => {
    const page = (sparseGptTest: number): string =>
      markdown({
        date: '2026-01-01T00:00:00Z',
        main: model('default', [
          row('layer', 'SparseGPT', 46.5, sparseGptTest),
          row('layer', 'evolved', 46.6, 45.5, 'free-run'),
        ]),
        runs: [run('free-run', 'unstructured', 'free')],
        timing: TIMING,
      }).replace(/\n {2}/g, ' ');
    // The dense model's test perplexity is 45 (model() above).
    expect(page(45.02)).toContain(
      'The best baseline on test, SparseGPT per layer, is 0.02 above the dense model (45.00): at this sparsity pruning costs this model almost nothing',
    );
    expect(page(44.97)).toContain('SparseGPT per layer, is 0.03 below the dense model (45.00)');
    expect(page(45.2)).not.toContain('almost nothing');
  });
  it('judges a formula chosen inside SparseGPT against Wanda + update too, and says where it ran', () => {
    const rows = [
      row('row', 'magnitude', 48, 47),
      row('layer', 'magnitude', 46.7, 45.8),
      row('layer', 'SparseGPT', 46.54, 45.44),
      row('layer', 'Wanda + update', 46.6, 45.41), // not a baseline for masks alone, one for a formula inside the loop
      row('row', 'evolved in SparseGPT', 46.6, 45.5, 'in-loop'),
      row('layer', 'evolved in SparseGPT', 46.5, 45.43, 'in-loop'),
    ];
    const report: PruningReport = {
      date: '2026-01-01T00:00:00Z',
      main: model('default', rows),
      runs: [{ ...run('in-loop', 'unstructured', 'free'), reconstruct: 'sparsegpt' }],
      timing: { ...TIMING, inSparseGptEvaluation: 7 },
    };
    const page = markdown(report).replace(/\n {2}/g, ' ');
    expect(page).toContain('| per layer | evolved in SparseGPT (in-loop) | `add(W, X)` | 46.50 | 45.43 | – | – |');
    // It beats SparseGPT on both (46.50 < 46.54, 45.43 < 45.44) and loses only to Wanda + update, on test.
    expect(page).toMatch(
      /50% unstructured, `add\(W, X\)` from in-loop \(group free; here per layer, inside SparseGPT\): validation 46\.50, test 45\.43\. It does \*\*not\*\* beat every baseline \(by at least 0\.005\): as good or better on test Wanda \+ update per layer \(45\.41\)\./,
    );
    expect(page).toContain("A formula inside SparseGPT's loop with the group free");
  });

  it("says when a run's formula was chosen from a shortlist on the larger validation slice, and which the search chose", () => {
    const rows = [row('2:4', 'SparseGPT', 44.41, 45.65), row('2:4', 'evolved in SparseGPT', 44.39, 45.63, 'nm')];
    const shortlisted = (searchBest: string): RunRecord => ({
      ...run('nm', '2:4', 'row'),
      reconstruct: 'sparsegpt',
      shortlist: { size: 10, searchBest, validationTokens: 32768 },
    });
    const page = (searchBest: string) =>
      markdown({
        date: '2026-01-01T00:00:00Z',
        main: { ...model('default', rows), validationTokens: 32768 },
        runs: [shortlisted(searchBest)],
        timing: TIMING,
      }).replace(/\n {2}/g, ' ');
    const other = page('add(sqrt(W), G)');
    expect(other).toContain(
      "Validation 32,768 tokens (a search's fitness is the perplexity on the first 8,192 of them)",
    );
    expect(other).toContain(
      "the page's formula `add(W, X)` (search fitness 46.50, pruning per layer) is the best on 32,768 validation tokens of the search's 10 best distinct formulas; its own best was `add(sqrt(W), G)`",
    );
    expect(page('add(W, X)')).toContain("of the search's 10 best distinct formulas, its own best too");
    expect(other).toMatch(/2:4, `add\(W, X\)` from nm .*It \*\*beats every baseline\*\*/);
  });

  it('names a run scored on a validation slice of its own, and where that slice is', () => {
    const rows = [row('layer', 'SparseGPT', 44.24, 45.44), row('layer', 'evolved in SparseGPT', 44.2, 45.4, 'held')];
    const held: RunRecord = {
      ...run('held', 'unstructured', 'free'),
      reconstruct: 'sparsegpt',
      fitnessSlice: { offset: 32768, tokens: 16384 },
    };
    const page = markdown({
      date: '2026-01-01T00:00:00Z',
      main: { ...model('default', rows), validationTokens: 32768 },
      runs: [held, run('plain', 'unstructured', 'free')],
      timing: TIMING,
    }).replace(/\n {2}/g, ' ');
    expect(page).toContain(
      "(a search's fitness is the perplexity on the first 8,192 of them, except `held`, each scored on the slice its line below gives)",
    );
    expect(page).toContain(
      '`held` (ga, unstructured, group free, sequential calibration, masks chosen inside SparseGPT, fitness on validation tokens 32,768–49,151)',
    );
    expect(page).toContain('`plain` (ga, unstructured, group free, sequential calibration):');
  });
});
