// EvoPress' level database (ALGORITHMS.md §4.1) for magnitude, Wanda or SparseGPT pruning: for every prunable layer
// and every level −L…L, the layer's weights with exactly round(s·n) + ℓ·Δ of them zeroed (and, for SparseGPT, the rest
// reconstructed). Built once per (model, method, s, L, Δ, calibration tokens and mode) and cached on disk next to the
// model; workers only read it. No tfjs here.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Calibration, LanguageModel } from '../../lm/model.js';
import type { LayerShape } from '../../lm/presets.js';
import { sparseGptPruner } from '../pruning/sparsegpt.js';
import { checkLevelScheme, levelPrunedCount, type LevelScheme } from './levels.js';

/**
 * Base pruner of each layer: magnitude = one |W| threshold per layer; Wanda = |W|·sqrt(X) compared per output row;
 * SparseGPT = its own masks (all rows of a column block compete, as the reference) with the kept weights reconstructed.
 */
export type LevelMethod = 'magnitude' | 'wanda' | 'sparsegpt';

/** What a database is built for. */
export interface LevelDatabaseSpec extends LevelScheme {
  readonly method: LevelMethod;
  /**
   * Where Wanda's X and SparseGPT's Hessian come from: the dense model (default, as EvoPress builds its database), or
   * sequential: each layer's inputs with every earlier layer at level 0 (the uniform allocation). Magnitude reads none.
   */
  readonly calibration?: Calibration;
}

/** One layer of a database: its shape and the weights pruned at each level (counts[ℓ + maxLevel]). */
export interface LevelDatabaseLayer extends LayerShape {
  readonly counts: readonly number[];
}

/** Every layer's pruned weights at every level. */
export interface LevelDatabase extends LevelDatabaseSpec {
  /** Hex SHA-256 of everything the contents depend on (see {@link levelDatabaseKey}). */
  readonly key: string;
  readonly layers: readonly LevelDatabaseLayer[];
  /** The weights of layer `layer` at `level`, [dOut][dIn] row-major, pruned ones zeroed (a view: do not write). */
  weights(layer: number, level: number): Float32Array;
}

/** A layer as the builder sees it: dense weights [dOut][dIn]; for Wanda sqrt(X) per input, for SparseGPT its Hessian. */
export interface LayerSource extends LayerShape {
  readonly weight: Float32Array;
  readonly inputNorm?: Float32Array;
  /** [dIn][dIn], any positive multiple of mean(x·xᵀ). */
  readonly hessian?: ArrayLike<number>;
}

/** Bump when the contents for the same inputs would change: older files are then rebuilt. */
export const LEVEL_DATABASE_VERSION = 1;
const MAGIC = 'ELITESDB';

interface Header {
  readonly key: string;
  readonly version: number;
  readonly method: LevelMethod;
  /** Absent in files written before sequential calibration existed: dense. */
  readonly calibration?: Calibration;
  readonly sparsity: number;
  readonly maxLevel: number;
  readonly weightsPerLevel: number;
  readonly layers: readonly LevelDatabaseLayer[];
  readonly bodyBytes: number;
  readonly sha256: string;
}

/**
 * Builds the database in memory from every layer's source (see {@link layerLevels}).
 * @throws {RangeError} when a level of a layer would prune fewer than 0 or more than n weights (see checkLevelScheme).
 */
export function buildLevelDatabase(
  key: string,
  sources: readonly LayerSource[],
  spec: LevelDatabaseSpec,
): LevelDatabase {
  checkLevelScheme(sources, spec);
  return assemble(
    key,
    spec,
    sources,
    sources.map((source) => layerLevels(source, spec)),
  );
}

/**
 * One layer's weights at every level, level after level ([2L + 1][dOut][dIn]): the layer's weights are ranked once by
 * the method's score (lowest first, ties to the earlier position, as masks.ts does), then level ℓ zeroes the first
 * k = round(s·n) + ℓ·Δ of the ranking (magnitude) or, for Wanda, ⌊k/dOut⌋ per row plus one more in the first k mod dOut
 * rows, each by its own row's ranking. SparseGPT prunes k with its own scores, spreading k over its column blocks by
 * width, and reconstructs the rest, from one factorisation of the Hessian.
 * @throws {RangeError} when the source lacks what the method reads, or a level's count is out of range.
 */
export function layerLevels(source: LayerSource, spec: LevelDatabaseSpec): Float32Array {
  const { name, dOut, dIn, weight } = source;
  const n = dOut * dIn;
  if (weight.length !== n) throw new RangeError(`layer ${name}: ${weight.length} weights for a ${dOut}×${dIn} layer`);
  const counts = levelCounts(n, spec);
  const body = new Float32Array(counts.length * n);
  if (spec.method === 'sparsegpt') {
    if (!source.hessian) throw new RangeError(`layer ${name}: SparseGPT needs the Hessian of its ${dIn} inputs`);
    const prune = sparseGptPruner({ dOut, dIn, weight }, source.hessian);
    counts.forEach((k, i) => body.set(prune({ kind: 'layer', pruned: k }).weights, i * n));
  } else if (spec.method === 'magnitude') {
    const order = ascendingOrder(Float64Array.from(weight, Math.abs), 0, n);
    counts.forEach((k, i) => {
      const out = body.subarray(i * n, (i + 1) * n);
      out.set(weight);
      for (let j = 0; j < k; j++) out[order[j] as number] = 0;
    });
  } else {
    const norm = source.inputNorm;
    if (!norm || norm.length !== dIn) throw new RangeError(`layer ${name}: Wanda needs sqrt(X) for its ${dIn} inputs`);
    const scores = new Float64Array(n);
    for (let o = 0; o < dOut; o++)
      for (let c = 0; c < dIn; c++) scores[o * dIn + c] = Math.abs(weight[o * dIn + c] as number) * (norm[c] as number);
    const rows = Array.from({ length: dOut }, (_, o) => ascendingOrder(scores, o * dIn, dIn));
    counts.forEach((k, i) => {
      const out = body.subarray(i * n, (i + 1) * n);
      out.set(weight);
      const perRow = Math.floor(k / dOut);
      const extra = k % dOut;
      rows.forEach((order, o) => {
        const count = perRow + (o < extra ? 1 : 0);
        for (let j = 0; j < count; j++) out[order[j] as number] = 0;
      });
    });
  }
  return body;
}

/** The calibration a database's contents depend on: none for magnitude, which reads no statistics. */
function calibrationOf(spec: LevelDatabaseSpec): Calibration {
  return spec.method === 'magnitude' ? 'dense' : (spec.calibration ?? 'dense');
}

function levelCounts(n: number, spec: LevelScheme): number[] {
  return Array.from({ length: 2 * spec.maxLevel + 1 }, (_, i) => levelPrunedCount(n, spec, i - spec.maxLevel));
}

/** The database from each layer's levels block, in forward order. */
function assemble(
  key: string,
  spec: LevelDatabaseSpec,
  shapes: readonly LayerShape[],
  blocks: readonly Float32Array[],
): LevelDatabase {
  const body = new Float32Array(blocks.reduce((total, b) => total + b.length, 0));
  let offset = 0;
  for (const block of blocks) {
    body.set(block, offset);
    offset += block.length;
  }
  const layers = shapes.map(({ name, dOut, dIn }) => ({ name, dOut, dIn, counts: levelCounts(dOut * dIn, spec) }));
  return databaseOf(key, spec, layers, body);
}

/**
 * Hex SHA-256 of the database's inputs: format version, the model's shape and a hash of its prunable weights (which
 * identify the trained model), method, s, L, Δ and, for Wanda and SparseGPT, the calibration tokens their statistics
 * come from and (when sequential) the calibration mode. Dense keys are those of files written before the mode existed.
 */
export function levelDatabaseKey(
  model: Pick<LanguageModel, 'config' | 'linearNames' | 'weight'>,
  spec: LevelDatabaseSpec,
  calibration: Int32Array,
): string {
  const weights = createHash('sha256');
  for (const name of model.linearNames()) {
    const { data } = model.weight(name);
    weights.update(name).update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  const calibrated = spec.method !== 'magnitude';
  const tokens = calibrated
    ? {
        count: calibration.length,
        sha256: createHash('sha256')
          .update(new Uint8Array(calibration.buffer, calibration.byteOffset, calibration.byteLength))
          .digest('hex'),
      }
    : null;
  const canonical = {
    version: LEVEL_DATABASE_VERSION,
    model: model.config,
    weights: weights.digest('hex'),
    method: spec.method,
    sparsity: spec.sparsity,
    maxLevel: spec.maxLevel,
    weightsPerLevel: spec.weightsPerLevel,
    calibration: tokens,
    ...(calibrationOf(spec) === 'sequential' ? { mode: 'sequential' } : {}),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** Path of the database file for `key` in `cacheDir`. */
export function levelDatabasePath(key: string, cacheDir: string): string {
  return join(resolve(cacheDir), `sparsity-levels-${key.slice(0, 24)}.bin`);
}

/** Where the cache lives, the calibration tokens (Wanda's X, SparseGPT's Hessian) and where to report a rebuild. */
export interface LevelDatabaseOptions {
  readonly cacheDir: string;
  readonly calibration: Int32Array;
  readonly log?: (line: string) => void;
}

/**
 * The database for `model` and `spec`: read from `cacheDir` when a valid file is there, otherwise built (Wanda and
 * SparseGPT run the model over the calibration tokens for their statistics, layer by layer; sequentially, each layer
 * then takes its level 0 before the next one's inputs are computed) and written atomically (temporary file, then
 * rename). A file that is damaged or does not match is reported through `log` and rebuilt, never used.
 * @throws {RangeError} when the scheme is invalid for the model's layers.
 */
export function loadOrBuildLevelDatabase(
  model: LanguageModel,
  spec: LevelDatabaseSpec,
  options: LevelDatabaseOptions,
): { database: LevelDatabase; built: boolean; path: string } {
  const shapes = model.linearNames().map((name): LayerShape => {
    const { dOut, dIn } = model.weight(name);
    return { name, dOut, dIn };
  });
  checkLevelScheme(shapes, spec);
  const key = levelDatabaseKey(model, spec, options.calibration);
  const path = levelDatabasePath(key, options.cacheDir);
  const read = readLevelDatabase(path, key, spec, shapes);
  if ('database' in read) return { database: read.database, built: false, path };
  if (read.problem !== undefined) options.log?.(`level database ${path}: ${read.problem}; rebuilding it`);
  const database = assemble(key, spec, shapes, buildLayers(model, shapes, spec, options.calibration));
  writeLevelDatabase(path, database);
  return { database, built: true, path };
}

/** Every layer's levels block, in forward order, each from the statistics its method reads. */
function buildLayers(
  model: LanguageModel,
  shapes: readonly LayerShape[],
  spec: LevelDatabaseSpec,
  calibration: Int32Array,
): Float32Array[] {
  const source = (shape: LayerShape): LayerSource => ({ ...shape, weight: model.weight(shape.name).data });
  if (spec.method === 'magnitude') return shapes.map((shape) => layerLevels(source(shape), spec));
  if (spec.method === 'wanda' && calibrationOf(spec) === 'dense') {
    // Batched statistics of the dense model, as databases were built before calibration modes existed.
    const inputs = model.inputStats(calibration);
    return shapes.map((shape) =>
      layerLevels({ ...source(shape), inputNorm: (inputs.get(shape.name) as Float32Array).map(Math.sqrt) }, spec),
    );
  }
  const blocks = new Map<string, Float32Array>();
  model.calibrate(
    calibration,
    (name, inputs) => {
      const shape = shapes.find((s) => s.name === name) as LayerShape;
      const statistics =
        spec.method === 'wanda'
          ? { inputNorm: inputs.meanSquares().map(Math.sqrt) }
          : { hessian: inputs.secondMoment() };
      const block = layerLevels({ ...source(shape), ...statistics }, spec);
      blocks.set(name, block);
      const n = shape.dOut * shape.dIn;
      return block.slice(spec.maxLevel * n, (spec.maxLevel + 1) * n); // level 0
    },
    calibrationOf(spec),
  );
  return shapes.map((shape) => blocks.get(shape.name) as Float32Array);
}

/**
 * Reads and checks a database file: magic, key, spec, layer shapes, level counts, size and body checksum.
 * `problem` is undefined when there is no file at all.
 */
export function readLevelDatabase(
  path: string,
  key: string,
  spec: LevelDatabaseSpec,
  shapes: readonly LayerShape[],
): { database: LevelDatabase } | { problem: string | undefined } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return { problem: undefined };
  }
  try {
    if (bytes.length < MAGIC.length + 4 || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC)
      return { problem: 'not a level database (bad magic)' };
    const headerLength = bytes.readUInt32LE(MAGIC.length);
    const headerStart = MAGIC.length + 4;
    if (headerStart + headerLength > bytes.length) return { problem: 'truncated header' };
    const header = JSON.parse(bytes.toString('utf8', headerStart, headerStart + headerLength)) as Header;
    if (header.key !== key || header.version !== LEVEL_DATABASE_VERSION)
      return { problem: 'built for another model, method or level scheme' };
    if (
      header.method !== spec.method ||
      (header.calibration ?? 'dense') !== calibrationOf(spec) ||
      header.sparsity !== spec.sparsity ||
      header.maxLevel !== spec.maxLevel ||
      header.weightsPerLevel !== spec.weightsPerLevel
    ) {
      return { problem: 'header disagrees with its key' };
    }
    const layers = header.layers;
    if (!Array.isArray(layers) || layers.length !== shapes.length)
      return { problem: `has ${Array.isArray(layers) ? layers.length : 'no'} layers, the model ${shapes.length}` };
    let values = 0;
    for (let i = 0; i < shapes.length; i++) {
      const got = layers[i] as LevelDatabaseLayer;
      const want = shapes[i] as LayerShape;
      if (got.name !== want.name || got.dOut !== want.dOut || got.dIn !== want.dIn)
        return {
          problem: `layer ${i} is ${got.name} ${got.dOut}×${got.dIn}, the model's ${want.name} ${want.dOut}×${want.dIn}`,
        };
      const n = want.dOut * want.dIn;
      const counts = Array.from({ length: 2 * spec.maxLevel + 1 }, (_, l) =>
        levelPrunedCount(n, spec, l - spec.maxLevel),
      );
      if (
        !Array.isArray(got.counts) ||
        got.counts.length !== counts.length ||
        got.counts.some((c, l) => c !== counts[l])
      )
        return { problem: `layer ${want.name} has other level counts` };
      values += counts.length * n;
    }
    const bodyStart = align4(headerStart + headerLength);
    if (header.bodyBytes !== values * 4 || bytes.length !== bodyStart + values * 4)
      return { problem: `size ${bytes.length} bytes, expected ${bodyStart + values * 4} (truncated or padded)` };
    const bodyBytes = bytes.subarray(bodyStart);
    if (createHash('sha256').update(bodyBytes).digest('hex') !== header.sha256)
      return { problem: 'checksum mismatch (corrupt contents)' };
    // Copy into a fresh, aligned buffer: the file buffer's offset need not be a multiple of 4.
    const body = new Float32Array(bytes.buffer.slice(bytes.byteOffset + bodyStart, bytes.byteOffset + bytes.length));
    return { database: databaseOf(key, spec, layers, body) };
  } catch (error) {
    return { problem: `unreadable (${(error as Error).message})` };
  }
}

/** Writes `database` to `path` atomically: a temporary file in the same directory, then a rename. */
export function writeLevelDatabase(path: string, database: LevelDatabase): void {
  const levels = 2 * database.maxLevel + 1;
  const parts = database.layers.flatMap((_layer, i) =>
    Array.from({ length: levels }, (_, l) => database.weights(i, l - database.maxLevel)),
  );
  const bodyBytes = parts.reduce((n, p) => n + p.byteLength, 0);
  const hash = createHash('sha256');
  for (const p of parts) hash.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  const header: Header = {
    key: database.key,
    version: LEVEL_DATABASE_VERSION,
    method: database.method,
    ...(calibrationOf(database) === 'sequential' ? { calibration: 'sequential' as const } : {}),
    sparsity: database.sparsity,
    maxLevel: database.maxLevel,
    weightsPerLevel: database.weightsPerLevel,
    layers: database.layers.map(({ name, dOut, dIn, counts }) => ({ name, dOut, dIn, counts: [...counts] })),
    bodyBytes,
    sha256: hash.digest('hex'),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(align4(MAGIC.length + 4 + json.length));
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(json.length, MAGIC.length);
  json.copy(prefix, MAGIC.length + 4);
  mkdirSync(resolve(path, '..'), { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    // Float32Array bytes are little-endian on every platform Node runs on.
    writeFileSync(
      temporary,
      Buffer.concat([prefix, ...parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))]),
    );
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

function databaseOf(
  key: string,
  spec: LevelDatabaseSpec,
  layers: readonly LevelDatabaseLayer[],
  body: Float32Array,
): LevelDatabase {
  const levels = 2 * spec.maxLevel + 1;
  const offsets: number[] = [];
  let offset = 0;
  for (const { dOut, dIn } of layers) {
    offsets.push(offset);
    offset += levels * dOut * dIn;
  }
  return {
    key,
    method: spec.method,
    ...(spec.calibration ? { calibration: spec.calibration } : {}),
    sparsity: spec.sparsity,
    maxLevel: spec.maxLevel,
    weightsPerLevel: spec.weightsPerLevel,
    layers,
    weights(layer, level) {
      const shape = layers[layer];
      if (!shape) throw new RangeError(`no layer ${layer} (the database has ${layers.length})`);
      if (!Number.isInteger(level) || Math.abs(level) > spec.maxLevel)
        throw new RangeError(
          `level ${level} of layer ${shape.name}: expected an integer in [${-spec.maxLevel}, ${spec.maxLevel}]`,
        );
      const n = shape.dOut * shape.dIn;
      const start = (offsets[layer] as number) + (level + spec.maxLevel) * n;
      return body.subarray(start, start + n);
    },
  };
}

/** Indices start…start+length−1 sorted by score ascending, ties by index (masks.ts' order: first = pruned first). */
export function ascendingOrder(scores: ArrayLike<number>, start: number, length: number): Uint32Array {
  const order = Uint32Array.from({ length }, (_, i) => start + i);
  // A typed-array sort with a comparator keeps the (score, index) order total, so the result is deterministic.
  return order.sort((a, b) => (scores[a] as number) - (scores[b] as number) || a - b);
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}
