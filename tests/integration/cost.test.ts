/**
 * Cost estimates from real stored sizes: s3rver through the AWS SDK and a local disk, with the
 * CLI driven through its process. The first backup counts each destination by listing it (the
 * figures match a listing of the bucket made here); later runs carry the count forward with
 * their uploads and prunes with what they freed; `--measure` counts again; overrides price a
 * self-hosted server; retention shorter than a minimum storage duration is charged and warned;
 * a what-if counts folders never backed up; a restore preview says what the restore costs.
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CostOverview } from '../../shared/api/cost.js';
import type { MethodName, OutputOf } from '../../shared/api/contract.js';
import { Engine } from '../../electron/engine/engine.js';
import { StrataService } from '../../electron/engine/service.js';
import { cliEnv, cliOk, resultOf, runCli } from '../support/cli.js';
import { s3DestinationConfig, S3RVER_CREDENTIALS, startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { bytes, put } from '../support/tree.js';

const BUCKET = 'cost-figures';
/** Self-hosted servers are priced in decimal GB, as the app shows sizes. */
const GB = 1e9;

describe('cost estimates', () => {
  let s3: S3rverHarness;
  let client: S3Client;
  let work: string;
  let src: string;
  let home: string;
  let engine: Engine;
  let service: StrataService;

  async function call<M extends MethodName>(method: M, input: unknown = {}): Promise<OutputOf<M>> {
    const reply = await service.handle(method, input);
    if (!reply.ok) throw new Error(`${method}: ${reply.error.message}`);
    return reply.result as OutputOf<M>;
  }
  const cli = (args: string[]) => runCli(args, { home });
  const ok = (args: string[]) => cliOk(args, { home });
  const cloud = (o: CostOverview) => o.destinations.find((d) => d.destination === 'cloud')!;

  /** What the bucket holds under Strata's prefix, listed here with the SDK. */
  async function listed(): Promise<{ bytes: number; objects: number }> {
    let token: string | undefined;
    const out = { bytes: 0, objects: 0 };
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'strata/', ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        out.bytes += o.Size ?? 0;
        out.objects++;
      }
      token = page.NextContinuationToken;
    } while (token);
    return out;
  }

  beforeAll(async () => {
    s3 = await startS3rver([BUCKET]);
    client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
    });
    work = await mkdtemp(join(tmpdir(), 'strata-cost-'));
    src = join(work, 'docs');
    await put(src, 'big.bin', bytes(3_000_000, 1));
    await put(src, 'sub/mid.bin', bytes(200_000, 2));
    for (let i = 0; i < 30; i++) await put(src, `small/s${i}.txt`, bytes(1000, 10 + i));
    await put(work, 'photos/2024/a.jpg', bytes(123_456, 3));
    await put(work, 'photos/2025/b.jpg', bytes(654_321, 4));
    home = join(work, 'home');
    engine = Engine.open({ home, env: cliEnv({ home }) });
    service = new StrataService(engine, { host: 'headless' });
    await engine.addLocalSource('docs', src);
    await engine.addLocalSource('photos', join(work, 'photos'));
    await engine.addLocalDestination('disk', join(work, 'disk'));
    const { kind: _k, ...s3conf } = s3DestinationConfig(s3.endpoint, BUCKET, 'strata');
    await engine.addS3Destination('cloud', s3conf, S3RVER_CREDENTIALS.secretAccessKey);
    engine.setPolicy('docs', '', ['disk', 'cloud']);
    expect((await engine.backup({})).status).toBe('ok');
  }, 60_000);

  afterAll(async () => {
    engine?.close();
    await s3?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('counts what each destination stores after its first backup, as a listing of the bucket says', async () => {
    const o = await call('cost.get');
    const c = cloud(o);
    expect(c.usage.measured).toBe(true);
    expect({ bytes: c.usage.bytes, objects: c.usage.objects }).toEqual(await listed());
    // 32 files, one manifest, strata.json: 3,230,000 bytes of content and some metadata.
    expect(c.usage.objects).toBe(34);
    expect(c.usage.bytes).toBeGreaterThan(3_230_000);
    // A self-hosted server and a local disk are free until priced.
    expect(c.monthly).toMatchObject({ priceId: 'self-hosted', total: 0 });
    expect(o.destinations.find((d) => d.destination === 'disk')!.monthly).toMatchObject({ priceId: 'local', total: 0 });
    expect(o.total).toBe(0);
    expect(c.history).toHaveLength(1);
    expect(c.history[0]!.bytes).toBe(c.usage.bytes);
  });

  it('prices a self-hosted server from an override given on the command line', async () => {
    await ok(['cost', 'set-price', 'self-hosted', 'storagePerGbMonth', '0.02']);
    const o = resultOf<CostOverview>(await ok(['cost', '--dest', 'cloud', '--json']));
    const c = cloud(o);
    expect(c.monthly.total).toBeCloseTo((c.usage.bytes / GB) * 0.02, 12);
    expect(c.monthly.lines[0]!.label).toMatch(/^Storage: 0\.003 GB × \$0\.02\/GB$/);
    const human = await ok(['cost']);
    expect(human).toMatch(
      /^cloud {2}<\$0\.001\/month {2}\(Self-hosted S3 \(MinIO, other\); 3\.\d MB in 34 objects, counted /m,
    );
    expect(human).toMatch(/^disk {2}\$0\.00\/month/m);
    expect(human).toMatch(/^Total: <\$0\.001\/month \(prices of \d{4}-\d\d-\d\d/m);
    // The table shows the override with its mark, and 'default' goes back.
    expect(await ok(['cost', 'prices'])).toMatch(/^self-hosted +Self-hosted S3 \(MinIO, other\) +0\.02\* /m);

    const negative = await cli(['cost', 'set-price', 'self-hosted', 'storagePerGbMonth', '-1']);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toMatch(/'-1' is not a price for storagePerGbMonth; give a number of 0 or more/);
    const row = await cli(['cost', 'set-price', 'dropbox', 'storagePerGbMonth', '1']);
    expect(row.code).toBe(2);
    expect(row.stderr).toMatch(/no price row 'dropbox'; use one of: aws-standard, .*b2, wasabi, local, self-hosted/);
    const field = await cli(['cost', 'set-price', 'b2', 'price', '1']);
    expect(field.stderr).toMatch(/no price field 'price'; use one of: storagePerGbMonth/);
  });

  it('carries the count forward with each backup, and --measure counts again', async () => {
    const before = cloud(await call('cost.get')).usage;
    await put(src, 'big.bin', bytes(3_000_000, 99));
    const run = await engine.backup({});
    expect(run.status).toBe('ok');
    const uploaded = run.results.find((r) => r.destName === 'cloud')!.bytesUploaded;
    expect(uploaded).toBe(3_000_000);
    const after = cloud(await call('cost.get')).usage;
    expect(after.measured).toBe(false);
    // The upload and one more object for the manifest (the old big.bin moved to history/).
    expect(after.bytes).toBe(before.bytes + 3_000_000);
    expect(after.objects).toBe(before.objects + 2);
    const real = await listed();
    expect(real.objects).toBe(after.objects);
    // Only the manifest's own bytes were not in the run's figures.
    expect(real.bytes - after.bytes).toBeGreaterThan(0);
    expect(real.bytes - after.bytes).toBeLessThan(10_000);

    const measured = cloud(resultOf<CostOverview>(await ok(['cost', '--dest', 'cloud', '--measure', '--json'])));
    expect(measured.usage).toMatchObject({ ...real, measured: true });
  });

  it('charges and warns when retention deletes versions younger than the minimum storage duration', async () => {
    await ok(['cost', 'set-price', 'self-hosted', 'minStorageDays', '30']);
    await ok(['schedule', 'set', 'cloud', '--daily', '02:00']);
    await ok(['retention', 'set', 'cloud', '--keep-last', '2']);
    const c = cloud(await call('cost.get', { destination: 'cloud' }));
    // The second backup's 3 MB of changes, seen within a day, make 90 MB a month of replaced versions.
    expect(c.activity.uploadBytes).toBeCloseTo(3_000_000 * 30, 0);
    expect(c.shortestKeepDays).toBe(2);
    const early = c.monthly.lines.find((l) => l.kind === 'earlyDeletion')!;
    expect(early.amount).toBeCloseTo((c.activity.uploadBytes / GB) * 0.02 * (28 / 30), 12);
    expect(c.monthly.warnings[0]).toMatch(
      /retention deletes replaced versions after about 2 days, but Self-hosted S3 .* bills every object for at least 30 days/,
    );
    await ok(['cost', 'set-price', 'self-hosted', 'minStorageDays', 'default']);
    expect(cloud(await call('cost.get')).monthly.lines.some((l) => l.kind === 'earlyDeletion')).toBe(false);
  });

  it('takes what a prune freed off the estimate', async () => {
    engine.setRetention('cloud', { keepLast: 1 });
    const before = cloud(await call('cost.get')).usage;
    const report = await engine.prune('cloud');
    const freed = report.outcome!;
    expect(freed.snapshotsRemoved).toBe(1);
    const after = cloud(await call('cost.get')).usage;
    expect(after.bytes).toBe(before.bytes - freed.bytesFreed);
    expect(after.objects).toBe(before.objects - freed.objectsDeleted - freed.snapshotsRemoved);
    const m = await call('cost.measure', { destination: 'cloud' });
    expect(m.usage).toMatchObject({ ...(await listed()), measured: true });
  });

  it('compares every provider and class for what a destination stores, marking its own row', async () => {
    const c = resultOf<OutputOf<'cost.compare'>>(await ok(['cost', 'compare', '--dest', 'cloud', '--json']));
    expect(c.basis.label).toBe('what cloud stores now');
    expect(c.rows).toHaveLength(13);
    expect(c.rows.filter((r) => r.current).map((r) => r.priceId)).toEqual(['self-hosted']);
    const monthly = c.rows.map((r) => r.monthly);
    expect(monthly).toEqual([...monthly].sort((a, b) => a - b));
    // A few MB: Wasabi's 1 TB minimum makes it the dearest, and keeping 1 snapshot (the prune
    // above) deletes versions long before its 90 days, which is charged on top.
    const wasabi = c.rows.at(-1)!;
    expect(wasabi.priceId).toBe('wasabi');
    expect(wasabi.monthly).toBeGreaterThan(6.99);
    expect(wasabi.monthly).toBeLessThan(7);
    expect(wasabi.notes.join('\n')).toMatch(/billed for at least 1,024 GiB[^]*bills every object for at least 90 days/);
    expect(c.rows.find((r) => r.priceId === 'aws-deep-archive')!.notes[0]).toMatch(/restore fees; objects thaw/);
    const human = await ok(['cost', 'compare', '--dest', 'cloud']);
    expect(human).toMatch(/^For \d\.\d MB in \d+ objects \(what cloud stores now\):/);
    expect(human).toMatch(/^> +Self-hosted S3/m);
    // A new destination is priced for what the sources back up today.
    const today = await call('cost.compare', { provider: 'b2' });
    expect(today.basis).toMatchObject({ label: 'what your sources back up today', objects: 32, bytes: 3_230_000 });
    expect(today.rows.find((r) => r.current)!.priceId).toBe('b2');
  });

  it('counts a what-if from the source itself, folders never backed up included', async () => {
    const off = await call('cost.whatIf', {
      source: 'docs',
      changes: [{ path: 'sub', destination: 'cloud', include: false }],
    });
    expect(off.destinations).toEqual([expect.objectContaining({ destination: 'cloud', files: -1, bytes: -200_000 })]);
    expect(off.destinations[0]!.after).toBeLessThan(off.destinations[0]!.before);
    expect(off.destinations[0]!.before).toBeCloseTo(cloud(await call('cost.get')).monthly.total, 12);

    // photos was never ticked anywhere, so the index has never seen it.
    const on = await call('cost.whatIf', {
      source: 'photos',
      changes: [
        { path: '', destination: 'cloud', include: true },
        { path: '2025', destination: 'disk', include: true },
      ],
    });
    const by = Object.fromEntries(on.destinations.map((d) => [d.destination, d]));
    expect(by.cloud).toMatchObject({ files: 2, bytes: 777_777 });
    expect(by.cloud!.after - by.cloud!.before).toBeCloseTo((777_777 / GB) * 0.02, 12);
    expect(by.disk).toMatchObject({ files: 1, bytes: 654_321, before: 0, after: 0 });
    // Nothing was saved.
    expect(engine.listPolicies('photos')).toEqual([]);

    const bad = await service.handle('cost.whatIf', {
      source: 'docs',
      changes: [{ path: 'sub', destination: 'nowhere', include: true }],
    });
    expect(bad.ok).toBe(false);
  });

  it('prices a restore in its preview', async () => {
    await ok(['cost', 'set-price', 'self-hosted', 'egressPerGb', '0.05']);
    const snaps = await call('snapshots.list', { destination: 'cloud' });
    const p = await call('restore.preview', {
      destination: 'cloud',
      snapshot: snaps[0]!.snapshotId,
      target: { kind: 'folder', path: join(work, 'restored') },
      conflict: 'skip',
    });
    expect(p.egressBytes).toBe(3_230_000);
    expect(p.cost.priceName).toBe('Self-hosted S3 (MinIO, other)');
    expect(p.cost.total).toBeCloseTo((3_230_000 / GB) * 0.05, 12);
    expect(p.cost.lines[0]!.label).toMatch(/^Egress: 0\.003 GB × \$0\.05\/GB$/);
    const local = await call('restore.preview', {
      destination: 'disk',
      snapshot: (await call('snapshots.list', { destination: 'disk' }))[0]!.snapshotId,
      target: { kind: 'folder', path: join(work, 'restored-2') },
      conflict: 'skip',
    });
    expect(local.cost).toMatchObject({ priceId: 'local', total: 0, lines: [] });
    // The CLI's dry run says it too.
    const dry = await ok(['restore', 'cloud', 'latest', '--source', 'docs', '--to', join(work, 'r3'), '--dry-run']);
    expect(dry).toMatch(/3\.2 MB to download, costing <\$0\.001 at Self-hosted S3 \(MinIO, other\)'s prices/);
    const json = resultOf<{ cost: { total: number } }>(
      await ok(['restore', 'cloud', 'latest', '--source', 'docs', '--to', join(work, 'r3'), '--dry-run', '--json']),
    );
    expect(json.cost.total).toBeCloseTo(p.cost.total, 12);
  });
});
