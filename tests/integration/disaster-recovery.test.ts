/**
 * Disaster recovery on a new machine, through the `strata` process: a folder and a bucket are
 * backed up over several snapshots (a local disk destination, or s3rver), then an EMPTY data
 * folder adds the same destination, rebuilds its database with `repair-index`, lists snapshots
 * and every version of a changed file, restores byte for byte, and backs up again sending
 * nothing. A second repair changes nothing; the bucket source is named with its --id hint.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepairReport } from '../../shared/api/entities.js';
import { cliOk, resultOf, runCli, s3DestArgs } from '../support/cli.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { bytes, diffTrees, put, treeState } from '../support/tree.js';

const PRIMARY = 'media-primary';
const BACKUPS = 'strata-dr';
const env = { STRATA_SECRET_ACCESS_KEY: 'S3RVER' };
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

const NOTES = ['first draft\n', 'second draft, a little longer\n', 'third\n'];

interface Version {
  destination: string;
  snapshotId: string;
  firstSeen: number;
  lastSeen: number;
  snapshots: number;
  size: number;
  mtime: number;
  sha256: string;
}

interface Snap {
  snapshotId: string;
  sourceId: string;
  sourceName: string;
  time: string;
}

type Kind = 'local' | 's3';

describe.each<Kind>(['local', 's3'])('disaster recovery from a %s destination into an empty STRATA_HOME', (kind) => {
  let s3: S3rverHarness;
  let work: string;
  let src: string;
  let oldHome: string;
  let newHome: string;
  const snapIds: string[] = [];
  let mediaId = '';
  let docsId = '';

  const destArgs = (name: string): string[] =>
    kind === 'local'
      ? ['dest', 'add', 'local', name, join(work, 'usb-disk')]
      : s3DestArgs(name, s3.endpoint, BACKUPS, 'laptop');
  const old = (args: string[]) => cliOk(args, { home: oldHome, env });
  const fresh = (args: string[]) => cliOk(args, { home: newHome, env });
  const backup = async (): Promise<void> => {
    const r = resultOf<{ status: string; results: { sourceName: string; snapshotId: string }[] }>(
      await old(['backup', '--source', 'docs', '--json']),
    );
    expect(r.status).toBe('ok');
    snapIds.push(r.results[0]!.snapshotId);
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), `strata-dr-${kind}-`));
    src = join(work, 'docs');
    oldHome = join(work, 'old-home');
    newHome = join(work, 'new-home');
    s3 = await startS3rver([PRIMARY, BACKUPS]);
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
    });
    await client.send(new PutObjectCommand({ Bucket: PRIMARY, Key: 'app/photo.jpg', Body: bytes(40_000, 9) }));
    client.destroy();

    await put(src, 'notes.txt', NOTES[0]!);
    await put(src, 'report/summary.md', '# Summary\n');
    await put(src, 'report/figure.bin', bytes(300_000, 1));
    await put(src, 'unchanged.txt', 'always the same\n');
  });

  afterAll(async () => {
    await s3?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('backs up a folder over four snapshots (notes.txt changes, then goes back) and a bucket', async () => {
    await old(['source', 'add', 'local', 'docs', src]);
    await old(destArgs('offsite'));
    await old(['policy', 'set', 'docs', '/', '--to', 'offsite']);
    await old([
      ...['source', 'add', 'bucket', 'media', '--provider', 'other', '--bucket', PRIMARY, '--prefix', 'app'],
      ...['--endpoint', s3.endpoint, '--region', 'us-east-1', '--path-style', '--access-key-id', 'S3RVER'],
    ]);
    await old(['policy', 'set', 'media', '/', '--to', 'offsite']);
    const all = resultOf<{ status: string }>(await old(['backup', '--json']));
    expect(all.status).toBe('ok');
    const snaps = resultOf<{ snapshots: Snap[] }>(await old(['snapshots', '--json'])).snapshots;
    snapIds.push(snaps.find((s) => s.sourceName === 'docs')!.snapshotId);
    docsId = snaps.find((s) => s.sourceName === 'docs')!.sourceId;
    mediaId = snaps.find((s) => s.sourceName === 'media')!.sourceId;

    await writeFile(join(src, 'notes.txt'), NOTES[1]!);
    await put(src, 'report/new.txt', 'added in the second snapshot\n');
    await backup();
    await writeFile(join(src, 'notes.txt'), NOTES[2]!);
    await rm(join(src, 'report/summary.md'));
    await backup();
    // Back to the first text (a new mtime): the same content, so the same version as the first.
    await writeFile(join(src, 'notes.txt'), NOTES[0]!);
    await utimes(join(src, 'notes.txt'), new Date('2026-01-02T03:04:05Z'), new Date('2026-01-02T03:04:05Z'));
    await backup();
    expect(new Set(snapIds).size).toBe(4);
  });

  it('rebuilds an empty database from the destination alone', async () => {
    await fresh(destArgs('recovered'));
    const report = resultOf<{ report: RepairReport }>(await fresh(['repair-index', '--json'])).report;

    expect(report.destinations).toEqual([
      { name: 'recovered', repositoryId: expect.any(String), snapshots: 5, damaged: 0, error: null },
    ]);
    const docs = report.sources.find((s) => s.sourceName === 'docs')!;
    expect(docs).toMatchObject({
      sourceId: docsId,
      kind: 'local',
      root: src,
      status: 'created',
      snapshots: 4,
      latestSnapshotId: snapIds[3],
      destinations: ['recovered'],
    });
    expect(docs.message).toContain('ticked the whole folder for recovered');
    const media = report.sources.find((s) => s.sourceName === 'media')!;
    expect(media).toMatchObject({ sourceId: mediaId, kind: 'bucket', status: 'needs-credentials', snapshots: 1 });
    expect(media.message).toContain(
      `source media (bucket ${PRIMARY}/app) found: add it again with --id ${mediaId} to continue its series`,
    );
    expect(report.synced).toEqual([
      { source: 'docs', destination: 'recovered', snapshotId: snapIds[3], files: 4, rebuilt: true, error: null },
    ]);

    // The source is back at its folder, ticked for the destination; the bucket is not (no credentials).
    const sources = resultOf<{ sources: { id: string; name: string; config: { path: string } }[] }>(
      await fresh(['source', 'list', '--json']),
    ).sources;
    expect(sources.map((s) => [s.id, s.name, s.config.path])).toEqual([[docsId, 'docs', src]]);
    const policies = resultOf<{ policies: unknown[] }>(await fresh(['policy', 'list', '--json'])).policies;
    expect(policies).toEqual([
      expect.objectContaining({ source: 'docs', folder: '', destinations: [{ name: 'recovered', include: true }] }),
    ]);
    // Badges: what the latest snapshot holds counts as synced before any backup ran here.
    const status = resultOf<{ destinations: { name: string; files: number; pendingFiles: number }[] }>(
      await fresh(['status', '--json']),
    );
    expect(status.destinations[0]).toMatchObject({ name: 'recovered', files: 4, pendingFiles: 0 });

    const snaps = resultOf<{ snapshots: Snap[] }>(await fresh(['snapshots', '--json'])).snapshots;
    expect(snaps.filter((s) => s.sourceName === 'docs').map((s) => s.snapshotId)).toEqual(snapIds);
    expect(snaps.filter((s) => s.sourceName === 'media')).toHaveLength(1);
  });

  it('lists every stored version of a file changed between snapshots, newest first', async () => {
    const out = resultOf<{ path: string; versions: Version[] }>(
      await fresh(['versions', 'docs', 'notes.txt', '--json']),
    );
    expect(out.path).toBe('notes.txt');
    const v = out.versions;
    expect(v.map((x) => [x.sha256, x.size, x.snapshots, x.snapshotId])).toEqual([
      [sha(NOTES[0]!), NOTES[0]!.length, 2, snapIds[3]],
      [sha(NOTES[2]!), NOTES[2]!.length, 1, snapIds[2]],
      [sha(NOTES[1]!), NOTES[1]!.length, 1, snapIds[1]],
    ]);
    expect(v.every((x) => x.destination === 'recovered')).toBe(true);
    const time = (id: string) =>
      Date.parse(
        id.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)/, '$1-$2-$3T$4:$5:$6').replace(/-[0-9a-f]{8}$/, ''),
      );
    expect(v[0]).toMatchObject({ firstSeen: time(snapIds[0]!), lastSeen: time(snapIds[3]!) });
    expect(v[0]!.mtime).toBe(Date.parse('2026-01-02T03:04:05Z'));
    expect(v[2]).toMatchObject({ firstSeen: time(snapIds[1]!), lastSeen: time(snapIds[1]!) });

    // The same with the file's absolute path, from the cache, and as a table.
    const again = resultOf<{ versions: Version[] }>(
      await fresh(['versions', 'docs', join(src, 'notes.txt'), '--dest', 'recovered', '--json']),
    );
    expect(again.versions).toEqual(v);
    const table = await fresh(['versions', 'docs', '/notes.txt']);
    expect(table).toContain(sha(NOTES[2]!).slice(0, 12));
    expect(table).toContain(snapIds[2]);
    expect(table).toContain('2 snapshots');

    // A file that never changed has one version; one added later has one version from then on.
    const same = resultOf<{ versions: Version[] }>(await fresh(['versions', 'docs', 'unchanged.txt', '--json']));
    expect(same.versions).toMatchObject([{ snapshots: 4, snapshotId: snapIds[3] }]);
    const deleted = resultOf<{ versions: Version[] }>(await fresh(['versions', 'docs', 'report/summary.md', '--json']));
    expect(deleted.versions).toMatchObject([{ snapshots: 2, snapshotId: snapIds[1], sha256: sha('# Summary\n') }]);

    // The bucket's series is not set up here, but its name still finds its versions.
    const media = resultOf<{ versions: Version[] }>(await fresh(['versions', 'media', 'photo.jpg', '--json']));
    expect(media.versions).toMatchObject([{ size: 40_000, sha256: sha(bytes(40_000, 9)), snapshots: 1 }]);

    const missing = await runCli(['versions', 'docs', 'nope.txt'], { home: newHome, env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no snapshot of 'docs' holds a file 'nope.txt'");
  });

  it('restores the latest snapshot byte for byte, and an older version of one file', async () => {
    const out = join(work, 'restored');
    await fresh(['restore', 'recovered', 'latest', '--source', 'docs', '--to', out]);
    expect(diffTrees(await treeState(src), await treeState(out))).toEqual([]);

    const older = join(work, 'older');
    await fresh(['restore', 'recovered', snapIds[1]!, '--path', 'notes.txt', '--to', older]);
    expect((await treeState(older)).get('notes.txt')).toBe(`file:${NOTES[1]!.length}:${sha(NOTES[1]!)}`);
  });

  it('backs up again sending nothing, and a second repair changes nothing', async () => {
    const r = resultOf<{
      status: string;
      results: { sourceName: string; filesTotal: number; filesUploaded: number; snapshotId: string }[];
    }>(await fresh(['backup', '--json']));
    expect(r.status).toBe('ok');
    expect(r.results).toEqual([expect.objectContaining({ sourceName: 'docs', filesTotal: 4, filesUploaded: 0 })]);

    const before = await fresh(['policy', 'list', '--json']);
    const second = resultOf<{ report: RepairReport }>(await fresh(['repair-index', '--json'])).report;
    expect(second.sources.find((s) => s.sourceName === 'docs')).toMatchObject({ status: 'present', snapshots: 5 });
    expect(second.sources.find((s) => s.sourceName === 'media')).toMatchObject({ status: 'needs-credentials' });
    expect(second.synced).toEqual([
      expect.objectContaining({ source: 'docs', snapshotId: r.results[0]!.snapshotId, rebuilt: false, error: null }),
    ]);
    expect(await fresh(['policy', 'list', '--json'])).toBe(before);

    const human = await fresh(['repair-index']);
    expect(human).toContain('(already up to date)');
    expect(human).toContain(`add it again with --id ${mediaId}`);
  });
});
