/**
 * A vault's chunk lists are checked against its index at the start of a backup (dropping lists
 * that name chunks the vault lacks, and sending back the files whose content no list knows), and
 * the check is skipped when nothing changed since: the same index, and no list added or file
 * marked synced for that vault (the database's triggers drop the mark in the same transaction), or
 * marked at the end of a backup that stored and indexed what its lists name.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../electron/engine/store/catalog.js';
import { openDatabase, type Db } from '../../electron/engine/store/database.js';
import { FileIndex } from '../../electron/engine/store/file-index.js';
import { VaultChunkStore } from '../../electron/engine/store/vault-chunk-store.js';
import { tempDirs } from '../support/temp-dirs.js';

const temp = tempDirs('strata-chunk-checks-');

const id = (c: string): string => c.repeat(64);
const sha = (c: string): string => c.repeat(64);

describe('vault chunk list checks', () => {
  let db: Db;
  let lists: VaultChunkStore;
  let files: FileIndex;
  let dest: string;
  let other: string;
  let src: string;
  /** Ids the "vault" holds; and how many ids a check asked about. */
  let held: Set<string>;
  let asked: number;
  const has = (x: string): boolean => {
    asked++;
    return held.has(x);
  };

  beforeEach(async () => {
    db = openDatabase(join(await temp(), 'strata.db'));
    const catalog = new Catalog(db);
    src = catalog.addSource('docs', { kind: 'local', path: '/docs' }).id;
    dest = catalog.addDestination('vault', { kind: 'local', path: '/vault' }).id;
    other = catalog.addDestination('other', { kind: 'local', path: '/other' }).id;
    lists = new VaultChunkStore(db);
    files = new FileIndex(db);
    held = new Set([id('a'), id('b')]);
    asked = 0;
    lists.put(dest, sha('1'), [id('a'), id('b')]);
    lists.put(dest, sha('2'), [id('a'), id('c')]); // c was never stored (a killed run)
  });

  it('checks once per index state, and again once a list is added for that vault', () => {
    expect(lists.reconcile(dest, 'index-1', has)).toBe(1);
    expect(lists.get(dest, sha('2'))).toBeUndefined();
    expect(lists.get(dest, sha('1'))).toEqual([id('a'), id('b')]);
    asked = 0;
    // Nothing changed: not checked.
    expect(lists.reconcile(dest, 'index-1', has)).toBe(0);
    expect(asked).toBe(0);
    // Another vault's list does not count; this vault's does.
    lists.put(other, sha('9'), [id('z')]);
    expect(lists.reconcile(dest, 'index-1', has)).toBe(0);
    expect(asked).toBe(0);
    lists.put(dest, sha('3'), [id('d')]);
    expect(lists.reconcile(dest, 'index-1', has)).toBe(1);
    expect(asked).toBeGreaterThan(0);
  });

  it('checks again when the index changed (another machine, a collection)', () => {
    lists.reconcile(dest, 'index-1', has);
    held.delete(id('b')); // its pack condemned
    asked = 0;
    expect(lists.reconcile(dest, 'index-2', has)).toBe(1);
    expect(lists.get(dest, sha('1'))).toBeUndefined();
  });

  it('checks again once a file is marked synced for that vault, and sends back one no list knows', () => {
    lists.reconcile(dest, 'index-1', has);
    // As the sync cache does from another machine's manifest: synced, but no chunk list here.
    const f = files.upsert(src, 'a.txt', { type: 'file', size: 1, mtimeMs: 1, sha256: sha('7') }, null);
    files.setStatusNow(f, { destId: dest, state: 'synced', sha256: sha('7') });
    asked = 0;
    lists.reconcile(dest, 'index-1', has);
    expect(asked).toBeGreaterThan(0);
    files.flush();
    expect(files.lookup(src, 'a.txt')?.status.get(dest)?.state).toBe('pending');
    // A status that is not 'synced' keeps the mark.
    files.setStatusNow(f, { destId: dest, state: 'failed', error: 'x' });
    asked = 0;
    lists.reconcile(dest, 'index-1', has);
    expect(asked).toBe(0);
  });

  it('takes a mark set at the end of a backup, until a list is added again', () => {
    lists.reconcile(dest, 'index-1', has);
    lists.put(dest, sha('3'), [id('a')]); // a backup's own list: the mark goes
    // The backup ends having stored and indexed what its lists name (index-2: index-1 and its own file).
    lists.markChecked(dest, 'index-2');
    asked = 0;
    expect(lists.reconcile(dest, 'index-2', has)).toBe(0);
    expect(asked).toBe(0);
    // Against any other state, it checks.
    expect(lists.reconcile(dest, 'index-3', has)).toBe(0);
    expect(asked).toBeGreaterThan(0);
  });
});
