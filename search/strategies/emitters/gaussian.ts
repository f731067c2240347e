// pyribs' GaussianEmitter (ribs/emitters/_gaussian_emitter.py; MAP-Elites' variation, Mouret & Clune 2015): a
// uniformly drawn elite plus σ·N(0, I). It never waits for its tells and keeps no state of its own.
import type { Emitter, EmitterContext, EmitterProposal } from './emitter.js';

export interface GaussianSettings {
  readonly batchSize: number;
  readonly sigma: number;
  /** Centre of the samples while the archive is empty; undefined: the space's own start sample. */
  readonly x0: Float64Array | undefined;
}

export class GaussianEmitter implements Emitter {
  readonly type = 'gaussian' as const;
  readonly available = Number.POSITIVE_INFINITY;
  readonly restarts = undefined;
  private readonly z: Float64Array;

  constructor(
    private readonly settings: GaussianSettings,
    n: number,
  ) {
    this.z = new Float64Array(n);
  }

  get batchSize(): number {
    return this.settings.batchSize;
  }

  ask(ctx: EmitterContext): EmitterProposal {
    const { sigma, x0 } = this.settings;
    const [elite] = ctx.elites(1);
    const centre = elite?.genome ?? x0;
    if (!centre) return { genome: ctx.start(), parents: [] };
    ctx.fillNormal(this.z);
    const x = new Float64Array(centre.length);
    for (let i = 0; i < x.length; i++) x[i] = centre[i]! + sigma * this.z[i]!;
    ctx.bound(x);
    return { genome: x, parents: elite ? [elite.id] : [] };
  }

  tell(): void {}

  state(): Record<string, never> {
    return {};
  }

  restore(): void {}
}
