/**
 * How often a restore reads its manifest. It is checked whole first (every entry parsed), and that
 * check also counts what it holds: a restore of everything takes its totals from those counts and
 * walks the entries once more to write them, with the folders' times and the symlinks handled from
 * what that walk kept. A filtered restore counts what its filter selects in a pass of its own, and
 * a snapshot with symlinks takes them in a last pass (so no write can go through one).
 */
import { mkdtemp, readFile, readlink, rm, stat, symlink, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { ManifestFile } from '../../electron/engine/repository/manifest-reader.js';
import { MemoryStore } from '../../electron/engine/secrets/memory-store.js';
import { put } from '../support/tree.js';

describe('manifest reads of a restore', () => {
  let work: string;
  let src: string;
  let engine: Engine;
  const folderTime = new Date('2024-03-04T05:06:07Z');

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-manifest-reads-'));
    src = join(work, 'src');
    await put(src, 'docs/a.txt', 'alpha\n');
    await put(src, 'docs/deep/b.txt', 'bravo bravo\n');
    await put(src, 'c.bin', 'charlie!\n');
    await utimes(join(src, 'docs/deep'), folderTime, folderTime);
    engine = Engine.open({ home: join(work, 'home'), secrets: new MemoryStore() });
    await engine.addLocalSource('data', src);
    await engine.addLocalDestination('usb', join(work, 'usb'));
    engine.setPolicy('data', '/', ['usb']);
    expect((await engine.backup()).status).toBe('ok');
  });

  afterAll(async () => {
    engine?.close();
    await rm(work, { recursive: true, force: true });
  });

  afterEach(() => vi.restoreAllMocks());

  const spy = () => ({
    fetch: vi.spyOn(ManifestFile, 'fetch'),
    entries: vi.spyOn(ManifestFile.prototype, 'entries'),
  });

  it('counts the files and bytes the manifest holds while checking it', async () => {
    const { fetch } = spy();
    await engine.restore({ dest: 'usb', snapshot: 'latest', to: join(work, 'counted') });
    const mf = await fetch.mock.results[0]!.value;
    expect(mf.counts).toEqual({ files: 3, bytes: 6 + 12 + 9 });
  });

  it('restores everything with one walk of the entries after the check, folder times included', async () => {
    const { entries } = spy();
    const progress: { filesTotal: number; bytesTotal: number }[] = [];
    const to = join(work, 'all');
    const report = await engine.restore({
      dest: 'usb',
      snapshot: 'latest',
      to,
      onProgress: (p) => progress.push({ filesTotal: p.filesTotal, bytesTotal: p.bytesTotal }),
    });
    expect(report.errors).toEqual([]);
    expect(report.files).toBe(3);
    expect(entries).toHaveBeenCalledTimes(1);
    expect(progress[0]).toEqual({ filesTotal: 3, bytesTotal: 27 });
    expect(await readFile(join(to, 'docs/deep/b.txt'), 'utf8')).toBe('bravo bravo\n');
    expect((await stat(join(to, 'docs/deep'))).mtime.toISOString()).toBe(folderTime.toISOString());
  });

  it('counts a filtered selection in a pass of its own', async () => {
    const { entries } = spy();
    const progress: { filesTotal: number; bytesTotal: number }[] = [];
    const to = join(work, 'filtered');
    const report = await engine.restore({
      dest: 'usb',
      snapshot: 'latest',
      to,
      filter: { pathPrefix: 'docs' },
      onProgress: (p) => progress.push({ filesTotal: p.filesTotal, bytesTotal: p.bytesTotal }),
    });
    expect(report.files).toBe(2);
    expect(entries).toHaveBeenCalledTimes(2);
    expect(progress[0]).toEqual({ filesTotal: 2, bytesTotal: 18 });
  });

  it('takes symlinks in a last pass when the snapshot has them', async () => {
    await symlink('docs/a.txt', join(src, 'link-to-a'));
    expect((await engine.backup()).status).toBe('ok');
    const { entries } = spy();
    const to = join(work, 'links');
    const report = await engine.restore({ dest: 'usb', snapshot: 'latest', to });
    expect(report.errors).toEqual([]);
    expect(report.symlinks).toBe(1);
    expect(entries).toHaveBeenCalledTimes(2);
    expect(await readlink(join(to, 'link-to-a'))).toBe('docs/a.txt');
  });
});
