// The draws of a scheduler's emitters, all from the strategy's one checkpointed stream (so a resume continues them).
import type { ArchiveView } from '../../../archive/archive.js';
import { standardNormal } from '../../../core/normal.js';
import type { SeededRng } from '../../../core/rng.js';
import type { VectorSpace } from '../../../spaces/vector.js';
import type { EmitterContext, EmitterElite } from './emitter.js';

export function createEmitterContext(
  space: VectorSpace,
  archive: ArchiveView<unknown>,
  rng: SeededRng,
): EmitterContext {
  return {
    dimensions: space.dimensions,
    fillNormal(out) {
      const fill = rng.next.fillStandardNormal;
      if (fill) fill(out);
      else for (let i = 0; i < out.length; i++) out[i] = standardNormal(rng.next);
    },
    normal: () => standardNormal(rng.next),
    elites: (k) => archive.sample(rng.next, k) as unknown as EmitterElite[],
    // From the result archive (pyribs samples its soft archive, whose cells are the same but whose stored solution is
    // the last one above the threshold, not the best).
    randomElite: () => archive.sample(rng.next, 1)[0]?.genome as ArrayLike<number> | undefined,
    start: () => space.sample(rng.next),
    bound: (x) => space.applyBounds(x),
  };
}
