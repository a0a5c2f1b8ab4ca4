/** How `strata versions` groups what snapshots hold: one version per distinct SHA-256, newest first. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newestFirst, planFold, VersionCache, type FoldedEntry } from '../../electron/engine/recovery/version-cache.js';
import { sourceRelative } from '../../electron/server/cli/recovery-commands.js';
import { Catalog } from '../../electron/engine/store/catalog.js';
import { openDatabase, type Db } from '../../electron/engine/store/database.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);
const snap = (n: number) => ({ id: `2026010${n}T000000.000Z-0000000${n}`, time: Date.UTC(2026, 0, n) });
const file = (path: string, sha256: string, size = 10, mtime = 1000): FoldedEntry => ({ path, sha256, size, mtime });

describe('planFold', () => {
  it('folds everything, oldest first, the first time', () => {
    expect(planFold([], ['s3', 's1', 's2'])).toEqual({ reset: false, toFold: ['s1', 's2', 's3'] });
  });
  it('folds only newer snapshots afterwards, and nothing when nothing is new', () => {
    expect(planFold(['s1', 's2'], ['s1', 's2', 's3'])).toEqual({ reset: false, toFold: ['s3'] });
    expect(planFold(['s1', 's2'], ['s1', 's2'])).toEqual({ reset: false, toFold: [] });
  });
  it('starts again when a folded snapshot is gone (pruned): its counts cannot be taken back', () => {
    expect(planFold(['s1', 's2', 's3'], ['s2', 's3', 's4'])).toEqual({ reset: true, toFold: ['s2', 's3', 's4'] });
  });
  it('starts again when an older snapshot shows up (a manifest readable again)', () => {
    expect(planFold(['s1', 's3'], ['s1', 's2', 's3'])).toEqual({ reset: true, toFold: ['s1', 's2', 's3'] });
  });
  it('forgets everything when the series is gone', () => {
    expect(planFold(['s1'], [])).toEqual({ reset: true, toFold: [] });
  });
});

describe('VersionCache', () => {
  let dir: string;
  let db: Db;
  let cache: VersionCache;
  let d1: string;
  let d2: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-versions-'));
    db = openDatabase(join(dir, 'strata.db'));
    const catalog = new Catalog(db);
    d1 = catalog.addDestination('usb', { kind: 'local', path: '/mnt/usb' }).id;
    d2 = catalog.addDestination('b2', { kind: 'local', path: '/mnt/b2' }).id;
    cache = new VersionCache(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const fold = (dest: string, n: number, entries: FoldedEntry[], source = 'docs-1') => {
    cache.fold(dest, source, snap(n), entries);
    cache.markFolded(dest, source, snap(n).id);
  };

  it('groups by content: a file that changes and changes back is two versions, the first seen in three snapshots', () => {
    fold(d1, 1, [file('notes.txt', A, 5, 100)]);
    fold(d1, 2, [file('notes.txt', B, 7, 200)]);
    fold(d1, 3, [file('notes.txt', B, 7, 200)]);
    fold(d1, 4, [file('notes.txt', A, 5, 400)]);
    fold(d1, 5, []); // deleted
    fold(d1, 6, [file('notes.txt', C, 9, 600)]);
    fold(d1, 7, [file('notes.txt', A, 5, 700)]);
    expect(cache.versionsOf(d1, 'docs-1', 'notes.txt')).toEqual([
      {
        sha256: A,
        size: 5,
        mtime: 700,
        firstId: snap(1).id,
        firstTime: snap(1).time,
        lastId: snap(7).id,
        lastTime: snap(7).time,
        snapshots: 3,
      },
      {
        sha256: C,
        size: 9,
        mtime: 600,
        firstId: snap(6).id,
        firstTime: snap(6).time,
        lastId: snap(6).id,
        lastTime: snap(6).time,
        snapshots: 1,
      },
      {
        sha256: B,
        size: 7,
        mtime: 200,
        firstId: snap(2).id,
        firstTime: snap(2).time,
        lastId: snap(3).id,
        lastTime: snap(3).time,
        snapshots: 2,
      },
    ]);
    expect(cache.folded(d1, 'docs-1').sort()).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => snap(n).id));
  });

  it('counts a snapshot once when it is folded again after a crash part-way', () => {
    cache.fold(d1, 'docs-1', snap(1), [file('a', A), file('b', B)]);
    // Crashed before markFolded: the next run folds snapshot 1 whole again.
    cache.fold(d1, 'docs-1', snap(1), [file('a', A), file('b', B), file('c', C)]);
    cache.markFolded(d1, 'docs-1', snap(1).id);
    fold(d1, 2, [file('a', A), file('b', B), file('c', C)]);
    for (const p of ['a', 'b', 'c']) {
      expect(cache.versionsOf(d1, 'docs-1', p)).toMatchObject([
        { snapshots: 2, firstId: snap(1).id, lastId: snap(2).id },
      ]);
    }
  });

  it('keeps destinations, sources and paths apart (exact paths, case matters)', () => {
    fold(d1, 1, [file('a.txt', A), file('A.txt', B), file('a.txt.bak', C)]);
    fold(d2, 1, [file('a.txt', B)]);
    fold(d1, 1, [file('a.txt', C)], 'other-2');
    expect(cache.versionsOf(d1, 'docs-1', 'a.txt').map((v) => v.sha256)).toEqual([A]);
    expect(cache.versionsOf(d2, 'docs-1', 'a.txt').map((v) => v.sha256)).toEqual([B]);
    expect(cache.versionsOf(d1, 'other-2', 'a.txt').map((v) => v.sha256)).toEqual([C]);
    expect(cache.versionsOf(d1, 'docs-1', 'a')).toEqual([]);
  });

  it('forgets a series on reset, and a destination when it is removed', () => {
    fold(d1, 1, [file('a', A)]);
    fold(d1, 1, [file('a', A)], 'other-2');
    cache.reset(d1, 'docs-1');
    expect(cache.versionsOf(d1, 'docs-1', 'a')).toEqual([]);
    expect(cache.folded(d1, 'docs-1')).toEqual([]);
    expect(cache.versionsOf(d1, 'other-2', 'a')).toHaveLength(1);
    db.prepare('DELETE FROM destinations WHERE id = ?').run(d1);
    expect(cache.versionsOf(d1, 'other-2', 'a')).toEqual([]);
  });
});

describe('newestFirst', () => {
  it('orders by the newest snapshot holding the content, then by when it first appeared, then by destination', () => {
    const v = (destination: string, firstSeen: number, lastSeen: number) => ({ destination, firstSeen, lastSeen });
    expect(newestFirst([v('usb', 1, 5), v('b2', 3, 9), v('usb', 6, 9), v('b2', 1, 5)])).toEqual([
      v('usb', 6, 9),
      v('b2', 3, 9),
      v('b2', 1, 5),
      v('usb', 1, 5),
    ]);
  });
});

describe('sourceRelative (the PATH of strata versions)', () => {
  it('takes a path relative to the root, with or without a leading slash, or absolute inside a local source', () => {
    expect(sourceRelative('docs/a.txt', undefined)).toBe('docs/a.txt');
    expect(sourceRelative('/docs/a.txt', '/home/ada/work')).toBe('docs/a.txt');
    expect(sourceRelative('/home/ada/work/docs/a.txt', '/home/ada/work')).toBe('docs/a.txt');
    expect(sourceRelative('/home/ada/workshop/a.txt', '/home/ada/work')).toBe('home/ada/workshop/a.txt');
  });
  it('refuses the root itself and paths that leave it', () => {
    expect(() => sourceRelative('/', undefined)).toThrow(/not the path of a file/);
    expect(() => sourceRelative('/home/ada/work', '/home/ada/work')).toThrow(/not the path of a file/);
    expect(() => sourceRelative('docs/../../etc/passwd', undefined)).toThrow(/not the path of a file/);
    expect(() => sourceRelative('docs//a', undefined)).toThrow(/not the path of a file/);
  });
});
