// A run's space and empty archive from its config. Apart from parts.ts so that readers of a stored run (run-view) load
// the space and archive registries only, not the strategies, evaluators, executors and config schemas a run needs.
import { archives } from '../archive/index.js';
import type { Archive } from '../archive/archive.js';
import { spaces } from '../spaces/index.js';
import { withoutKeys } from '../core/objects.js';
import type { SeededRng } from '../core/rng.js';
import { toScore, type Space } from '../core/types.js';
import type { RunConfig } from './config.js';
import { isModuleRef, referenceOf } from './config-access.js';
import { loadSpaceModule } from './plugins.js';

/** The space a config names, built-in or plug-in. */
export async function buildSpace(config: RunConfig): Promise<Space<unknown>> {
  if (isModuleRef(config.space)) return loadSpaceModule(config.space.module, config.space.options ?? {});
  const entry = spaces[config.space.type as keyof typeof spaces];
  return entry.create(withoutKeys(config.space, ['type']), undefined) as Space<unknown>;
}

/** An empty archive; `geometry` (saved with the run) pins a CVT's centroids instead of drawing them again. */
export function buildArchive(config: RunConfig, rng: SeededRng, geometry?: unknown): Archive<unknown> {
  const entry = archives[config.archive.type as keyof typeof archives];
  const qdOffset =
    config.archive.qdOffset !== undefined ? toScore(config.archive.qdOffset, config.direction) : undefined;
  const reference = referenceOf(config);
  return entry.create(withoutKeys(config.archive, ['type', 'qdOffset']), {
    rng: rng.fork('archive'),
    ...(geometry !== undefined ? { geometry } : {}),
    ...(qdOffset !== undefined ? { qdOffset } : {}),
    ...(reference ? { reference } : {}),
  });
}
