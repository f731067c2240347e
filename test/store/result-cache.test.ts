// The result cache on a real LMDB file: a put or a staged entry is this thread's answer at once, the file holds it
// once committed or released, and a newer entry of the same id stays the answer.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openResultCache, singleSample, type CacheEntry } from '../../store/result-cache.js';
import { useRunFiles } from '../helpers/files.js';

const entry = (fitness: number): CacheEntry => singleSample({ fitness, descriptors: [fitness] });

describe('result cache', () => {
  it('answers a key from its pending put, then from the file once committed', async () => {
    const path = join(useRunFiles(), 'cache.mdb');
    const writer = openResultCache({ path, namespace: 'ns' });
    const written = writer.putKey('a', entry(1));
    expect(writer.byKey('a')?.result.fitness).toBe(1); // before the commit
    await written;
    const reader = openResultCache({ path, namespace: 'ns', readOnly: true });
    expect(reader.byKey('a')?.result.fitness).toBe(1);
    expect(reader.byKey('b')).toBeUndefined();
    expect(openResultCache({ path, namespace: 'other', readOnly: true }).byKey('a')).toBeUndefined();
    await writer.close();
    const reopened = openResultCache({ path, namespace: 'ns' });
    expect(reopened.byKey('a')?.result.fitness).toBe(1);
    await reopened.close();
  });

  it('writes a staged entry only when it is released, and keeps the newest staged entry as the answer', async () => {
    const path = join(useRunFiles(), 'cache.mdb');
    const writer = openResultCache({ path, namespace: 'ns' });
    const releaseOld = writer.stage('k', 'a', entry(1));
    const releaseNew = writer.stage('k', 'a', entry(2));
    const releaseFp = writer.stage('f', 'fp', entry(3));
    writer.stage('k', 'never', entry(9)); // its event never made it to the log
    expect(writer.byKey('a')?.result.fitness).toBe(2);
    expect(writer.byKey('never')?.result.fitness).toBe(9);
    expect(writer.byFingerprint('fp')?.result.fitness).toBe(3);
    expect(writer.unsettledFingerprints().map(([fp]) => fp)).toEqual(['fp']);
    await releaseOld();
    expect(writer.byKey('a')?.result.fitness).toBe(2); // the older release leaves the newer answer in place
    await releaseNew();
    await releaseFp();
    expect(writer.unsettledFingerprints()).toEqual([]);
    await writer.close();
    const reopened = openResultCache({ path, namespace: 'ns' });
    expect(reopened.byKey('a')?.result.fitness).toBe(2);
    expect(reopened.byFingerprint('fp')?.result.fitness).toBe(3);
    expect(reopened.byKey('never')).toBeUndefined();
    await reopened.close();
  });

  it('lists fingerprint puts as unsettled until they commit', async () => {
    const path = join(useRunFiles(), 'cache.mdb');
    const writer = openResultCache({ path, namespace: 'ns' });
    const written = writer.putFingerprint('fp', entry(4));
    expect(writer.unsettledFingerprints()).toEqual([['fp', entry(4)]]);
    await written;
    expect(writer.unsettledFingerprints()).toEqual([]);
    expect(writer.byFingerprint('fp')?.result.fitness).toBe(4);
    await writer.close();
  });
});
