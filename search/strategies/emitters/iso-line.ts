// pyribs' IsoLineEmitter (ribs/emitters/_iso_line_emitter.py; Iso+LineDD, Vassiliades & Mouret, GECCO 2018): two
// uniformly drawn elites x, y give x + σ_iso·N(0, I) + σ_line·N(0, 1)·(y − x). No waiting, no state of its own.
import { StatelessEmitter, type EmitterContext, type EmitterProposal } from './emitter.js';

export interface IsoLineSettings {
  readonly batchSize: number;
  readonly isoSigma: number;
  readonly lineSigma: number;
  /** Centre of the samples (σ_iso) while the archive is empty; undefined: the space's own start sample. */
  readonly x0: Float64Array | undefined;
}

export class IsoLineEmitter extends StatelessEmitter {
  readonly type = 'iso-line' as const;

  constructor(
    private readonly settings: IsoLineSettings,
    n: number,
  ) {
    super(settings.batchSize, n);
  }

  ask(ctx: EmitterContext): EmitterProposal {
    const { isoSigma, lineSigma, x0 } = this.settings;
    const [a, b] = ctx.elites(2);
    if (!a || !b) {
      if (!x0) return { genome: ctx.start(), parents: [] };
      ctx.fillNormal(this.z);
      const x = Float64Array.from(x0, (v, i) => v + isoSigma * this.z[i]!);
      ctx.bound(x);
      return { genome: x, parents: [] };
    }
    ctx.fillNormal(this.z);
    const line = lineSigma * ctx.normal(); // one draw for all genes: the step is along the line x → y
    const x = new Float64Array(a.genome.length);
    for (let i = 0; i < x.length; i++) {
      const ai = a.genome[i]!;
      x[i] = ai + isoSigma * this.z[i]! + line * (b.genome[i]! - ai);
    }
    ctx.bound(x);
    return { genome: x, parents: a.id === b.id ? [a.id] : [a.id, b.id] };
  }
}
