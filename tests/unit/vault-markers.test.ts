/**
 * The objects a vault's collection coordinates with, on a real local destination: run markers
 * (written before a backup reads the index, refreshed, gone when it ends, stale when not
 * refreshed, a lapse noticed) and collection markers (sealed; a damaged one stops everything that
 * depends on it with a fix), and the local index cache.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalDestination } from '../../electron/engine/destinations/local-destination.js';
import { createCodec } from '../../electron/engine/vault/blob-codec.js';
import {
  COLLECTIONS_PREFIX,
  readCollectionMarkers,
  writeCollectionMarker,
} from '../../electron/engine/vault/collection-marker.js';
import { IndexCache } from '../../electron/engine/vault/index-cache.js';
import { readAllIndexes, writeIndex } from '../../electron/engine/vault/index-file.js';
import { HEARTBEAT_MS, liveRuns, RunMarker, STALE_MS } from '../../electron/engine/vault/run-marker.js';

const codec = createCodec({ encryptionKey: randomBytes(32), idKey: randomBytes(32), keyId: '0123456789abcdef' });
const hex = () => randomBytes(32).toString('hex');

describe('vault markers', () => {
  let dir: string;
  let dest: LocalDestination;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-markers-'));
    dest = new LocalDestination(dir);
  });
  afterEach(async () => {
    await dest.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a run marker is live while the run goes on, with its start in the destination clock, and gone after', async () => {
    const run = new RunMarker(dest, codec);
    await run.start();
    const [live] = await liveRuns(dest, codec, Date.now());
    expect(live!.key).toBe(run.key);
    const stored = await dest.head(run.key);
    expect(live!.startedAt).toBe(stored!.lastModified!.getTime());
    // Sealed: the host name is not readable in the stored bytes.
    expect((await readFile(join(dir, run.key))).includes(Buffer.from('host'))).toBe(false);
    await run.stop();
    expect(await liveRuns(dest, codec, Date.now())).toEqual([]);
    expect(await readdir(join(dir, 'runs')).catch(() => [])).toEqual([]);
  });

  it('a marker not refreshed for half an hour is a dead run; one a week old is deleted', async () => {
    const dead = new RunMarker(dest, codec);
    await dead.start();
    const old = new RunMarker(dest, codec);
    await old.start();
    const now = Date.now();
    await utimes(join(dir, dead.key), new Date(now - STALE_MS - 60_000), new Date(now - STALE_MS - 60_000));
    await utimes(join(dir, old.key), new Date(now - 8 * 24 * 3600_000), new Date(now - 8 * 24 * 3600_000));
    expect(await liveRuns(dest, codec, now)).toEqual([]);
    expect(await readdir(join(dir, 'runs'))).toEqual([dead.key.slice('runs/'.length)]);
    await dead.stop();
    await old.stop();
  });

  it('notices when its refreshes lapsed long enough for a collection to take it for dead', async () => {
    let t = 1_000_000;
    const run = new RunMarker(dest, codec, () => t);
    await run.start();
    t += HEARTBEAT_MS;
    expect(run.lapsed()).toBe(false);
    t += STALE_MS; // the computer slept
    expect(run.lapsed()).toBe(true);
    await run.stop();
  });

  it('collection markers round-trip sealed; a damaged one is an error that says what to do', async () => {
    const packs = [hex(), hex()].sort();
    const key = await writeCollectionMarker(dest, codec, packs);
    expect(key.startsWith(COLLECTIONS_PREFIX)).toBe(true);
    const [m] = await readCollectionMarkers(dest, codec);
    expect(m).toMatchObject({ key, packs });
    expect(m!.markedAt).toBe((await dest.head(key))!.lastModified!.getTime());
    const raw = await readFile(join(dir, key));
    expect(raw.includes(Buffer.from(packs[0]!))).toBe(false);
    raw[raw.length - 3]! ^= 0x01;
    await writeFile(join(dir, key), raw);
    await expect(readCollectionMarkers(dest, codec)).rejects.toMatchObject({
      code: 'corrupt',
      message: expect.stringMatching(/collection marker collections\/[0-9a-f]{32} in .* is damaged/),
      hint: expect.stringMatching(/delete collections\/[0-9a-f]{32} from the destination/),
    });
  });

  it('the index cache serves what it holds, refetches a damaged copy and drops what the vault no longer lists', async () => {
    const packId = hex();
    const key = await writeIndex(dest, codec, [
      { packId, blobs: [{ id: hex(), offset: 0, length: 10, rawLength: 8 }] },
    ]);
    const cache = new IndexCache(join(dir, '..', `${dir.split('/').pop()}-cache`));
    let gets = 0;
    const counting = Object.assign(Object.create(dest) as LocalDestination, {
      get: (k: string) => {
        gets++;
        return dest.get(k);
      },
    });
    expect((await readAllIndexes(counting, codec, undefined, { cache })).index.size).toBe(1);
    expect(gets).toBe(1);
    expect((await readAllIndexes(counting, codec, undefined, { cache })).index.size).toBe(1);
    expect(gets).toBe(1);
    const sha = key!.slice('index/'.length);
    await writeFile(join(dir, '..', `${dir.split('/').pop()}-cache`, sha), 'damaged');
    expect((await readAllIndexes(counting, codec, undefined, { cache })).damaged).toEqual([]);
    expect(gets).toBe(2);
    await dest.delete([key!]);
    await readAllIndexes(counting, codec, undefined, { cache });
    expect(await cache.get(sha)).toBeUndefined();
    await cache.clear();
  });
});
