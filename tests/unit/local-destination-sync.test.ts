import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** Paths fsynced, in order, and a path whose fsync fails (disk full on delayed allocation). */
const synced: string[] = [];
let failFor: string | undefined;

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof real.open = async (path, ...rest) => {
    const fh = await real.open(path, ...rest);
    const sync = fh.sync.bind(fh);
    fh.sync = async () => {
      if (String(path) === failFor) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      await sync();
      synced.push(String(path));
    };
    return fh;
  };
  return { ...real, open, default: { ...real, open } };
});

const { LocalDestination } = await import('../../electron/engine/destinations/local-destination.js');

const MiB = 1024 * 1024;
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'strata-sync-'));
  synced.length = 0;
  failFor = undefined;
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('LocalDestination durability', () => {
  it('fsyncs a large object as soon as it is in place, and its folder at the flush', async () => {
    const dest = new LocalDestination(root);
    await dest.putBuffer('packs/ab/big', Buffer.alloc(5 * MiB, 1));
    const file = join(root, 'packs', 'ab', 'big');
    await until(() => synced.includes(file));
    expect(synced).toEqual([file]); // before any flush
    await dest.flush();
    expect(synced).toEqual([file, dirname(file)]);
  });

  it('syncs small objects only at the flush, with their folders', async () => {
    const dest = new LocalDestination(root);
    await dest.putBuffer('index/one', Buffer.from('small'));
    await new Promise((r) => setTimeout(r, 50));
    expect(synced).toEqual([]);
    await dest.flush();
    expect(synced.sort()).toEqual([join(root, 'index'), join(root, 'index', 'one')].sort());
  });

  it('an early fsync that fails fails the flush with what to do; the next flush is clean', async () => {
    const dest = new LocalDestination(root);
    failFor = join(root, 'packs', 'cd', 'big');
    await dest.putBuffer('packs/cd/big', Buffer.alloc(4 * MiB, 2));
    await expect(dest.flush()).rejects.toMatchObject({ code: 'disk-full', hint: expect.stringMatching(/free space/) });
    failFor = undefined;
    await expect(dest.flush()).resolves.toBeUndefined();
  });

  it('a large object deleted before its fsync is no failure', async () => {
    const dest = new LocalDestination(root);
    await dest.putBuffer('packs/ef/gone', Buffer.alloc(4 * MiB, 3));
    await dest.delete(['packs/ef/gone']);
    await expect(dest.flush()).resolves.toBeUndefined();
  });
});
