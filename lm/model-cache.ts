// Train the LM once and keep it on disk, keyed by a hash of everything that determines its weights.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type BackendName, initBackend } from './backend.js';
import { loadBrownSplits } from './corpus.js';
import { TransformerLm } from './model.js';
import { type LmTrainingConfig, type TrainProgress, type TrainReport, trainLanguageModel } from './train.js';
import { parameterSpecs, type LmConfig } from './transformer.js';

/** Bump whenever model, training or data code changes what a config trains to: old cache entries are then ignored. */
export const LM_CODE_VERSION = 1;

/** Where the cache lives and what to report while training. */
export interface ModelCacheOptions {
  /** Cache directory (created if missing); default '.elites/models', relative to the working directory. */
  readonly cacheDir?: string;
  /** Called after every training step; never called when the model comes from the cache. */
  readonly onProgress?: (progress: TrainProgress) => void;
  /** Backend to select first; when absent, the active backend is kept (wasm is started if none is). */
  readonly backend?: BackendName;
}

const MAGIC = 'ELITESLM';
const DEFAULT_CACHE_DIR = '.elites/models';

interface CacheHeader {
  readonly key: string;
  readonly codeVersion: number;
  readonly config: LmTrainingConfig;
  readonly report: TrainReport;
  readonly parameters: readonly { readonly name: string; readonly size: number }[];
}

/** Hex SHA-256 of the code version, model shape, training recipe and data options (fields in a fixed order). */
export function modelCacheKey(config: LmTrainingConfig): string {
  const canonical = {
    codeVersion: LM_CODE_VERSION,
    model: [config.vocabSize, config.dModel, config.heads, config.layers, config.dFF, config.context, config.seed],
    training: [config.steps, config.batchSize, config.learningRate, config.warmupSteps],
    data: { corpus: 'brown', maxFiles: config.maxFiles ?? null },
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** Path of the cache file for `config` in `cacheDir`. */
export function modelCachePath(config: LmTrainingConfig, cacheDir = DEFAULT_CACHE_DIR): string {
  return join(resolve(cacheDir), `lm-${modelCacheKey(config).slice(0, 24)}.bin`);
}

/**
 * The trained model for `config`: read from the cache when present, otherwise trained on the Brown train split
 * (reporting through `onProgress`) and then cached. The cache file is written to a temporary name and renamed, so a
 * killed training leaves either no entry or a whole one. Concurrent first calls each train; call this once in the
 * main process before starting workers.
 * @throws {RangeError} when the config is invalid. A cache file that cannot be read is retrained and replaced.
 */
export async function loadOrTrainModel(
  config: LmTrainingConfig,
  options: ModelCacheOptions = {},
): Promise<TransformerLm> {
  if (options.backend) await initBackend(options.backend);
  else if (!currentBackend()) await initBackend('wasm');
  const path = modelCachePath(config, options.cacheDir);
  const cached = readCachedModel(path, config);
  if (cached) return cached;
  const splits = loadBrownSplits({
    vocabSize: config.vocabSize,
    ...(config.maxFiles === undefined ? {} : { maxFiles: config.maxFiles }),
  });
  const { model, report } = trainLanguageModel(config, splits.train, options.onProgress);
  writeCachedModel(path, config, model, report);
  return model;
}

/** The model in the cache file at `path` if it exists and was trained from `config`, else undefined. */
export function readCachedModel(path: string, config: LmTrainingConfig): TransformerLm | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  try {
    if (bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
    const headerLength = bytes.readUInt32LE(MAGIC.length);
    const headerStart = MAGIC.length + 4;
    const header = JSON.parse(bytes.toString('utf8', headerStart, headerStart + headerLength)) as CacheHeader;
    if (header.key !== modelCacheKey(config)) return undefined;
    let offset = align4(headerStart + headerLength);
    const values = new Map<string, Float32Array>();
    for (const { name, size } of header.parameters) {
      // Copy into a fresh, aligned buffer: the file buffer's offset need not be a multiple of 4.
      values.set(
        name,
        new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + size * 4)),
      );
      offset += size * 4;
    }
    if (offset !== bytes.length) return undefined;
    return TransformerLm.fromParameters(modelConfig(config), values);
  } catch {
    return undefined; // A damaged or foreign file is treated as absent and overwritten by a fresh training run.
  }
}

/** Writes `model` to `path` atomically (temporary file in the same directory, then rename). */
export function writeCachedModel(
  path: string,
  config: LmTrainingConfig,
  model: TransformerLm,
  report: TrainReport,
): void {
  const parameters = model.parameters();
  const header: CacheHeader = {
    key: modelCacheKey(config),
    codeVersion: LM_CODE_VERSION,
    config,
    report,
    parameters: parameterSpecs(config).map(({ name }) => ({
      name,
      size: (parameters.get(name) as Float32Array).length,
    })),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(align4(MAGIC.length + 4 + json.length));
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(json.length, MAGIC.length);
  json.copy(prefix, MAGIC.length + 4);
  // Float32Array bytes are little-endian on every platform Node runs on.
  const chunks = [
    prefix,
    ...header.parameters.map(({ name }) => {
      const data = parameters.get(name) as Float32Array;
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    }),
  ];
  mkdirSync(resolve(path, '..'), { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temporary, Buffer.concat(chunks));
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

function modelConfig(config: LmTrainingConfig): LmConfig {
  const { vocabSize, dModel, heads, layers, dFF, context, seed } = config;
  return { vocabSize, dModel, heads, layers, dFF, context, seed };
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** Name of the initialised backend, or undefined before any (reading tf.getBackend() would start one). */
function currentBackend(): string | undefined {
  return (tf.engine().backendName as string | null) ?? undefined;
}
