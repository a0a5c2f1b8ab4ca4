/**
 * The restore wizard's API over a real engine (real files, SQLite, a local destination and a bucket
 * on s3rver): browsing a snapshot, live counts, the dry run with each conflict rule and every filter,
 * targets (original place, Google Drive refused with the reason), a restore run with its report,
 * cancel then resume, a tampered manifest refused, and a restore into a bucket (a named one, and one given
 * only by its settings and secret, which is kept nowhere).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventName, MethodName, OutputOf } from '../../shared/api/contract.js';
import { Engine } from '../../electron/engine/engine.js';
import { MemoryStore } from '../../electron/engine/secrets/memory-store.js';
import { StrataService } from '../../electron/engine/service.js';
import type { BucketSourceDraft } from '../../shared/api/entities.js';
import { S3RVER_CREDENTIALS, s3DestinationConfig, startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { bytes, diffTrees, put, treeState } from '../support/tree.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 10);

describe('the restore wizard API', () => {
  let work: string;
  let src: string;
  let engine: Engine;
  let service: StrataService;
  let s3: S3rverHarness;
  let snapshotId: string;
  const events: { event: EventName; data: unknown }[] = [];

  async function call<M extends MethodName>(method: M, input: unknown = {}): Promise<OutputOf<M>> {
    const reply = await service.handle(method, input);
    if (!reply.ok)
      throw new Error(`${method}: ${reply.error.message}${reply.error.hint ? ` (${reply.error.hint})` : ''}`);
    return reply.result as OutputOf<M>;
  }

  async function finished(runId: number, timeout = 60_000): Promise<{ status: string; error: string | null }> {
    const start = Date.now();
    for (;;) {
      const hit = events.find((e) => e.event === 'run.finished' && (e.data as { runId: number }).runId === runId);
      if (hit) return hit.data as { status: string; error: string | null };
      if (Date.now() - start > timeout) throw new Error(`run ${runId} did not finish`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const base = (extra: Record<string, unknown> = {}) => ({ destination: 'disk', snapshot: snapshotId, ...extra });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-restore-wizard-'));
    src = join(work, 'src');
    await put(src, 'docs/report.pdf', 'report v1\n');
    await put(src, 'docs/notes/monday.md', '# Monday\n');
    await put(src, 'docs/notes/tuesday.md', '# Tuesday\n');
    await put(src, 'photos/2025/lake.jpg', bytes(200_000, 1));
    await put(src, 'photos/2025/LAKE-night.JPG', bytes(150_000, 2));
    await put(src, 'photos/2026/snow.png', bytes(120_000, 3));
    await put(src, 'big/video.bin', bytes(12_000_000, 4));
    await put(src, 'readme.txt', 'top\n');
    // Modification times a date filter can tell apart: photos/2025 early, the rest later.
    const at = (rel: string, ms: number) => utimes(join(src, rel), new Date(ms), new Date(ms));
    await at('photos/2025/lake.jpg', T0);
    await at('photos/2025/LAKE-night.JPG', T0 + DAY);
    await at('photos/2026/snow.png', T0 + 10 * DAY);
    await at('docs/report.pdf', T0 + 20 * DAY);
    s3 = await startS3rver(['recovery']);
    engine = Engine.open({ home: join(work, 'home'), secrets: new MemoryStore() });
    service = new StrataService(engine, { host: 'headless', statusIntervalMs: 50 });
    service.subscribe((event, data) => events.push({ event, data }));
    await call('sources.add', { name: 'files', path: src });
    await call('destinations.add', { name: 'disk', settings: { kind: 'local', path: join(work, 'disk') } });
    await call('destinations.add', {
      name: 'bucket',
      settings: { ...s3.config('recovery'), secretAccessKey: 'S3RVER' },
    });
    await call('policies.select', { source: 'files', path: '', destination: 'disk', include: true });
    const { runId } = await call('runs.start', { destinations: ['disk'] });
    expect((await finished(runId)).status).toBe('ok');
    snapshotId = (await call('snapshots.list', { destination: 'disk' }))[0]!.snapshotId;
  });

  afterAll(async () => {
    await service?.shutdown();
    engine?.close();
    await s3?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('browses a snapshot one folder at a time, folders first, with totals below each folder', async () => {
    const root = await call('snapshots.browse', { ...base(), folder: '' });
    expect(root.snapshotId).toBe(snapshotId);
    expect(root.entries.map((e) => e.name)).toEqual(['big', 'docs', 'photos', 'readme.txt']);
    expect(root.self).toEqual({ files: 8, bytes: expect.any(Number) });
    const photos = root.entries.find((e) => e.name === 'photos')!;
    expect(photos).toMatchObject({ type: 'dir', files: 3, bytes: 470_000 });
    const page = await call('snapshots.browse', { ...base(), folder: 'photos/2025', offset: 1, limit: 1 });
    expect(page.total).toBe(2);
    expect(page.entries).toHaveLength(1);
    // 'latest' names the same snapshot (one source on this destination).
    expect((await call('snapshots.browse', { ...base(), snapshot: 'latest', folder: '' })).snapshotId).toBe(snapshotId);
  });

  it('counts a selection live: ticked folders and files, unticked ones below, and every filter', async () => {
    const count = (extra: Record<string, unknown>) => call('restore.count', base(extra));
    expect(await count({})).toEqual({ files: 8, bytes: expect.any(Number) });
    expect(await count({ paths: ['photos', 'docs/report.pdf'] })).toEqual({ files: 4, bytes: 470_010 });
    expect(await count({ paths: ['photos'], exclude: ['photos/2025/lake.jpg'] })).toEqual({
      files: 2,
      bytes: 270_000,
    });
    expect((await count({ filter: { extensions: ['.jpg'] } })).files).toBe(2);
    expect((await count({ filter: { nameContains: 'lake' } })).files).toBe(2);
    expect((await count({ filter: { pathPrefix: 'docs/notes' } })).files).toBe(2);
    expect((await count({ filter: { since: T0 + DAY, until: T0 + 10 * DAY } })).files).toBe(2);
    expect((await count({ paths: ['photos'], filter: { nameContains: 'LAKE', extensions: ['jpg'] } })).files).toBe(2);
  });

  it('dry-runs each conflict rule: write, skip, overwrite, keep both (with the new name), already there', async () => {
    const to = join(work, 'dry');
    await put(to, 'docs/report.pdf', 'my edited report\n');
    await put(to, 'readme.txt', 'top\n');
    // The same content and time as in the snapshot: already there.
    const { mtimeMs } = await import('node:fs').then((fs) => fs.statSync(join(src, 'readme.txt')));
    await utimes(join(to, 'readme.txt'), new Date(mtimeMs), new Date(mtimeMs));
    await put(to, 'docs/report (restored 1).pdf', 'an earlier keep-both copy\n');
    const preview = (conflict: string) =>
      call('restore.preview', base({ paths: ['docs', 'readme.txt'], target: { kind: 'folder', path: to }, conflict }));
    const actions = (p: OutputOf<'restore.preview'>) => Object.fromEntries(p.items.map((i) => [i.path, i.action]));

    const skip = await preview('skip');
    expect(actions(skip)).toEqual({
      'docs/report.pdf': 'skip',
      'docs/notes/monday.md': 'write',
      'docs/notes/tuesday.md': 'write',
      'readme.txt': 'identical',
    });
    expect(skip.counts).toEqual({ write: 2, skip: 1, overwrite: 0, keepBoth: 0, identical: 1 });
    expect(skip.egressBytes).toBe(19);
    expect(skip.target).toEqual({ kind: 'folder', label: to });

    const over = await preview('overwrite');
    expect(actions(over)['docs/report.pdf']).toBe('overwrite');
    expect(over.egressBytes).toBe(29);

    const both = await preview('keep-both');
    const report = both.items.find((i) => i.path === 'docs/report.pdf')!;
    expect(report).toMatchObject({ action: 'keep-both', renamedTo: 'docs/report (restored 2).pdf' });
    // Nothing was written by any dry run.
    expect((await readdir(join(to, 'docs'))).sort()).toEqual(['report (restored 1).pdf', 'report.pdf']);
  });

  it('caps the dry-run list but counts everything, and estimates time from measured throughput', async () => {
    const to = join(work, 'dry-all');
    const p = await call('restore.preview', base({ target: { kind: 'folder', path: to } }));
    expect(p.files).toBe(8);
    expect(p.items).toHaveLength(8);
    expect(p.itemsTruncated).toBe(false);
    // The backup sent 12 MB to this destination: its speed is the estimate until a restore is measured.
    expect(p.throughput?.basis).toBe('backups');
    expect(p.estimatedSeconds).toBeGreaterThanOrEqual(0);
  });

  it('offers the original folder of a local source, and explains why a Drive cannot be written', async () => {
    const t = await call('restore.targets', base());
    expect(t.original).toEqual({ available: true, kind: 'folder', label: src });
    expect(t.buckets).toEqual([{ name: 'bucket', kind: 'destination', label: 'recovery' }]);
    // A brand-new machine with a Drive source adopting this series: its original place is Drive.
    const other = Engine.open({ home: join(work, 'home-drive'), secrets: new MemoryStore() });
    const svc = new StrataService(other, { host: 'headless' });
    try {
      const sourceId = (await call('snapshots.list', { destination: 'disk' }))[0]!.sourceId;
      other.catalog.addSource('drive', { kind: 'gdrive', clientId: 'client' }, sourceId);
      await other.addLocalDestination('disk', join(work, 'disk'));
      const reply = await svc.handle('restore.targets', base());
      expect(reply.ok).toBe(true);
      const targets = (reply as { result: OutputOf<'restore.targets'> }).result;
      expect(targets.original.available).toBe(false);
      expect(targets.original.reason).toMatch(/read-only access/);
      const refused = await svc.handle('restore.preview', base({ target: { kind: 'original' } }));
      expect(refused.ok).toBe(false);
    } finally {
      other.close();
    }
  });

  it('restores ticked paths as a run: progress, a report with every file verified, and the bytes exact', async () => {
    const to = join(work, 'restored');
    const { runId } = await call(
      'restore.start',
      base({ paths: ['photos', 'docs/notes'], exclude: ['photos/2026'], target: { kind: 'folder', path: to } }),
    );
    expect((await finished(runId)).status).toBe('ok');
    const report = await call('restore.report', { runId });
    expect(report).toMatchObject({
      status: 'ok',
      destination: 'disk',
      snapshotId,
      target: { kind: 'folder', label: to },
      files: 4,
      verified: 4,
      failed: 0,
      failures: [],
      stopped: null,
    });
    const got = await treeState(to);
    const want = await treeState(src);
    for (const p of ['photos/2025/lake.jpg', 'photos/2025/LAKE-night.JPG', 'docs/notes/monday.md']) {
      expect(got.get(p)).toBe(want.get(p));
    }
    expect(got.has('photos/2026/snow.png')).toBe(false);
    expect(got.has('readme.txt')).toBe(false);
    const runs = await call('runs.list', { limit: 1 });
    expect(runs[0]).toMatchObject({ id: runId, trigger: 'restore', status: 'ok' });
    expect(events.some((e) => e.event === 'run.started' && (e.data as { trigger: string }).trigger === 'restore')).toBe(
      true,
    );
  });

  it('cancels a restore mid-way; the same restore again continues and ends with the whole tree', async () => {
    const to = join(work, 'cancelled');
    const { runId } = await call('restore.start', base({ target: { kind: 'folder', path: to } }));
    expect((await service.handle('restore.start', base({ target: { kind: 'folder', path: to } }))).ok).toBe(false);
    await call('runs.cancel');
    const end = await finished(runId);
    expect(['cancelled', 'ok']).toContain(end.status);
    const { runId: again } = await call('restore.start', base({ target: { kind: 'folder', path: to } }));
    expect((await finished(again)).status).toBe('ok');
    const report = await call('restore.report', { runId: again });
    expect(report.verified).toBe(8);
    expect(report.files + report.identical).toBe(8);
    expect(diffTrees(await treeState(src), await treeState(to))).toEqual([]);
    // A restore measured now: the estimate uses it.
    const p = await call('restore.preview', base({ target: { kind: 'folder', path: join(work, 'x') } }));
    expect(p.throughput?.basis).toBe('restores');
  });

  it('never writes through a link planted in the target that leads outside it', async () => {
    const to = join(work, 'planted');
    const outside = join(work, 'outside');
    await mkdir(to, { recursive: true });
    await mkdir(outside, { recursive: true });
    await symlink(outside, join(to, 'docs'));
    const { runId } = await call(
      'restore.start',
      base({ paths: ['docs'], target: { kind: 'folder', path: to }, conflict: 'overwrite' }),
    );
    expect((await finished(runId)).status).toBe('failed');
    const report = await call('restore.report', { runId });
    expect(report.failed).toBeGreaterThan(0);
    expect(report.failures[0]!.error).toMatch(/links outside the restore folder/);
    expect(await readdir(outside)).toEqual([]);
  });

  it('never writes through a link planted deeper, inside a real folder of the target', async () => {
    const to = join(work, 'planted-deep');
    const outside = join(work, 'outside-deep');
    await mkdir(join(to, 'docs'), { recursive: true });
    await mkdir(outside, { recursive: true });
    await symlink(outside, join(to, 'docs', 'notes'));
    const { runId } = await call(
      'restore.start',
      base({ paths: ['docs'], target: { kind: 'folder', path: to }, conflict: 'overwrite' }),
    );
    expect((await finished(runId)).status).toBe('partial');
    const report = await call('restore.report', { runId });
    // Both notes refused; the report beside them restored.
    expect(report.failures.map((f) => f.path).sort()).toEqual(['docs/notes/monday.md', 'docs/notes/tuesday.md']);
    for (const f of report.failures) expect(f.error).toMatch(/links outside the restore folder/);
    expect(await readFile(join(to, 'docs/report.pdf'), 'utf8')).toBe('report v1\n');
    expect(await readdir(outside)).toEqual([]);
  });

  it('restores into a bucket under a prefix; run again, every object is recognised as already there', async () => {
    const target = { kind: 'bucket', bucket: 'bucket', prefix: 'recovered' };
    expect((await service.handle('restore.preview', base({ target, conflict: 'keep-both' }))).ok).toBe(false);
    const { runId } = await call('restore.start', base({ paths: ['photos'], target }));
    expect((await finished(runId)).status).toBe('ok');
    expect(await call('restore.report', { runId })).toMatchObject({ files: 3, verified: 3, failed: 0 });
    const stored = join(s3.directory, 'recovery', 'recovered', 'photos', '2025');
    const names = (await readdir(stored)).filter((n) => !n.startsWith('.'));
    expect(names.length).toBeGreaterThan(0);
    const bucket = await engine.openBucket('bucket');
    try {
      const body = await bucket.get('recovered/photos/2025/lake.jpg');
      const h = createHash('sha256');
      for await (const c of body) h.update(c as Buffer);
      expect(h.digest('hex')).toBe(
        createHash('sha256')
          .update(await readFile(join(src, 'photos/2025/lake.jpg')))
          .digest('hex'),
      );
    } finally {
      await bucket.close();
    }
    const p = await call('restore.preview', base({ paths: ['photos'], target }));
    expect(p.counts.identical).toBe(3);
    const { runId: again } = await call('restore.start', base({ paths: ['photos'], target, conflict: 'overwrite' }));
    expect((await finished(again)).status).toBe('ok');
    expect(await call('restore.report', { runId: again })).toMatchObject({ files: 0, identical: 3, verified: 3 });
  });

  it('restores into a bucket given only by its settings and secret, keeping the secret nowhere', async () => {
    const secret = 'one-time-secret-7Qx93kLm';
    await s3.createBucket('elsewhere');
    const { kind: _kind, ...config } = s3DestinationConfig(s3.endpoint, 'elsewhere');
    const settings: BucketSourceDraft = {
      ...config,
      accessKeyId: S3RVER_CREDENTIALS.accessKeyId,
      secretAccessKey: secret,
    };
    const saved = vi.spyOn(MemoryStore.prototype, 'set');
    try {
      const target = { kind: 'newBucket', settings, prefix: 'restored' };
      // No "keep both" in a bucket; a bucket that does not exist is the S3 error, before anything runs.
      expect((await service.handle('restore.preview', base({ target, conflict: 'keep-both' }))).ok).toBe(false);
      const missing = { ...target, settings: { ...settings, bucket: 'no-such-bucket' } };
      for (const method of ['restore.preview', 'restore.start'] as const) {
        const reply = await service.handle(method, base({ paths: ['docs'], target: missing }));
        expect(reply.ok).toBe(false);
        expect(reply).toMatchObject({ ok: false, error: { code: 'bucket-missing' } });
        expect((reply as { error: { message: string } }).error.message).toMatch(/no-such-bucket.*does not exist/);
        expect(JSON.stringify(reply)).not.toContain(secret);
      }
      const p = await call('restore.preview', base({ paths: ['docs'], target }));
      expect(p.target).toEqual({ kind: 'bucket', label: 'bucket elsewhere/restored' });
      expect(p.counts.write).toBe(3);
      const { runId } = await call('restore.start', base({ paths: ['docs'], target }));
      expect((await finished(runId)).status).toBe('ok');
      const report = await call('restore.report', { runId });
      expect(report).toMatchObject({ files: 3, verified: 3, failed: 0 });
      expect(report.target).toEqual({ kind: 'bucket', label: 'bucket elsewhere/restored' });
      expect(JSON.stringify(report)).not.toContain(secret);

      const bucket = await engine.openBucket(settings);
      try {
        for (const rel of ['docs/report.pdf', 'docs/notes/monday.md', 'docs/notes/tuesday.md']) {
          const chunks: Buffer[] = [];
          for await (const c of await bucket.get(`restored/${rel}`)) chunks.push(c as Buffer);
          expect(Buffer.concat(chunks).equals(await readFile(join(src, rel)))).toBe(true);
        }
      } finally {
        await bucket.close();
      }

      // Nothing of it was kept: not in the database (nor its journal, nor any other file of the home), not as a secret.
      expect(saved).not.toHaveBeenCalled();
      expect(await call('destinations.list')).toHaveLength(2);
      expect((await call('sources.list')).map((x) => x.name)).toEqual(['files']);
      const home = join(work, 'home');
      expect(existsSync(join(home, 'strata.db'))).toBe(true);
      const files = (await readdir(home, { recursive: true, withFileTypes: true })).filter((d) => d.isFile());
      for (const f of files) {
        const data = await readFile(join(f.parentPath, f.name));
        expect(data.includes(Buffer.from(secret)), join(f.parentPath, f.name)).toBe(false);
      }
    } finally {
      saved.mockRestore();
    }
  });

  it('refuses a tampered manifest whose entry would leave the restore folder, writing nothing', async () => {
    const home = join(work, 'home-tamper');
    const disk = join(work, 'disk-tamper');
    const e2 = Engine.open({ home, secrets: new MemoryStore() });
    const svc = new StrataService(e2, { host: 'headless' });
    try {
      await e2.addLocalSource('files', src);
      await e2.addLocalDestination('d', disk);
      e2.setPolicy('files', '/', ['d']);
      expect((await e2.backup()).status).toBe('ok');
      const dir = join(disk, 'snapshots', (await readdir(join(disk, 'snapshots')))[0]!);
      const file = join(dir, (await readdir(dir))[0]!);
      await rewriteManifest(file, (entries) => {
        entries.find((x) => x.type === 'file')!.path = '../../escaped.txt';
      });
      const to = join(work, 'tamper-to');
      for (const [method, input] of [
        ['snapshots.browse', { destination: 'd', snapshot: 'latest', folder: '' }],
        ['restore.start', { destination: 'd', snapshot: 'latest', target: { kind: 'folder', path: to } }],
      ] as const) {
        const reply = await svc.handle(method, input);
        expect(reply.ok).toBe(false);
        expect((reply as { error: { message: string } }).error.message).toMatch(/would escape the restore folder/);
      }
      expect(existsSync(join(work, 'escaped.txt'))).toBe(false);
      expect(existsSync(to)).toBe(false);
    } finally {
      e2.close();
    }
  });
});

/** Edits a manifest's entries and re-signs its digest, as an attacker with write access would. */
async function rewriteManifest(file: string, edit: (entries: Record<string, unknown>[]) => void): Promise<void> {
  const lines = gunzipSync(await readFile(file))
    .toString('utf8')
    .split('\n')
    .filter(Boolean);
  const entries = lines
    .slice(1, -1)
    .map((l) => JSON.parse(l.endsWith(',') ? l.slice(0, -1) : l) as Record<string, unknown>);
  edit(entries);
  const entryLines = entries.map((e) => JSON.stringify(e));
  const summary = (JSON.parse(`{${lines.at(-1)!.slice(2)}`) as { summary: Record<string, unknown> }).summary;
  const h = createHash('sha256');
  for (const l of entryLines) h.update(l).update('\n');
  summary.entriesSha256 = h.digest('hex');
  summary.entries = entries.length;
  await writeFile(file, gzipSync(`${lines[0]}\n${entryLines.join(',\n')}\n],"summary":${JSON.stringify(summary)}}\n`));
}
