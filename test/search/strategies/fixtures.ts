// Tiny self-contained parts for strategy tests: a bit-string space and a grid archive over (ones left, ones right).
import type { AddResult, Archive, ArchiveStats, Candidate, Elite } from '../../../archive/archive.js';
import { randomInt, SeededRng, type Rng } from '../../../core/rng.js';
import { compareScored } from '../../../core/score.js';
import type { Outcome, Proposal, StrategyDeps } from '../../../search/strategies/strategy.js';
import type { EvalResult, Space } from '../../../core/types.js';

export type Bits = Uint8Array;

export interface BitSpace extends Space<Bits> {
  mutateWithRate(parent: Bits, rate: number, rng: Rng): Bits;
  crossover(a: Bits, b: Bits, rng: Rng): Bits;
}

/** Bit strings of length n: uniform sampling, standard bit mutation (rate 1/n), uniform crossover. */
export function bitSpace(n: number): BitSpace {
  const mutateWithRate = (parent: Bits, rate: number, rng: Rng): Bits => {
    const child = Uint8Array.from(parent);
    for (let i = 0; i < n; i++) if (rng() < rate) child[i] = 1 - (child[i] as number);
    return child;
  };
  return {
    name: `bits${n}`,
    sample: (rng) => Uint8Array.from({ length: n }, () => (rng() < 0.5 ? 1 : 0)),
    mutate: (parent, rng) => mutateWithRate(parent, 1 / n, rng),
    mutateWithRate,
    crossover: (a, b, rng) => Uint8Array.from(a, (x, i) => (rng() < 0.5 ? x : (b[i] as number))),
    key: (g) => g.join(''),
    describe: (g) => g.join(''),
    encode: (g) => Array.from(g),
    decode: (x) => Uint8Array.from(x as number[]),
  };
}

/** The same space without the optional capabilities (no crossover, no mutateWithRate). */
export function plainBitSpace(n: number): Space<Bits> {
  const { sample, mutate, key, describe, encode, decode } = bitSpace(n);
  return { name: `plain-bits${n}`, sample, mutate, key, describe, encode, decode };
}

export const ones = (g: Bits): number => g.reduce((s, x) => s + x, 0);

/** OneMax with descriptors (ones in the left half, ones in the right half). */
export function oneMax(g: Bits): EvalResult {
  const half = Math.floor(g.length / 2);
  const left = ones(g.subarray(0, half));
  return { fitness: left + ones(g.subarray(half)), descriptors: [left, ones(g.subarray(half))] };
}

/** A grid archive over integer descriptors in [0, max] per axis; strict '>' replacement; sampling in cell order. */
export class TinyGridArchive<G> implements Archive<G> {
  private readonly filled = new Map<number, Elite<G>>();
  private order: number[] = [];
  readonly cells: number;

  constructor(private readonly max: readonly number[]) {
    this.cells = max.reduce((c, m) => c * (m + 1), 1);
  }

  get size(): number {
    return this.filled.size;
  }

  cellOf(descriptors: readonly number[]): number {
    let cell = 0;
    this.max.forEach((m, i) => {
      const x = Math.min(m, Math.max(0, Math.round(descriptors[i] ?? 0)));
      cell = cell * (m + 1) + x;
    });
    return cell;
  }

  rescore(cell: number, score: number, tiebreak?: readonly number[]): boolean {
    const old = this.filled.get(cell);
    if (!old) return false;
    const { tiebreak: _old, ...rest } = old;
    this.filled.set(cell, tiebreak ? { ...rest, score, tiebreak: [...tiebreak] } : { ...rest, score });
    return true;
  }

  add(c: Candidate<G>): AddResult {
    const cell = this.cellOf(c.descriptors);
    const old = this.filled.get(cell);
    if (old && compareScored(c, old) <= 0) return { status: 'rejected', cell };
    const elite: Elite<G> = { cell, id: c.id, genome: c.genome, score: c.score, descriptors: [...c.descriptors] };
    if (c.tiebreak) Object.assign(elite, { tiebreak: c.tiebreak });
    this.filled.set(cell, elite);
    if (!old) this.order = [...this.order, cell].sort((a, b) => a - b);
    return old ? { status: 'improved', cell, previous: old.id } : { status: 'new', cell };
  }

  get(cell: number): Elite<G> | undefined {
    return this.filled.get(cell);
  }

  sample(rng: Rng, n: number): Elite<G>[] {
    if (this.order.length === 0) return [];
    return Array.from(
      { length: n },
      () => this.filled.get(this.order[randomInt(rng, this.order.length)] as number) as Elite<G>,
    );
  }

  *elites(): IterableIterator<Elite<G>> {
    for (const cell of this.order) yield this.filled.get(cell) as Elite<G>;
  }

  best(): Elite<G> | undefined {
    let top: Elite<G> | undefined;
    for (const e of this.elites()) if (!top || compareScored(e, top) > 0) top = e;
    return top;
  }

  stats(): ArchiveStats {
    const top = this.best();
    let qdScore = 0;
    for (const e of this.elites()) qdScore += e.score;
    return {
      size: this.size,
      cells: this.cells,
      coverage: this.size / this.cells,
      qdScore,
      qdOffset: 0,
      bestScore: top?.score,
      bestId: top?.id,
    };
  }

  geometry(): unknown {
    return { max: this.max };
  }
}

/** A grid archive sized for `oneMax` over n bits. */
export function bitArchive(n: number): TinyGridArchive<Bits> {
  const half = Math.floor(n / 2);
  return new TinyGridArchive<Bits>([half, n - half]);
}

/** A successful outcome with a given score (status and result are placeholders the strategies ignore). */
export function told<G>(proposal: Proposal<G>, score: number, tiebreak?: number[]): Extract<Outcome<G>, { ok: true }> {
  return {
    proposal,
    ok: true,
    score,
    ...(tiebreak ? { tiebreak } : {}),
    result: { fitness: score },
    status: 'new',
    source: 'evaluated',
  };
}

/** A failed outcome. */
export function failed<G>(proposal: Proposal<G>): Outcome<G> {
  return { proposal, ok: false, failure: { kind: 'threw', message: 'test failure' } };
}

/** Deps over n bits with a fresh archive and a seeded stream. */
export function bitDeps(
  n: number,
  seed: string,
  space: Space<Bits> = bitSpace(n),
): StrategyDeps<Bits> & { archive: TinyGridArchive<Bits> } {
  return { space, archive: bitArchive(n), rng: SeededRng.fromSeed(seed) };
}
