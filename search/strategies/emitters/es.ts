// The evolution-strategy emitter (pyribs EvolutionStrategyEmitter) as a scheduler's emitter: cma/emitter.ts's CMA-ES
// batch, which waits for its whole batch's tells, ranks them and updates (restarting when a rule says so).
import { Emitter as CmaEmitter, emitterState, type EmitterSettings } from '../cma/emitter.js';
import type { Emitter, EmitterContext, EmitterProposal, EmitterTold } from './emitter.js';

const noParents: readonly number[] = [];

export class EsEmitter implements Emitter {
  readonly type = 'es' as const;
  readonly cma: CmaEmitter;

  constructor(private readonly settings: EmitterSettings) {
    this.cma = new CmaEmitter(settings);
  }

  get batchSize(): number {
    return this.settings.lambda;
  }

  get available(): number {
    return this.cma.available;
  }

  get restarts(): number {
    return this.cma.restarts;
  }

  /** A sample of the distribution: no elite is its parent. */
  ask(ctx: EmitterContext): EmitterProposal {
    return { genome: this.cma.ask(ctx), parents: noParents };
  }

  tell(genome: Float64Array, told: EmitterTold | undefined, ctx: EmitterContext): void {
    const complete = told ? this.cma.tell(genome, told, ctx) : this.cma.fail();
    if (complete) this.cma.endGeneration(ctx);
  }

  state(): unknown {
    return this.cma.state();
  }

  restore(state: unknown): void {
    this.cma.restore(emitterState.parse(state));
  }
}
