/**
 * A bucket as a source (an R2/S3 primary), against s3rver through the real AWS SDK: its keys
 * become a folder tree, a backup sends it to a local disk and to another bucket at once,
 * an incremental run sends only what changed (an ETag change is a change even at the same size
 * and second), removed keys leave the next snapshot, and every snapshot restores exactly.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { MemoryStore } from '../../electron/engine/secrets/memory-store.js';
import { StrataService } from '../../electron/engine/service.js';
import { cliOk, runCli } from '../support/cli.js';
import { s3DestinationConfig, S3RVER_CREDENTIALS, startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { bytes, treeState } from '../support/tree.js';
import { createHash } from 'node:crypto';

const PRIMARY = 'primary-data';
const BACKUPS = 'backup-copies';

describe('a bucket source', () => {
  let s3: S3rverHarness;
  let client: S3Client;
  let work: string;
  let engine: Engine;
  let service: StrataService;
  /** What the bucket holds, as treeState would describe the restored folder. */
  const objects = new Map<string, Buffer>();

  const put = async (key: string, body: Buffer | string): Promise<void> => {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
    await client.send(new PutObjectCommand({ Bucket: PRIMARY, Key: `photos-app/${key}`, Body: buf }));
    objects.set(key, buf);
  };
  const del = async (key: string): Promise<void> => {
    await client.send(new DeleteObjectCommand({ Bucket: PRIMARY, Key: `photos-app/${key}` }));
    objects.delete(key);
  };
  const expected = (): Map<string, string> => {
    const out = new Map<string, string>();
    for (const [key, buf] of objects) {
      const parts = key.split('/');
      for (let i = 1; i < parts.length; i++) out.set(parts.slice(0, i).join('/'), 'dir');
      out.set(key, `file:${buf.length}:${createHash('sha256').update(buf).digest('hex')}`);
    }
    return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  };
  const sorted = (m: Map<string, string>) => new Map([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

  beforeAll(async () => {
    s3 = await startS3rver([PRIMARY, BACKUPS]);
    client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
    });
    await put('albums/2024/beach.jpg', bytes(700_000, 1));
    await client.send(
      new PutObjectCommand({
        Bucket: PRIMARY,
        Key: 'photos-app/albums/2024/notes.txt',
        Body: 'sunny\n',
        ContentType: 'text/plain; charset=utf-8',
        Metadata: { author: 'ada', 'camera-roll': 'yes' },
      }),
    );
    objects.set('albums/2024/notes.txt', Buffer.from('sunny\n'));
    await put('albums/2025/video.mp4', bytes(9_000_000, 2));
    await put('index.json', '{"v":1}');
    // A folder marker made by a bucket console: not content.
    await client.send(new PutObjectCommand({ Bucket: PRIMARY, Key: 'photos-app/empty/', Body: '' }));
    // Something outside the source's prefix is not part of it.
    await client.send(new PutObjectCommand({ Bucket: PRIMARY, Key: 'other-app/secret.txt', Body: 'no' }));
    work = await mkdtemp(join(tmpdir(), 'strata-bucket-src-'));
    engine = Engine.open({ home: join(work, 'home'), secrets: new MemoryStore() });
    service = new StrataService(engine, { host: 'headless' });
    const { kind: _k, ...primary } = s3DestinationConfig(s3.endpoint, PRIMARY, 'photos-app');
    await engine.addBucketSource('primary', primary, S3RVER_CREDENTIALS.secretAccessKey);
    await engine.addLocalDestination('disk', join(work, 'disk'));
    const { kind: _k2, ...backups } = s3DestinationConfig(s3.endpoint, BACKUPS, 'strata');
    await engine.addS3Destination('cloud', backups, S3RVER_CREDENTIALS.secretAccessKey);
    engine.setPolicy('primary', '', ['disk', 'cloud']);
  }, 60_000);

  afterAll(async () => {
    engine?.close();
    client?.destroy();
    await s3?.stop();
  });

  it('shows the bucket as a folder tree with sizes', async () => {
    const reply = await service.handle('tree.list', { source: 'primary', folder: '' });
    expect(reply.ok).toBe(true);
    const root = (reply as { result: { entries: { name: string; type: string; size: number | null }[] } }).result;
    expect(root.entries.map((e) => [e.name, e.type, e.size])).toEqual([
      ['albums', 'dir', null],
      ['empty', 'dir', null],
      ['index.json', 'file', 7],
    ]);
    const y2024 = await service.handle('tree.list', { source: 'primary', folder: 'albums/2024' });
    expect(
      (y2024 as { result: { entries: { name: string; size: number | null }[] } }).result.entries.map((e) => [
        e.name,
        e.size,
      ]),
    ).toEqual([
      ['beach.jpg', 700_000],
      ['notes.txt', 6],
    ]);
    const sources = await service.handle('sources.list', {});
    expect(sources).toMatchObject({
      ok: true,
      result: [{ name: 'primary', kind: 'bucket', path: `${PRIMARY}/photos-app` }],
    });
  });

  let first: string;
  let firstOnCloud: string;

  it('backs the bucket up to a disk and to another bucket in one run, and both restore exactly', async () => {
    const out = await engine.backup({});
    expect(out.status).toBe('ok');
    expect(out.results.map((r) => [r.destName, r.filesTotal, r.filesUploaded]).sort()).toEqual([
      ['cloud', 4, 4],
      ['disk', 4, 4],
    ]);
    first = out.results.find((r) => r.destName === 'disk')!.snapshotId!;
    firstOnCloud = out.results.find((r) => r.destName === 'cloud')!.snapshotId!;
    for (const dest of ['disk', 'cloud']) {
      const to = await mkdtemp(join(work, `restore-${dest}-`));
      const report = await engine.restore({ dest, snapshot: 'latest', to });
      expect(report.errors).toEqual([]);
      expect(sorted(await treeState(to))).toEqual(expected());
    }
  }, 120_000);

  it('sends only what changed; an ETag change counts even at the same size; deletions leave the snapshot', async () => {
    await put('albums/2024/notes.txt', 'rainy\n'); // same size, same second: only the ETag tells
    await put('albums/2025/new.txt', 'new file\n');
    await del('index.json');
    const out = await engine.backup({});
    expect(out.status).toBe('ok');
    expect(out.results.map((r) => [r.destName, r.filesTotal, r.filesUploaded, r.filesDeleted]).sort()).toEqual([
      ['cloud', 4, 2, 1],
      ['disk', 4, 2, 1],
    ]);
    const to = await mkdtemp(join(work, 'restore-latest-'));
    expect((await engine.restore({ dest: 'cloud', snapshot: 'latest', to })).errors).toEqual([]);
    expect(sorted(await treeState(to))).toEqual(expected());
    // The first snapshot still restores as it was.
    const old = await mkdtemp(join(work, 'restore-first-'));
    expect((await engine.restore({ dest: 'disk', snapshot: first, to: old })).errors).toEqual([]);
    const oldState = sorted(await treeState(old));
    expect(oldState.get('index.json')).toBeDefined();
    expect(oldState.get('albums/2024/notes.txt')).toMatch(/^file:6:/);
    expect(oldState.get('albums/2024/notes.txt')).not.toBe(expected().get('albums/2024/notes.txt'));
    const again = await engine.backup({});
    expect(again.results.every((r) => r.filesUploaded === 0)).toBe(true);
  }, 120_000);

  it('restores into the emptied primary under the original keys, with content types and metadata', async () => {
    for (const key of [...objects.keys()]) {
      await client.send(new DeleteObjectCommand({ Bucket: PRIMARY, Key: `photos-app/${key}` }));
    }
    // The snapshot before the last edit: notes.txt as it was, with its type and metadata.
    const report = await engine.restoreToBucket({ dest: 'cloud', snapshot: firstOnCloud, toBucket: 'primary' });
    expect(report.errors).toEqual([]);
    expect(report.files).toBe(4);
    const notes = await client.send(new GetObjectCommand({ Bucket: PRIMARY, Key: 'photos-app/albums/2024/notes.txt' }));
    expect(await notes.Body!.transformToString()).toBe('sunny\n');
    expect(notes.ContentType).toBe('text/plain; charset=utf-8');
    expect(notes.Metadata).toEqual({ author: 'ada', 'camera-roll': 'yes' });
    const video = await client.send(new GetObjectCommand({ Bucket: PRIMARY, Key: 'photos-app/albums/2025/video.mp4' }));
    const body = Buffer.from(await video.Body!.transformToByteArray());
    expect(body.equals(bytes(9_000_000, 2))).toBe(true);
    expect(video.Metadata).toEqual({});
    // Again: every object already holds its version (read back and hashed), so nothing is sent twice.
    expect(await engine.restoreToBucket({ dest: 'cloud', snapshot: firstOnCloud, toBucket: 'primary' })).toMatchObject({
      files: 0,
      identical: 4,
      skipped: 0,
    });
    const over = await engine.restoreToBucket({
      dest: 'disk',
      snapshot: 'latest',
      toBucket: 'cloud',
      prefix: 'recovered',
      conflict: 'overwrite',
    });
    expect(over).toMatchObject({ files: 4, errors: [] });
    await expect(engine.restoreToBucket({ dest: 'cloud', snapshot: firstOnCloud, toBucket: 'disk' })).rejects.toThrow(
      /is a local folder, not a bucket/,
    );
  }, 120_000);

  it('is added and listed from the command line with the secret from the environment', async () => {
    const home = join(work, 'cli-home');
    await cliOk(
      [
        ...['source', 'add', 'bucket', 'primary', '--provider', 'other', '--bucket', PRIMARY, '--prefix', 'photos-app'],
        ...['--endpoint', s3.endpoint, '--region', 'us-east-1', '--access-key-id', 'S3RVER'],
      ],
      { home, env: { STRATA_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey } },
    );
    expect(await cliOk(['source', 'list'], { home })).toMatch(new RegExp(`primary\\s+bucket\\s+${PRIMARY}/photos-app`));
    await cliOk(['dest', 'add', 'local', 'disk', join(work, 'cli-disk')], { home });
    await cliOk(['policy', 'set', 'primary', '/', '--to', 'disk'], { home });
    const out = await cliOk(['backup'], { home });
    expect(out).toMatch(/OK\s+primary → disk: 4 files/);
    const restored = await cliOk(['restore', 'disk', 'latest', '--to-bucket', 'primary', '--prefix', 'recovered'], {
      home,
    });
    expect(restored).toMatch(/into bucket primary\/recovered: 4 files/);
    const copy = await client.send(
      new GetObjectCommand({ Bucket: PRIMARY, Key: 'photos-app/recovered/albums/2024/notes.txt' }),
    );
    expect(copy.ContentType).toBe('text/plain; charset=utf-8');
    const neither = await runCli(['restore', 'disk', 'latest'], { home });
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('--to DIR or --to-bucket NAME');
  }, 120_000);
});
