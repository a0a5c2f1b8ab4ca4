/**
 * The file index's writes: what a path looks like and its status per destination, batched into
 * one open transaction that is committed every so many writes (or at flush), so that another
 * connection (a CLI beside the app) sees them at the next commit; writes made inside a caller's
 * own transaction join it instead.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../electron/engine/store/catalog.js';
import { openDatabase, type Db } from '../../electron/engine/store/database.js';
import { FileIndex } from '../../electron/engine/store/file-index.js';

describe('file index', () => {
  let dir: string;
  let db: Db;
  let other: Database.Database;
  let src: string;
  let dest: string;
  const seenByOther = (): number => (other.prepare('SELECT count(*) AS n FROM files').get() as { n: number }).n;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-file-index-'));
    db = openDatabase(join(dir, 'strata.db'));
    const catalog = new Catalog(db);
    src = catalog.addSource('docs', { kind: 'local', path: '/docs' }).id;
    dest = catalog.addDestination('disk', { kind: 'local', path: '/disk' }).id;
    other = new Database(join(dir, 'strata.db'), { readonly: true });
  });

  afterEach(async () => {
    other.close();
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records facts and statuses, and reads them back by folder', () => {
    const index = new FileIndex(db);
    const facts = { type: 'file', size: 5, mtimeMs: 1000.5, inode: 42, sha256: 'ab'.repeat(32) };
    const id = index.upsert(src, 'a/b/c.txt', facts, 7);
    expect(index.upsert(src, 'a/b/c.txt', { ...facts, size: 6 }, 8)).toBe(id); // same path, same row
    index.setStatus(id, { destId: dest, state: 'synced', sha256: facts.sha256, remoteKey: 'files/a/b/c.txt' });
    index.upsert(src, 'a/b/d.txt', { type: 'file', size: 1, mtimeMs: 2, details: { contentType: 'text/plain' } }, 7);
    index.flush();
    index.resetCache();
    const c = index.lookup(src, 'a/b/c.txt')!;
    expect(c).toMatchObject({ id, type: 'file', size: 6, mtimeMs: 1000.5, inode: 42, identity: null });
    expect(c.status.get(dest)).toEqual({ state: 'synced', sha256: facts.sha256, remoteKey: 'files/a/b/c.txt' });
    expect(index.lookup(src, 'a/b/d.txt')).toMatchObject({ inode: null, details: { contentType: 'text/plain' } });
    expect(index.lookup(src, 'a/b/e.txt')).toBeUndefined();
  });

  it('commits every batch of writes: another connection sees them then, or at flush', () => {
    const index = new FileIndex(db, 3);
    index.upsert(src, 'one', { type: 'file', size: 1, mtimeMs: 1 }, 1);
    index.upsert(src, 'two', { type: 'file', size: 1, mtimeMs: 1 }, 1);
    expect(seenByOther()).toBe(0); // still in the open batch
    index.upsert(src, 'three', { type: 'file', size: 1, mtimeMs: 1 }, 1);
    expect(seenByOther()).toBe(3); // the third write committed the batch
    const id = index.upsert(src, 'four', { type: 'file', size: 1, mtimeMs: 1 }, 1);
    index.setStatus(id, { destId: dest, state: 'pending' });
    expect(seenByOther()).toBe(3);
    index.flush();
    expect(seenByOther()).toBe(4);
    expect(db.inTransaction).toBe(false);
  });

  it("joins a caller's own transaction instead of opening a batch, and rolls back with it", () => {
    const index = new FileIndex(db, 2);
    index.transaction(() => {
      for (const name of ['a', 'b', 'c']) index.upsert(src, name, { type: 'file', size: 1, mtimeMs: 1 }, 1);
    });
    expect(seenByOther()).toBe(3); // committed by the caller's transaction, not left in a batch
    expect(db.inTransaction).toBe(false);
    expect(() =>
      index.transaction(() => {
        index.upsert(src, 'd', { type: 'file', size: 1, mtimeMs: 1 }, 1);
        throw new Error('caller failed');
      }),
    ).toThrow('caller failed');
    index.flush();
    expect(seenByOther()).toBe(3);
  });
});
