/**
 * The version cache behind `strata versions`, through the engine and a local-disk destination:
 * each manifest is read once; a pruned snapshot makes the series fold again (counts stay right);
 * a manifest damaged after it was cached is left out without failing; two questions at once
 * fold once; a second machine with its own database answers the same.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { listVersions } from '../../electron/engine/recovery/versions.js';
import { ManifestFile } from '../../electron/engine/repository/manifest-reader.js';
import { MemoryStore } from '../../electron/engine/secrets/memory-store.js';
import { put } from '../support/tree.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const TEXT = ['one\n', 'two two\n', 'three three three\n', 'four\n'];

describe('versions through the engine', () => {
  let work: string;
  let src: string;
  let engine: Engine;
  const snaps: string[] = [];

  const backup = async (text: string): Promise<void> => {
    await writeFile(join(src, 'a.txt'), text);
    const r = await engine.backup();
    expect(r.status).toBe('ok');
    snaps.push(r.results[0]!.snapshotId!);
  };
  const versions = async (e = engine, path = 'a.txt') => (await listVersions(e, { source: 'docs', path })).versions;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-versions-'));
    src = join(work, 'src');
    await put(src, 'keep.txt', 'kept\n');
    engine = Engine.open({ home: join(work, 'home'), secrets: new MemoryStore(), pruneGraceMs: 0 });
    await engine.addLocalSource('docs', src);
    await engine.addLocalDestination('usb', join(work, 'usb'));
    engine.setPolicy('docs', '/', ['usb']);
    for (const t of TEXT.slice(0, 3)) await backup(t);
  });

  afterAll(async () => {
    engine?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('reads each manifest once, then answers any path from the cache', async () => {
    const fetch = vi.spyOn(ManifestFile, 'fetch');
    try {
      expect((await versions()).map((v) => [v.sha256, v.snapshotId])).toEqual([
        [sha(TEXT[2]!), snaps[2]],
        [sha(TEXT[1]!), snaps[1]],
        [sha(TEXT[0]!), snaps[0]],
      ]);
      expect(fetch).toHaveBeenCalledTimes(3);
      expect(await versions(engine, 'keep.txt')).toMatchObject([{ snapshots: 3, snapshotId: snaps[2] }]);
      expect(fetch).toHaveBeenCalledTimes(3);
      await backup(TEXT[3]!);
      expect((await versions()).map((v) => v.sha256)).toEqual([
        sha(TEXT[3]!),
        sha(TEXT[2]!),
        sha(TEXT[1]!),
        sha(TEXT[0]!),
      ]);
      expect(fetch).toHaveBeenCalledTimes(4);
    } finally {
      fetch.mockRestore();
    }
  });

  it('folds again after a prune: the pruned snapshot no longer counts', async () => {
    engine.setRetention('usb', { keepLast: 2 });
    const pruned = await engine.prune('usb');
    expect(pruned.remove).toBe(2);
    const v = await versions();
    expect(v.map((x) => x.sha256)).toEqual([sha(TEXT[3]!), sha(TEXT[2]!)]);
    expect(await versions(engine, 'keep.txt')).toMatchObject([{ snapshots: 2, firstSeen: v[1]!.firstSeen }]);
  });

  it('leaves out a manifest damaged after it was cached, without failing', async () => {
    await backup('five\n');
    const dir = join(work, 'usb', 'snapshots', engine.catalog.source('docs').id);
    const latest = (await readdir(dir)).sort().at(-1)!;
    await writeFile(join(dir, latest), 'not gzip');
    const v = await versions();
    expect(v.map((x) => x.sha256)).toEqual([sha(TEXT[3]!), sha(TEXT[2]!)]);
  });

  it('folds once when asked twice at once, and a second database answers the same', async () => {
    const other = Engine.open({ home: join(work, 'home2'), secrets: new MemoryStore() });
    try {
      await other.addLocalDestination('usb', join(work, 'usb'));
      const [x, y] = await Promise.all([versions(other), versions(other)]);
      expect(x).toEqual(y);
      expect(x).toEqual(await versions());
      expect(x.map((v) => v.snapshots)).toEqual([1, 1]);
    } finally {
      other.close();
    }
  });
});
