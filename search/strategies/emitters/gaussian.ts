// pyribs' GaussianEmitter (ribs/emitters/_gaussian_emitter.py; MAP-Elites' variation, Mouret & Clune 2015): a
// uniformly drawn elite plus σ·N(0, I). It never waits for its tells and keeps no state of its own.
import { StatelessEmitter, type EmitterContext, type EmitterProposal } from './emitter.js';

export interface GaussianSettings {
  readonly batchSize: number;
  readonly sigma: number;
  /** Centre of the samples while the archive is empty; undefined: the space's own start sample. */
  readonly x0: Float64Array | undefined;
}

export class GaussianEmitter extends StatelessEmitter {
  readonly type = 'gaussian' as const;

  constructor(
    private readonly settings: GaussianSettings,
    n: number,
  ) {
    super(settings.batchSize, n);
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
}
