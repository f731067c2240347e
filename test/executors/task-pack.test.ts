// Tasks packed in a lane's shared memory: a thread unpacks the same tasks (genomes of the same kind and bytes, every
// field, the key), and a genome that is not a typed array is left to structured clone.
import { describe, expect, it } from 'vitest';
import type { EvalTask } from '../../search/executors/executor.js';
import { MessageMemory, packedBytes, packTasks, unpackTasks } from '../../search/executors/task-pack.js';

const AT = 64;

function roundTrip(tasks: readonly EvalTask[]): EvalTask[] {
  const bytes = packedBytes(tasks);
  if (bytes === undefined) throw new Error('not packable');
  const memory = new MessageMemory(new SharedArrayBuffer(8 * Math.ceil((AT + bytes) / 8) + 64));
  packTasks(tasks, memory, AT);
  const back = unpackTasks(memory.buffer, AT, tasks.length);
  memory.doubles.fill(Number.NaN); // the pool writes its next batch over them: the thread's copies must not change
  return back;
}

describe('packed tasks', () => {
  it('unpack to the same tasks: typed arrays of every kind, views into larger buffers, every field and key', () => {
    const slab = new Float64Array(40).map((_, i) => i / 3 - 5);
    const tasks: EvalTask[] = [
      { id: 0, genome: slab.subarray(8, 16), key: 'k0', repeat: 0 },
      { id: 1, genome: Float64Array.of(-0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** -1074), key: 'k1', repeat: 2 },
      { id: 2, genome: Uint8Array.of(1, 0, 1), key: 'ünï ✓ 🎲', repeat: 0, fidelity: 0.25, sample: 3 },
      { id: 3, genome: Int32Array.of(-7, 2 ** 31 - 1), key: '\ud800 lone', repeat: 1, fresh: true },
      { id: 4, genome: Float32Array.of(1.5, -2.25), key: '', repeat: 0, fidelity: 1, lookUpKey: true },
      { id: 5, genome: BigInt64Array.of(-(2n ** 63n), 5n), key: 'big', repeat: 0, sample: 0 },
      { id: 6, genome: new Uint16Array(0), key: 'empty', repeat: 0 },
      { id: 2 ** 40, genome: Uint8ClampedArray.of(255), key: 'k'.repeat(300), repeat: 0 },
    ];
    const back = roundTrip(tasks);
    expect(back).toHaveLength(tasks.length);
    for (const [i, task] of tasks.entries()) {
      const got = back[i] as EvalTask;
      expect(got.genome).toEqual(task.genome);
      expect((got.genome as object).constructor).toBe((task.genome as object).constructor);
      expect(got.key).toBe(task.key);
      const { id, repeat, fidelity, sample, fresh, lookUpKey } = got;
      expect({ id, repeat, fidelity, sample, fresh, lookUpKey }).toEqual({
        id: task.id,
        repeat: task.repeat,
        fidelity: task.fidelity,
        sample: task.sample,
        fresh: task.fresh,
        lookUpKey: task.lookUpKey,
      });
    }
    const genomeOf = (i: number): Float64Array => (back[i] as EvalTask).genome as Float64Array;
    expect(Object.is(genomeOf(1)[0], -0)).toBe(true);
    // The genomes are the thread's own memory, not shared with the pool.
    expect(genomeOf(0).buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('a key is read from the task only if asked for, the same every time', () => {
    const tasks = [0, 1, 2].map((i) => ({ id: i, genome: Float64Array.of(i), key: `key-${i}`, repeat: 0 }));
    const back = roundTrip(tasks);
    expect(back.map((t) => t.key)).toEqual(['key-0', 'key-1', 'key-2']);
    expect(back[1]?.key).toBe('key-1');
  });

  it('leaves any other genome to structured clone: plain arrays, objects, strings, DataViews, Buffers', () => {
    const typed = { id: 0, genome: Float64Array.of(1), key: 'a', repeat: 0 };
    for (const genome of [[1, 2, 3], { x: 1 }, 'text', new DataView(new ArrayBuffer(8)), Buffer.from('ab'), null])
      expect(packedBytes([typed, { id: 1, genome, key: 'b', repeat: 0 }])).toBeUndefined();
    expect(packedBytes([typed])).toBeGreaterThan(0);
  });
});
