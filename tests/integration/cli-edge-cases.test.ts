import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOk, resultOf, runCli, startCli, s3DestArgs } from '../support/cli.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../support/fault-proxy.js';
import { startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { bytes, diffTrees, put, treeState, type TreeState } from '../support/tree.js';

let work: string;
let s3: S3rverHarness;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'strata-edge-'));
  s3 = await startS3rver(['strata-edge']);
});

afterAll(async () => {
  await s3.stop();
  await rm(work, { recursive: true, force: true });
});

interface Snap {
  snapshotId: string;
}

async function restoreAll(home: string, label: string, expected: TreeState[]): Promise<void> {
  const snaps = resultOf<{ snapshots: Snap[] }>(await cliOk(['snapshots', '--json'], { home })).snapshots;
  expect(snaps).toHaveLength(expected.length);
  for (const [i, s] of snaps.entries()) {
    const to = join(work, label, `restore-${i}`);
    await cliOk(['restore', 'dst', s.snapshotId, '--to', to], { home });
    expect(diffTrees(expected[i]!, await treeState(to))).toEqual([]);
  }
}

describe.each(['local', 's3'] as const)('paths that change type, to a %s destination', (kind) => {
  it('keeps every snapshot restorable when files become folders, folders become files and links', async () => {
    const base = join(work, `types-${kind}`);
    const home = join(base, 'home');
    const src = join(base, 'src');
    await put(src, 'thing', 'a file first\n');
    await put(src, 'box/inner.txt', 'inside a folder\n');
    await put(src, 'box/deeper/more.txt', 'deeper\n');
    await put(src, 'pointer', 'a file that becomes a link\n');
    await cliOk(['source', 'add', 'local', 'docs', src], { home });
    if (kind === 'local') await cliOk(['dest', 'add', 'local', 'dst', join(base, 'dest')], { home });
    else {
      await cliOk(s3DestArgs('dst', s3.endpoint, 'strata-edge', 'types'), {
        home,
        env: { STRATA_SECRET_ACCESS_KEY: 'S3RVER' },
      });
    }
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'dst'], { home });
    await cliOk(['backup'], { home });
    const states = [await treeState(src)];

    await rm(join(src, 'thing'));
    await put(src, 'thing/now-a-folder.txt', 'thing is a folder now\n');
    await rm(join(src, 'box'), { recursive: true });
    await writeFile(join(src, 'box'), 'box is a file now\n');
    await rm(join(src, 'pointer'));
    await symlink('box', join(src, 'pointer'));
    const out = resultOf<{ status: string }>(await cliOk(['backup', '--json'], { home }));
    expect(out.status).toBe('ok');
    states.push(await treeState(src));

    await rm(join(src, 'thing'), { recursive: true });
    await mkdir(join(src, 'thing'));
    await writeFile(join(src, 'thing', 'again.txt'), 'again\n');
    await cliOk(['backup'], { home });
    states.push(await treeState(src));
    await restoreAll(home, `types-${kind}`, states);
  });
});

describe('a whole backup through a flaky network', () => {
  let proxy: FaultProxy;

  beforeAll(async () => {
    proxy = await startFaultProxy({ target: s3.endpoint });
  });

  afterAll(async () => {
    await proxy.stop();
  });

  it('retries throttling, server errors and resets, and loses nothing', async () => {
    const base = join(work, 'flaky');
    const home = join(base, 'home');
    const src = join(base, 'src');
    for (let i = 0; i < 150; i++) await put(src, `docs/f${i}.txt`, `file ${i}\n`);
    await put(src, 'big.bin', bytes(20 * 1024 * 1024, 5));
    await cliOk(['source', 'add', 'local', 'docs', src], { home });
    await cliOk(s3DestArgs('dst', proxy.endpoint, 'strata-edge', 'flaky'), {
      home,
      env: { STRATA_SECRET_ACCESS_KEY: 'S3RVER' },
    });
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'dst'], { home });
    // One fault per object, so a request meets at most one of them (retries of it pass).
    const putOf = (name: string) => (r: { method: string; path: string }) =>
      r.method === 'PUT' && r.path.endsWith(`/${name}`);
    const faults: Fault[] = [
      ...Array.from({ length: 4 }, (): Fault => ({ kind: 'slowdown', retryAfterSeconds: 1 })),
      ...Array.from({ length: 4 }, (): Fault => ({ kind: 'throttle' })),
      ...Array.from({ length: 3 }, (): Fault => ({ kind: 'server-error' })),
      ...Array.from({ length: 2 }, (): Fault => ({ kind: 'reset-request', afterBytes: 3 })),
    ];
    proxy.inject(...faults.map((fault, i) => ({ fault, when: putOf(`f${i}.txt`) })));
    const out = resultOf<{ status: string }>(await cliOk(['backup', '--json'], { home }));
    expect(out.status).toBe('ok');
    expect(proxy.faults()).toBe(13);
    expect(proxy.pending()).toBe(0);

    proxy.inject(
      ...[1, 2, 3].map((i) => ({
        fault: { kind: 'reset-response', afterBytes: 3 } as Fault,
        when: (r: { method: string; path: string }) => r.method === 'GET' && r.path.endsWith(`/f${i}.txt`),
      })),
      {
        fault: { kind: 'reset-response', afterBytes: 5_000_000 },
        when: (r) => r.method === 'GET' && r.path.endsWith('/big.bin'),
      },
    );
    const to = join(base, 'restored');
    await cliOk(['restore', 'dst', 'latest', '--to', to], { home });
    expect(proxy.faults('reset-response')).toBe(4);
    expect(diffTrees(await treeState(src), await treeState(to))).toEqual([]);
  });
});

describe('one backup at a time', () => {
  it('refuses a second backup of the same data folder while one runs', async () => {
    const base = join(work, 'busy');
    const home = join(base, 'home');
    const src = join(base, 'src');
    for (let i = 0; i < 8; i++) await put(src, `big${i}.bin`, bytes(48 * 1024 * 1024, 40 + i));
    await cliOk(['source', 'add', 'local', 'docs', src], { home });
    await cliOk(['dest', 'add', 'local', 'dst', join(base, 'dest')], { home });
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'dst'], { home });
    const first = startCli(['backup', '--json'], { home });
    let out = '';
    first.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    first.stderr!.resume();
    const exited = new Promise<number>((resolve) => first.on('close', (code) => resolve(code ?? -1)));
    // Wait for the first progress line: the run holds the lock by then.
    while (!out.includes('"type":"progress"')) await new Promise((r) => setTimeout(r, 20));
    const second = await runCli(['backup'], { home });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('another backup is running');
    expect(await exited).toBe(0);
    const st = resultOf<{ runs: { status: string }[] }>(await cliOk(['status', '--json'], { home }));
    expect(st.runs.map((r) => r.status)).toEqual(['ok']);
  });
});

describe('a source name already used on the destination', () => {
  it('refuses a second series of the same name and lets a new machine continue the first', async () => {
    const base = join(work, 'series');
    const disk = join(base, 'disk');
    const oldHome = join(base, 'old-home');
    const oldSrc = join(base, 'old-src');
    await put(oldSrc, 'notes.txt', 'from the old machine\n');
    await cliOk(['source', 'add', 'local', 'docs', oldSrc], { home: oldHome });
    await cliOk(['dest', 'add', 'local', 'dst', disk], { home: oldHome });
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'dst'], { home: oldHome });
    await cliOk(['backup'], { home: oldHome });
    const [first] = resultOf<{ snapshots: { sourceId: string; snapshotId: string }[] }>(
      await cliOk(['snapshots', '--json'], { home: oldHome }),
    ).snapshots;

    const newHome = join(base, 'new-home');
    const newSrc = join(base, 'new-src');
    await put(newSrc, 'notes.txt', 'from the new machine\n');
    await cliOk(['source', 'add', 'local', 'docs', newSrc], { home: newHome });
    await cliOk(['dest', 'add', 'local', 'dst', disk], { home: newHome });
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'dst'], { home: newHome });
    const clash = await runCli(['backup', '--json'], { home: newHome });
    expect(clash.code).toBe(1);
    const out = resultOf<{ results: { error: string }[] }>(clash.stdout);
    expect(out.results[0]!.error).toContain(`another source named 'docs' (series ${first!.sourceId})`);
    expect(out.results[0]!.error).toContain(`--id ${first!.sourceId}`);

    await cliOk(['source', 'remove', 'docs'], { home: newHome });
    await cliOk(['source', 'add', 'local', 'docs', newSrc, '--id', first!.sourceId], { home: newHome });
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'dst'], { home: newHome });
    await cliOk(['backup'], { home: newHome });
    const snaps = resultOf<{ snapshots: { sourceId: string; snapshotId: string }[] }>(
      await cliOk(['snapshots', '--json'], { home: newHome }),
    ).snapshots;
    expect(snaps.map((s) => s.sourceId)).toEqual([first!.sourceId, first!.sourceId]);
    // The old machine's version is still restorable from the first snapshot.
    const to = join(base, 'restore-old');
    await cliOk(['restore', 'dst', first!.snapshotId, '--to', to], { home: newHome });
    expect(diffTrees(await treeState(oldSrc), await treeState(to))).toEqual([]);
  });
});
