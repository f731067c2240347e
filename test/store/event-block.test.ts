// The log's blocks: every kind of event comes back as it was logged (columns or whole), a store keeps one block per
// turn and reads any seq from inside one, and a schema 1 run (one event per key) still reads and resumes exactly.
import { join } from 'node:path';
import { open } from 'lmdb';
import { describe, expect, it } from 'vitest';
import { decodeBlock, encodeBlock, isEventBlock } from '../../store/event-block.js';
import type { RunEvent } from '../../store/events.js';
import { openRunStore } from '../../store/run-store.js';
import { parseRunConfig, type RunConfigInput } from '../../search/config.js';
import { resumeRun, runSearch } from '../../search/run.js';
import { useRunFiles } from '../helpers/files.js';
import { elitesOf, eventsOf } from '../helpers/runs.js';

const genome = Array.from({ length: 12 }, (_, i) => i * 0.37 - 2);
const events: RunEvent[] = [
  { seq: 40, id: 40, ok: true, src: 'e', f: -1.25, st: 'n', cell: 17, t: 0.001, d: [0.5, -3], g: genome, parents: [3] },
  { seq: 41, id: 43, ok: true, src: 'e', f: -0, st: 'r', cell: 17, t: 0.002, d: [0.25, 1e-300], parents: [3, 9] },
  { seq: 42, id: 41, ok: true, src: 'k', f: 7, st: 's', cell: -1, t: 0.002, d: [1, 2] },
  { seq: 43, id: 42, ok: false, kind: 'threw', msg: 'boom', g: genome, t: 0.003 },
  { seq: 44, id: 44, ok: true, src: 'f', f: 2, st: 'i', cell: 3, t: 0.004, d: [1, 2], m: { loss: 0.5 }, g: genome },
  { seq: 45, id: 45, ok: true, src: 'e', f: 3, st: 'n', cell: 4, t: 0.005, d: [1, 2], g: [1, 0, 1], fid: [1, 0, 0] },
  { seq: 46, id: 46, ok: true, src: 'e', f: 3, st: 'n', cell: 5, t: 0.005, d: [1], parents: [1, 2, 3] },
  {
    seq: 47,
    id: 47,
    ok: true,
    src: 'e',
    f: 4,
    st: 'i',
    cell: 5,
    t: 0.006,
    d: [1, 2],
    ag: { p: 'k:abc', n: 2, m2: 0.1, x: 4 },
    rp: [[1, 0.5]],
    tb: [1],
    ob: [1, 2],
  },
];

describe('event blocks', () => {
  it('give back every event as logged: plain ones from the columns, any other whole', () => {
    const block = encodeBlock(events, 5);
    expect(isEventBlock(block)).toBe(true);
    expect(block.o).toBe(5);
    // Columns for the plain events (0, 1, 2); the failure, metrics, an integer genome, odd descriptors, extras: whole.
    expect(block.x?.map(([i]) => i)).toEqual([3, 4, 5, 6, 7]);
    const back = decodeBlock(40, structuredClone(block));
    expect(back).toEqual(events);
    expect(Object.is((back[1] as { f: number }).f, -0)).toBe(true); // doubles are kept bit for bit
    expect(Object.keys(back[0]!)).toEqual(['seq', 'id', 'ok', 'src', 'f', 'st', 'cell', 't', 'd', 'g', 'parents']);
  });

  it('take 57 bytes a plain event (2 descriptors, 1 metric), and 8 a genome entry', async () => {
    const plain: RunEvent[] = Array.from({ length: 540 }, (_, i) => ({
      seq: i,
      id: i,
      ok: true,
      src: 'e',
      f: -i * 1.5,
      st: i % 10 === 0 ? 'n' : 'r',
      cell: i * 7,
      t: i / 1000,
      d: [i / 3, -i / 7],
      ...(i % 10 === 0 ? { g: Array.from({ length: 100 }, (_, j) => j / 3 + i) } : {}),
      parents: [i >> 1],
      m: { raw: i * 2.5 },
    }));
    const { pack } = await import('msgpackr');
    const encoded = encodeBlock(plain, 0);
    expect(encoded.x).toBeUndefined(); // all in columns
    const block = pack(encoded).byteLength;
    // Per event: 1 byte of flags, 4 words, t, f, 2 descriptors and a metric (57 bytes); 8 per genome entry; framing.
    expect(block).toBeLessThan(540 * 57 + 54 * 100 * 8 + 200);
    const single = plain.reduce((bytes, e) => bytes + pack(e).byteLength, 0);
    expect(block).toBeLessThan(single);
    expect(decodeBlock(0, encodeBlock(plain, 0))).toEqual(plain);
  });

  it('take their shape from the first success, after failures, and grow past any size', () => {
    const mixed: RunEvent[] = Array.from({ length: 300 }, (_, seq) =>
      seq < 3 || seq % 50 === 0
        ? { seq, id: seq, ok: false, kind: 'threw', msg: `no ${seq}`, t: seq }
        : { seq, id: seq, ok: true, src: 'e', f: seq / 7, st: 'r', cell: seq, t: seq, d: [seq, -seq], m: { a: seq } },
    );
    const block = encodeBlock(mixed, 0);
    expect(block.dn).toBe(2);
    expect(block.x).toHaveLength(3 + 5); // the failures only
    expect(decodeBlock(0, structuredClone(block))).toEqual(mixed);
  });

  it('keep a metric named __proto__ as an own property (such events are kept whole)', () => {
    const m = JSON.parse('{"__proto__": 1, "b": 2}') as Record<string, number>;
    const e: RunEvent = { seq: 0, id: 0, ok: true, src: 'e', f: 1, st: 'n', cell: 0, t: 0, d: [1], m };
    const [back] = decodeBlock(0, encodeBlock([e], 0));
    expect(Object.getPrototypeOf((back as { m: object }).m)).toBe(Object.prototype);
    expect(Object.keys((back as { m: object }).m)).toEqual(['__proto__', 'b']);
  });

  it('a store writes the events of one turn as one block and reads from any seq, also inside a block', async () => {
    const dir = join(useRunFiles(), 'run');
    const store = openRunStore(dir, { write: true });
    const event = (seq: number): RunEvent => ({ seq, id: seq, ok: true, src: 'e', f: seq, st: 'r', cell: 0, t: 0 });
    const firstTurn = [0, 1, 2, 3, 4].map((seq) => store.append(event(seq)));
    expect(new Set(firstTurn).size).toBe(1); // one block, one commit
    await firstTurn[0];
    for (const seq of [5, 6, 7]) store.append(event(seq));
    await store.flush();
    await store.append(event(8));
    await store.close();
    const raw = open({ path: join(dir, 'store.mdb'), noSubdir: true, maxDbs: 8, readOnly: true });
    expect([...raw.openDB({ name: 'events', keyEncoding: 'uint32' }).getKeys()]).toEqual([0, 5, 8]);
    expect(raw.openDB({ name: 'meta' }).get('schema')).toBe(2);
    await raw.close();
    const reader = openRunStore(dir, { write: false });
    expect(reader.lastSeq()).toBe(8);
    expect([...reader.events()].map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...reader.events(3)].map((e) => e.seq)).toEqual([3, 4, 5, 6, 7, 8]);
    expect([...reader.events(6)].map((e) => e.seq)).toEqual([6, 7, 8]);
    expect([...reader.events(9)]).toEqual([]);
    await reader.close();
  });

  it('a gap between blocks (a lost commit) ends the log there; the next writer deletes what lies beyond', async () => {
    const dir = join(useRunFiles(), 'run');
    const event = (seq: number): RunEvent => ({ seq, id: seq, ok: false, kind: 'threw', msg: 'x', t: 0 });
    const store = openRunStore(dir, { write: true });
    [0, 1, 2].forEach((seq) => store.append(event(seq)));
    await store.flush();
    await store.close();
    const raw = open({ path: join(dir, 'store.mdb'), noSubdir: true, maxDbs: 8 });
    // Entry 1 (events 3, 4) was lost; entry 2 (events 5, 6) committed after it.
    await raw.openDB({ name: 'events', keyEncoding: 'uint32' }).put(5, encodeBlock([event(5), event(6)], 2));
    await raw.close();
    const reader = openRunStore(dir, { write: false });
    expect(reader.lastSeq()).toBe(2);
    expect([...reader.events()].map((e) => e.seq)).toEqual([0, 1, 2]);
    await reader.close();
    const writer = openRunStore(dir, { write: true });
    await writer.append(event(3));
    await writer.close();
    const again = openRunStore(dir, { write: false });
    expect([...again.events()].map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    await again.close();
  });
});

describe('a schema 1 run (one event per key)', () => {
  const config = (evaluations: number): RunConfigInput => ({
    name: 'old-log',
    seed: 3,
    space: { type: 'vector', dimensions: 10, min: -5.12, max: 5.12, mutation: { type: 'gaussian', sigma: 0.5 } },
    evaluator: { type: 'sphere' },
    search: { strategy: 'map-elites', initialRandom: 50 },
    archive: {
      type: 'grid',
      dims: [
        { name: 'm1', min: -26, max: 26, bins: 10 },
        { name: 'm2', min: -26, max: 26, bins: 10 },
      ],
    },
    budget: { evaluations },
    workers: 0,
    batch: 20,
    cache: { enabled: false },
  });

  it('reads back, resumes to the archive of an uninterrupted run, and is then marked schema 2', async () => {
    const dir = useRunFiles();
    const whole = join(dir, 'whole');
    const old = join(dir, 'old');
    await runSearch(parseRunConfig(config(3000), dir), { out: whole });
    await runSearch(parseRunConfig(config(1500), dir), { out: old });
    const logged = await eventsOf(old);
    expect(logged).toHaveLength(1500);
    // Rewrite it as schema 1 wrote it: each event under its seq; no snapshot (schema 1's are not read: rebuilt).
    const raw = open({ path: join(old, 'store.mdb'), noSubdir: true, maxDbs: 8 });
    const table = raw.openDB({ name: 'events', keyEncoding: 'uint32' });
    const meta = raw.openDB({ name: 'meta' });
    await raw.transaction(() => {
      table.clearSync();
      for (const e of logged) table.putSync(e.seq, e);
      meta.putSync('schema', 1);
      meta.removeSync('snapshot');
    });
    await raw.close();
    expect(await eventsOf(old)).toEqual(logged);
    const resumed = await resumeRun(old, { evaluations: 3000 });
    expect(resumed.proposals).toBe(3000);
    const all = await eventsOf(old);
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(new Set(all.map((e) => e.id)).size).toBe(3000);
    const untimed = (es: RunEvent[]) => es.map(({ t: _, ...e }) => e);
    expect(untimed(all)).toEqual(untimed(await eventsOf(whole)));
    expect(await elitesOf(old)).toEqual(await elitesOf(whole));
    const check = open({ path: join(old, 'store.mdb'), noSubdir: true, maxDbs: 8, readOnly: true });
    expect(check.openDB({ name: 'meta' }).get('schema')).toBe(2);
    await check.close();
  }, 60_000);
});
