// What a sparsity evaluation runs on, built once per worker: the model, the calibration windows, the teacher, and the
// per-layer weight tensors (every level of the database, or the N:M base). Imported lazily: it loads tfjs.
import type * as tf from '@tensorflow/tfjs';
import type { NmGenome } from '../../spaces/sparsity/index.js';
import type { EvalResult } from '../../core/types.js';
import { initBackend } from '../../lm/backend.js';
import { ensureModel } from '../pruning/context.js';
import { loadBrownSplits } from '../../lm/corpus.js';
import type { LanguageModel } from '../../lm/model.js';
import { MODEL_PRESETS } from '../../lm/presets.js';
import { loadOrBuildLevelDatabase, type LayerSource, type LevelDatabase } from './database.js';
import { allocationDescriptors, checkLevelGenome } from './levels.js';
import { buildNmBase, checkNmGenome, nmDescriptors, nmLayerWeights, type NmBase } from './nm.js';
import type { SparsitySettings } from './options.js';
import { computeTeacher, scoreStudent, type Teacher } from './teacher.js';
import { selectWindows } from './windows.js';

type Log = (line: string) => void;

/** The model and the token splits an evaluation reads. */
interface Data {
  readonly model: LanguageModel;
  /** Whole windows only. */
  readonly calibration: Int32Array;
  readonly validation: Int32Array;
  readonly test: Int32Array;
}

async function loadData(settings: SparsitySettings, log: Log): Promise<Data> {
  await initBackend(settings.backend);
  const model = await ensureModel(settings, log);
  const preset = MODEL_PRESETS[settings.model];
  const splits = loadBrownSplits({
    vocabSize: preset.vocabSize,
    ...(preset.maxFiles !== undefined ? { maxFiles: preset.maxFiles } : {}),
  });
  const t = preset.context;
  const windows = Math.floor(Math.min(settings.calibrationTokens, splits.calibration.length) / t);
  if (windows < 1)
    throw new RangeError(`calibrationTokens ${settings.calibrationTokens}: need at least one window of ${t} tokens`);
  return {
    model,
    calibration: splits.calibration.subarray(0, windows * t),
    validation: splits.validation.subarray(0, settings.validationTokens),
    test: splits.test.subarray(0, settings.testTokens),
  };
}

/** Main process, once per run: train or load the model, and build the level database so workers only read it. */
export async function prepareSparsity(settings: SparsitySettings, log: Log): Promise<void> {
  const data = await loadData(settings, log);
  if (settings.levels) {
    const { built, path } = loadOrBuildLevelDatabase(data.model, settings.levels, {
      cacheDir: settings.cacheDir,
      calibration: data.calibration,
      log,
    });
    if (built) log(`built the level database ${path}`);
  }
}

/**
 * The layers the N:M base mask is ranked from: Wanda's sqrt(X) from the dense model, or sequentially, each layer's
 * from the calibration tokens run through the earlier layers under their base masks.
 */
function nmSources(model: LanguageModel, calibration: Int32Array, settings: SparsitySettings): LayerSource[] {
  const { n, m, init } = settings.nm as NonNullable<SparsitySettings['nm']>;
  const plain = (name: string): LayerSource => {
    const { dOut, dIn, data: weight } = model.weight(name);
    return { name, dOut, dIn, weight };
  };
  if (init === 'magnitude') return model.linearNames().map(plain);
  if (settings.calibration === 'dense') {
    const inputs = model.inputStats(calibration);
    return model.linearNames().map((name) => ({
      ...plain(name),
      inputNorm: (inputs.get(name) as Float32Array).map(Math.sqrt),
    }));
  }
  const sources: LayerSource[] = [];
  model.calibrate(
    calibration,
    (name, inputs) => {
      const source = { ...plain(name), inputNorm: inputs.meanSquares().map(Math.sqrt) };
      sources.push(source);
      return (buildNmBase([source], init, n, m).layers[0] as NmBase['layers'][number]).baseWeights;
    },
    'sequential',
  );
  return sources;
}

/** A per-worker evaluation state; {@link SparsityRuntime.evaluate} scores one genome. */
export class SparsityRuntime {
  private constructor(
    readonly settings: SparsitySettings,
    readonly data: Data,
    readonly teacher: Teacher | undefined,
    /** levels: tensors[layer][level + maxLevel]; nm: tensors[layer][0] = the base-masked weights. */
    private readonly tensors: readonly (readonly tf.Tensor2D[])[],
    readonly database: LevelDatabase | undefined,
    readonly nmBase: NmBase | undefined,
  ) {}

  /** Loads the model and splits, the database or N:M base (as weight tensors), and the teacher (fitness kl). */
  static async load(settings: SparsitySettings, log: Log): Promise<SparsityRuntime> {
    const data = await loadData(settings, log);
    const { model } = data;
    const names = model.linearNames();
    let database: LevelDatabase | undefined;
    let nmBase: NmBase | undefined;
    let tensors: tf.Tensor2D[][];
    if (settings.levels) {
      database = loadOrBuildLevelDatabase(model, settings.levels, {
        cacheDir: settings.cacheDir,
        calibration: data.calibration,
        log,
      }).database;
      const db = database;
      tensors = names.map((name, i) =>
        Array.from({ length: 2 * db.maxLevel + 1 }, (_, l) => model.layerTensor(name, db.weights(i, l - db.maxLevel))),
      );
    } else {
      const { n, m, init } = settings.nm as NonNullable<SparsitySettings['nm']>;
      nmBase = buildNmBase(nmSources(model, data.calibration, settings), init, n, m);
      const base = nmBase;
      tensors = names.map((name, i) => [model.layerTensor(name, base.layers[i]!.baseWeights)]);
    }
    const teacher =
      settings.fitness === 'kl' ? computeTeacher(model, data.calibration, settings.teacherTopK) : undefined;
    return new SparsityRuntime(settings, data, teacher, tensors, database, nmBase);
  }

  /** Calibration windows available (full fidelity scores all of them). */
  get windows(): number {
    return this.data.calibration.length / this.data.model.config.context;
  }

  /**
   * Scores a levels or N:M genome at (fidelity, sample).
   * @throws {RangeError} when the genome does not fit the model or the mode.
   */
  evaluate(genome: unknown, fidelity: number, sample: number, signal?: AbortSignal): EvalResult {
    const { model } = this.data;
    const names = model.linearNames();
    const weights = new Map<string, tf.Tensor>();
    const temporary: tf.Tensor[] = [];
    let sparsity: number;
    let descriptors: [number, number];
    if (this.database) {
      const levels = genome as readonly number[];
      checkLevelGenome(levels, names, this.database.maxLevel);
      const db = this.database;
      let pruned = 0;
      let total = 0;
      const counts = levels.map((level, i) => {
        const layer = db.layers[i]!;
        const count = layer.counts[level + db.maxLevel]!;
        pruned += count;
        total += layer.dOut * layer.dIn;
        weights.set(names[i]!, this.tensors[i]![level + db.maxLevel]!);
        return count;
      });
      sparsity = pruned / total;
      descriptors = allocationDescriptors(db.layers, counts);
    } else {
      const base = this.nmBase as NmBase;
      const nm = genome as NmGenome;
      checkNmGenome(nm, base);
      names.forEach((name, i) => {
        const swaps = nm[i];
        if (swaps && swaps.groups.length > 0) {
          const tensor = model.layerTensor(name, nmLayerWeights(base, i, swaps));
          temporary.push(tensor);
          weights.set(name, tensor);
        } else {
          weights.set(name, this.tensors[i]![0]!);
        }
      });
      sparsity = base.n / base.m;
      descriptors = nmDescriptors(base, nm);
    }
    try {
      const windows = selectWindows(fidelity, sample, this.windows, model.config.context);
      const score = scoreStudent(model, this.data.calibration, windows, weights, this.teacher, signal);
      const calibrationPerplexity = Math.exp(score.nll / score.predictions);
      const metrics: Record<string, number> = {
        calibrationPerplexity,
        sparsity,
        tokens: windows.length * model.config.context,
      };
      let fitness = calibrationPerplexity;
      if (this.teacher) {
        fitness = score.kl / score.predictions;
        metrics.klDivergence = fitness;
      }
      if (windows.length === this.windows) {
        // Held-out perplexities only at full fidelity: screening stages stay cheap.
        signal?.throwIfAborted();
        metrics.validationPerplexity = model.windowPerplexity(this.data.validation, { weights });
        signal?.throwIfAborted();
        metrics.testPerplexity = model.windowPerplexity(this.data.test, { weights });
      }
      return { fitness, ...(this.settings.descriptors ? { descriptors } : {}), metrics };
    } finally {
      for (const t of temporary) t.dispose();
    }
  }

  /** Releases every tensor this runtime made (the model stays). */
  dispose(): void {
    for (const layer of this.tensors) for (const t of layer) t.dispose();
  }
}
