/**
 * Restores that stop part-way and continue: the CLI killed with SIGKILL in the middle of large
 * files and run again; a cancel between files; a disk that fills (a write path failing with ENOSPC, and a real 200 MB tmpfs
 * mounted in an unprivileged user namespace where the kernel allows it); `--dry-run` writing nothing.
 * Each ends with the snapshot's tree byte for byte and no temp file left behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { restoreSnapshot, type OpenWrite } from '../../electron/engine/restore/restore.js';
import { nodeFs } from '../../electron/engine/sources/local-fs.js';
import { walkLocal } from '../../electron/engine/sources/local-walk.js';
import { CLI, cliEnv, cliOk, resultOf, runCli, startCli } from '../support/cli.js';
import { bytes, diffTrees, put, treeState, type TreeState } from '../support/tree.js';

const MiB = 1024 * 1024;
const FILES = 40;

/** Whether this kernel lets an unprivileged user namespace mount a tmpfs (a real full disk, no root needed). */
function canMountTmpfs(): boolean {
  try {
    execFileSync('unshare', ['-Urm', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs /mnt'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Report {
  files: number;
  identical: number;
  verified: number;
  errors: unknown[];
  stopped?: { code: string; message: string };
}

describe('restores that stop and continue', () => {
  let work: string;
  let home: string;
  let src: string;
  let want: TreeState;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-restore-resume-'));
    home = join(work, 'home');
    src = join(work, 'src');
    for (let i = 0; i < FILES; i++)
      await put(src, `big/part-${String(i).padStart(2, '0')}.bin`, bytes(8 * MiB + i, 50 + i));
    await put(src, 'notes/readme.txt', 'hello\n');
    want = await treeState(src);
    await cliOk(['source', 'add', 'local', 'files', src], { home });
    await cliOk(['dest', 'add', 'local', 'disk', join(work, 'disk')], { home });
    await cliOk(['policy', 'set', 'files', '/', '--to', 'disk'], { home });
    await cliOk(['backup'], { home });
  }, 120_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('--dry-run prints what would happen to each file and writes nothing', async () => {
    const to = join(work, 'dry');
    await put(to, 'notes/readme.txt', 'my own notes\n');
    const out = await cliOk(
      ['restore', 'disk', 'latest', '--to', to, '--path', 'notes', '--conflict', 'keep-both', '--dry-run'],
      {
        home,
      },
    );
    expect(out).toMatch(/keep both\s+notes\/readme\.txt → notes\/readme \(restored 1\)\.txt/);
    expect(out).toMatch(/Nothing was written/);
    const json = await cliOk(['restore', 'disk', 'latest', '--to', join(work, 'nowhere'), '--dry-run', '--json'], {
      home,
    });
    const items = json
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; action?: string });
    expect(items.filter((i) => i.type === 'item' && i.action === 'write')).toHaveLength(FILES + 1);
    expect(resultOf<{ files: number; egressBytes: number }>(json)).toMatchObject({ files: FILES + 1 });
    expect(existsSync(join(work, 'nowhere'))).toBe(false);
    expect(await readdir(join(to, 'notes'))).toEqual(['readme.txt']);
  });

  it('a CLI restore killed mid-way continues when run again, keeping what was already restored', async () => {
    const to = join(work, 'killed');
    const child = startCli(['restore', 'disk', 'latest', '--to', to], { home });
    child.stdout!.resume();
    child.stderr!.resume();
    const closed = new Promise<NodeJS.Signals | null>((r) => child.on('close', (_c, s) => r(s)));
    // Kill as soon as the first large file is complete in place (files appear only once whole).
    const started = Date.now();
    for (;;) {
      const done = (await readdir(join(to, 'big')).catch(() => [] as string[])).filter((n) => n.endsWith('.bin'));
      if (done.length >= 1 || Date.now() - started > 60_000) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    expect(await closed).toBe('SIGKILL');
    const before = (await readdir(join(to, 'big'))).filter((n) => n.endsWith('.bin'));
    expect(before.length).toBeGreaterThanOrEqual(1);
    expect(before.length).toBeLessThan(FILES);
    // What the killed process was writing sits only in its own temp folder.
    expect((await readdir(to)).some((n) => n.startsWith('.strata-restore-'))).toBe(true);
    // A backup of that folder meanwhile (the original place) leaves the temp folder out.
    const walked: string[] = [];
    for await (const item of walkLocal(to, nodeFs)) walked.push(item.path);
    expect(walked.some((p) => p.startsWith('.strata-restore-'))).toBe(false);
    expect(walked).toContain(`big/${before[0]}`);

    const again = await runCli(['restore', 'disk', 'latest', '--to', to, '--json'], { home });
    expect(again.code, again.stderr).toBe(0);
    const report = resultOf<{ report: Report }>(again.stdout).report;
    expect(report.identical).toBeGreaterThanOrEqual(before.length);
    expect(report.files + report.identical).toBe(FILES + 1);
    expect(report.verified).toBe(FILES + 1);
    expect(diffTrees(want, await treeState(to))).toEqual([]);
  }, 120_000);

  it('a full disk stops the restore cleanly (ENOSPC injected in the write path); run again, it completes', async () => {
    const engine = Engine.open({ home });
    const to = join(work, 'full');
    try {
      const snapshot = await engine.snapshotFor('disk', 'latest', undefined);
      const dest = await engine.openDestination(engine.catalog.destination('disk'));
      // The disk "has" 200 MiB (16 files download at once, 8 MiB each): the write past it fails as fs does.
      let budget = 200 * MiB;
      const openWrite: OpenWrite = (path) => {
        const real = createWriteStream(path);
        // Its errors reach the restore through the write callbacks below.
        real.on('error', () => undefined);
        return new Writable({
          write(chunk: Buffer, _enc, cb) {
            budget -= chunk.length;
            if (budget < 0) {
              cb(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
              return;
            }
            real.write(chunk, cb);
          },
          final(cb) {
            real.end(cb);
          },
          destroy(err, cb) {
            real.destroy();
            cb(err);
          },
        });
      };
      try {
        const report = await restoreSnapshot({ dest, snapshot, to, tmpDir: engine.tmpDir, openWrite });
        expect(report.stopped?.code).toBe('disk-full');
        expect(report.stopped?.message).toMatch(
          /is full: the restore stopped after \d+ file\(s\).*run the same restore again/,
        );
        expect(report.errors).toEqual([]);
        expect(report.files).toBeGreaterThan(0);
        expect(report.files).toBeLessThan(FILES);
        // Everything in place is whole; nothing half-written, no temp folder left.
        const got = await treeState(to);
        for (const [p, v] of got) if (v.startsWith('file:')) expect(v, p).toBe(want.get(p));
        expect([...got.keys()].some((k) => k.includes('.strata-restore-'))).toBe(false);
      } finally {
        await dest.close();
      }
    } finally {
      engine.close();
    }
    const again = await runCli(['restore', 'disk', 'latest', '--to', to, '--json'], { home });
    expect(again.code, again.stderr).toBe(0);
    expect(resultOf<{ report: Report }>(again.stdout).report.identical).toBeGreaterThan(0);
    expect(diffTrees(want, await treeState(to))).toEqual([]);
  }, 120_000);

  it('a cancel stops between files: no failure, no temp file, and the same restore again completes', async () => {
    const engine = Engine.open({ home });
    const to = join(work, 'cancelled');
    try {
      const snapshot = await engine.snapshotFor('disk', 'latest', undefined);
      const dest = await engine.openDestination(engine.catalog.destination('disk'));
      const controller = new AbortController();
      let written = 0;
      // The user presses Cancel once 100 MiB have reached the disk.
      const openWrite: OpenWrite = (path) => {
        const real = createWriteStream(path);
        // Its errors reach the restore through the write callbacks below.
        real.on('error', () => undefined);
        return new Writable({
          write(chunk: Buffer, _enc, cb) {
            written += chunk.length;
            if (written > 100 * MiB) controller.abort();
            real.write(chunk, cb);
          },
          final(cb) {
            real.end(cb);
          },
          destroy(err, cb) {
            real.destroy();
            cb(err);
          },
        });
      };
      try {
        const report = await restoreSnapshot({
          dest,
          snapshot,
          to,
          tmpDir: engine.tmpDir,
          openWrite,
          signal: controller.signal,
        });
        expect(report.stopped).toEqual({ code: 'cancelled', message: 'the restore was cancelled' });
        expect(report.errors).toEqual([]);
        expect(report.files).toBeLessThan(FILES);
        const got = await treeState(to);
        for (const [p, v] of got) if (v.startsWith('file:')) expect(v, p).toBe(want.get(p));
        expect([...got.keys()].some((k) => k.includes('.strata-restore-'))).toBe(false);
      } finally {
        await dest.close();
      }
    } finally {
      engine.close();
    }
    const again = await runCli(['restore', 'disk', 'latest', '--to', to, '--json'], { home });
    expect(again.code, again.stderr).toBe(0);
    expect(diffTrees(want, await treeState(to))).toEqual([]);
  }, 120_000);

  it.skipIf(!canMountTmpfs())(
    'a real 200 MB tmpfs fills: the CLI stops with a clear message; on a larger one it continues',
    async () => {
      const mnt = join(work, 'mnt');
      await mkdir(mnt);
      const out = join(work, 'tmpfs-out');
      await mkdir(out);
      const script = [
        'set -u',
        `mount -t tmpfs -o size=200m tmpfs "${mnt}"`,
        `node "${CLI}" restore disk latest --to "${mnt}/r" --json > "${out}/first.json" 2> "${out}/first.err"; echo $? > "${out}/first.code"`,
        `(cd "${mnt}/r" && find . -type f -exec sha256sum {} + | sort > "${out}/first.sums"; ls -a > "${out}/first.ls")`,
        `mount -o remount,size=600m "${mnt}"`,
        `node "${CLI}" restore disk latest --to "${mnt}/r" --json > "${out}/second.json" 2> "${out}/second.err"; echo $? > "${out}/second.code"`,
        `(cd "${mnt}/r" && find . -type f -exec sha256sum {} + | sort > "${out}/second.sums"; ls -a > "${out}/second.ls")`,
      ].join('\n');
      await new Promise<void>((resolve, reject) => {
        const child = spawn('unshare', ['-Urm', 'sh', '-c', script], { env: cliEnv({ home }), stdio: 'inherit' });
        child.on('error', reject);
        child.on('close', () => resolve());
      });
      const read = (name: string) => readFile(join(out, name), 'utf8');
      expect((await read('first.code')).trim()).toBe('1');
      expect(await read('first.err')).toMatch(
        /strata: the disk holding .* is full: the restore stopped after \d+ file\(s\)/,
      );
      const sums = async (name: string) =>
        new Map(
          (await read(name))
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => [l.slice(66).replace(/^\.\//, ''), l.slice(0, 64)] as const),
        );
      const first = await sums('first.sums');
      expect(first.size).toBeGreaterThan(0);
      expect(first.size).toBeLessThan(FILES);
      for (const [p, sha] of first) expect(want.get(p), p).toMatch(new RegExp(`:${sha}$`));
      expect(await read('first.ls')).not.toMatch(/\.strata-restore-/);

      expect((await read('second.code')).trim(), await read('second.err')).toBe('0');
      const second = await sums('second.sums');
      const files = [...want].filter(([, v]) => v.startsWith('file:'));
      expect(second.size).toBe(files.length);
      for (const [p, v] of files) expect(v, p).toMatch(new RegExp(`:${second.get(p)}$`));
      const report = resultOf<{ report: Report }>(await read('second.json')).report;
      expect(report.identical).toBe(first.size);
      await writeFile(join(out, 'done'), '');
    },
    180_000,
  );
});
