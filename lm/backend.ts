// TensorFlow.js backend selection: wasm by default (its .wasm files ship in node_modules), cpu as fallback, tfjs-node-gpu on request.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { PluginError } from '../core/errors.js';
import type { ScoredBy } from '../core/types.js';

/** A backend `initBackend` can select. 'tensorflow' needs the optional peer dependency @tensorflow/tfjs-node-gpu. */
export type BackendName = 'wasm' | 'cpu' | 'tensorflow';

const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';

// Once wasm has failed to start in this process, later calls go straight to cpu instead of warning again.
let wasmFailed = false;

/**
 * Makes `name` the active tfjs backend and returns the name actually in use. Idempotent: asking for the
 * backend already active does nothing. In Node the wasm backend loads its binaries from
 * node_modules/@tensorflow/tfjs-backend-wasm/dist (nothing is downloaded); if it cannot start, this prints one
 * warning and falls back to 'cpu' (4–30× slower).
 * @throws {PluginError} when 'tensorflow' is asked for and @tensorflow/tfjs-node-gpu is not installed, or fails to load.
 */
export async function initBackend(name: BackendName = 'wasm'): Promise<string> {
  const wanted = name === 'wasm' && wasmFailed ? 'cpu' : name;
  if (tf.engine().backendName === wanted) return wanted;
  if (name === 'tensorflow') return initTensorflow();
  if (name === 'wasm' && !wasmFailed) {
    try {
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return 'wasm';
      }
    } catch {
      // Reported below as a single line: the caller still gets a working backend.
    }
    wasmFailed = true;
    console.warn('elites: the tfjs wasm backend could not start; falling back to the (much slower) cpu backend');
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return 'cpu';
}

/** Loads the optional CUDA backend; its import registers the 'tensorflow' backend with the shared tfjs engine. */
async function initTensorflow(): Promise<string> {
  const missing = () =>
    new PluginError(
      `backend 'tensorflow' needs the optional package ${GPU_PACKAGE}, which is not installed: run \`npm install ${GPU_PACKAGE}\` (needs CUDA), or use --backend wasm`,
      `npm install ${GPU_PACKAGE}`,
    );
  try {
    // A variable specifier keeps TypeScript from requiring the optional package's types at build time.
    const specifier: string = GPU_PACKAGE;
    await import(specifier);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw missing();
    throw new PluginError(
      `${GPU_PACKAGE} is installed but failed to load: ${String(error)}; or use --backend wasm`,
      undefined,
      { cause: error },
    );
  }
  if (!(await tf.setBackend('tensorflow'))) {
    throw new PluginError(
      `${GPU_PACKAGE} loaded but did not register with this copy of @tensorflow/tfjs (versions differ?); or use --backend wasm`,
    );
  }
  await tf.ready();
  return 'tensorflow';
}

/**
 * What scores a tfjs evaluator's candidates in this process: the backend actually in use (starting the requested one
 * if none is), with a caveat when it is a fallback from the requested one.
 */
export async function backendScoredBy(requested: BackendName, model: string): Promise<ScoredBy> {
  const actual = await initBackend(requested);
  return {
    scorer: `tfjs ${actual} backend, ${model} model`,
    ...(actual !== requested
      ? {
          caveat: `fallback: the ${requested} backend could not start here, so ${actual} scored the run (slower; float results may differ in the last digits)`,
        }
      : {}),
  };
}
