import { mkdtemp, rm, symlink, mkdir, writeFile, readFile, appendFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOk, resultOf, runCli, s3DestArgs } from '../support/cli.js';
import { startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { bytes, diffTrees, put, treeState, type TreeState } from '../support/tree.js';

const MiB = 1024 * 1024;

interface Snap {
  snapshotId: string;
  sourceName: string;
  files: number;
}

async function buildTree(root: string, smallFiles: number): Promise<void> {
  await put(root, 'notes.txt', 'first version\n');
  await put(root, 'empty.txt', '');
  await put(root, 'ünïcödé/日本語 ファイル.txt', 'unicode content\n');
  await put(root, '📷 photo.jpg', bytes(70_000, 1));
  await put(root, `${'l'.repeat(200)}.txt`, 'long name\n');
  await put(root, `${Array.from({ length: 30 }, (_, i) => `level${i}`).join('/')}/deep.txt`, 'deep\n');
  await put(root, 'big/video.bin', bytes(25 * MiB + 12345, 2));
  await mkdir(join(root, 'empty-dir'), { recursive: true });
  await symlink('notes.txt', join(root, 'link-to-notes'));
  // A name that is not valid UTF-8.
  await writeFile(
    Buffer.concat([Buffer.from(root + '/'), Buffer.from([0x6e, 0xff, 0x2e, 0x74, 0x78, 0x74])]),
    'latin1 name\n',
  );
  for (let i = 0; i < smallFiles; i++) {
    await put(root, `many/d${String(i % 20).padStart(2, '0')}/f${String(i).padStart(4, '0')}.txt`, `small file ${i}\n`);
  }
}

async function changeTree(root: string): Promise<void> {
  await writeFile(join(root, 'notes.txt'), 'second version, longer\n');
  await rm(join(root, 'many/d00/f0000.txt'));
  await put(root, 'new/added.txt', 'added later\n');
  await appendFile(join(root, 'big/video.bin'), 'tail');
}

type Kind = 'local' | 's3';

describe.each<Kind>(['local', 's3'])('backup and restore through the CLI to a %s destination', (kind) => {
  let work: string;
  let s3: S3rverHarness | undefined;
  let home: string;
  let src: string;
  const states: TreeState[] = [];
  let snaps: Snap[] = [];
  const destArgs = (): string[] =>
    kind === 'local'
      ? ['dest', 'add', 'local', 'dst', join(work, 'dest')]
      : s3DestArgs('dst', s3!.endpoint, 'strata-cli', 'laptop');
  const env = { STRATA_SECRET_ACCESS_KEY: 'S3RVER' };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), `strata-cli-${kind}-`));
    home = join(work, 'home');
    src = join(work, 'src');
    if (kind === 's3') {
      s3 = await startS3rver(['strata-cli']);
    }
    await buildTree(src, kind === 's3' ? 2100 : 300);
  });

  afterAll(async () => {
    await s3?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('backs up, backs up changes, and lists both snapshots', async () => {
    await cliOk(['init'], { home });
    await cliOk(['source', 'add', 'local', 'docs', src], { home });
    await cliOk(destArgs(), { home, env });
    const test = await runCli(['dest', 'test', 'dst'], { home });
    expect(test.code, test.stderr).toBe(0);
    expect(test.stdout).toContain('works');
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'dst'], { home });

    const first = resultOf<{ status: string; results: { filesTotal: number; filesUploaded: number }[] }>(
      await cliOk(['backup', '--json'], { home }),
    );
    expect(first.status).toBe('ok');
    expect(first.results[0]!.filesUploaded).toBe(first.results[0]!.filesTotal);
    states.push(await treeState(src));

    // Nothing changed: nothing is sent.
    const again = resultOf<{ results: { filesUploaded: number }[] }>(await cliOk(['backup', '--json'], { home }));
    expect(again.results[0]!.filesUploaded).toBe(0);

    await changeTree(src);
    const second = resultOf<{ status: string; results: { filesUploaded: number; filesDeleted: number }[] }>(
      await cliOk(['backup', '--json'], { home }),
    );
    expect(second.status).toBe('ok');
    expect(second.results[0]!.filesUploaded).toBe(3);
    expect(second.results[0]!.filesDeleted).toBe(1);
    states.push(await treeState(src));

    snaps = resultOf<{ snapshots: Snap[] }>(await cliOk(['snapshots', '--json'], { home })).snapshots;
    expect(snaps).toHaveLength(3);
  });

  it('restores every snapshot byte for byte', async () => {
    const expected = [states[0]!, states[0]!, states[1]!];
    for (const [i, snap] of snaps.entries()) {
      const to = join(work, `restore-${i}`);
      const r = await runCli(['restore', 'dst', snap.snapshotId, '--to', to], { home });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('matched its SHA-256');
      expect(diffTrees(expected[i]!, await treeState(to))).toEqual([]);
    }
  });

  it('restores into an empty STRATA_HOME from the destination alone', async () => {
    const fresh = join(work, 'fresh-home');
    await cliOk(destArgs(), { home: fresh, env });
    const listed = resultOf<{ snapshots: Snap[] }>(await cliOk(['snapshots', '--json'], { home: fresh })).snapshots;
    expect(listed.map((s) => s.snapshotId)).toEqual(snaps.map((s) => s.snapshotId));
    const to = join(work, 'restore-fresh');
    await cliOk(['restore', 'dst', 'latest', '--to', to, '--source', 'docs'], { home: fresh });
    expect(diffTrees(states[1]!, await treeState(to))).toEqual([]);
  });

  it('filters by path, extension and date', async () => {
    const to = join(work, 'restore-filtered');
    const r = resultOf<{ report: { files: number } }>(
      await cliOk(['restore', 'dst', 'latest', '--to', to, '--path', 'many/d01', '--ext', '.txt', '--json'], { home }),
    );
    const restored = [...(await treeState(to)).entries()].filter(([, v]) => v.startsWith('file:'));
    expect(r.report.files).toBe(restored.length);
    expect(restored.length).toBeGreaterThan(0);
    expect(restored.every(([k]) => k.startsWith('many/d01/'))).toBe(true);

    const future = join(work, 'restore-future');
    const none = resultOf<{ report: { files: number } }>(
      await cliOk(['restore', 'dst', 'latest', '--to', future, '--since', '2999-01-01', '--json'], { home }),
    );
    expect(none.report.files).toBe(0);
    const bad = await runCli(['restore', 'dst', 'latest', '--to', future, '--since', 'yesterday-ish'], { home });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a date');
  });

  it('applies the conflict rules', async () => {
    const to = join(work, 'restore-2');
    await writeFile(join(to, 'notes.txt'), 'edited after restore\n');
    const skip = resultOf<{ report: { files: number; skipped: number } }>(
      await cliOk(['restore', 'dst', 'latest', '--to', to, '--json'], { home }),
    );
    expect(skip.report.files).toBe(0);
    expect(await readFile(join(to, 'notes.txt'), 'utf8')).toBe('edited after restore\n');

    await cliOk(['restore', 'dst', 'latest', '--to', to, '--path', 'notes.txt', '--conflict', 'keep-both'], { home });
    expect(await readFile(join(to, 'notes (restored 1).txt'), 'utf8')).toBe('second version, longer\n');
    expect(await readFile(join(to, 'notes.txt'), 'utf8')).toBe('edited after restore\n');

    await cliOk(['restore', 'dst', 'latest', '--to', to, '--path', 'notes.txt', '--conflict', 'overwrite'], { home });
    expect(await readFile(join(to, 'notes.txt'), 'utf8')).toBe('second version, longer\n');
  });

  it('shows status per destination', async () => {
    const st = resultOf<{
      destinations: { name: string; files: number; health: { succeeded: number; runs: number } }[];
    }>(await cliOk(['status', '--json'], { home }));
    expect(st.destinations[0]!.name).toBe('dst');
    expect(st.destinations[0]!.health).toMatchObject({ succeeded: 3, runs: 3 });
    expect(st.destinations[0]!.files).toBeGreaterThan(100);
    if (kind === 'local') expect(existsSync(join(work, 'dest', 'history', 'docs', 'notes.txt'))).toBe(true);
  });
});
