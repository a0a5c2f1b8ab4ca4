/**
 * A restore's scratch folder (restore-scratch.ts): one folder per process at the top of the restore
 * folder, with a lane (subfolder) per worker thread, so threads do not wait on each other's creates;
 * what a dead restore left is cleared by the next one, lanes and all.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRestoreScratch, Scratch } from '../../electron/engine/restore/restore-scratch.js';

describe('restore scratch folder', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-scratch-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('names temp files in a lane per worker, and in the folder itself for the main thread', async () => {
    const scratch = await Scratch.open(root, 2);
    expect(relative(root, scratch.dir)).toMatch(new RegExp(`^\\.strata-restore-${process.pid}-\\d+$`));
    expect(isRestoreScratch(relative(root, scratch.dir))).toBe(true);
    expect((await readdir(scratch.dir)).sort()).toEqual(['w0', 'w1']);
    const a = scratch.file(0);
    const b = scratch.file(1);
    const here = scratch.file();
    expect(dirname(a)).toBe(join(scratch.dir, 'w0'));
    expect(dirname(b)).toBe(join(scratch.dir, 'w1'));
    expect(dirname(here)).toBe(scratch.dir);
    // A lane it was not opened with (a worker beyond the count) falls back to the folder itself.
    expect(dirname(scratch.file(2))).toBe(scratch.dir);
    // Names never repeat, across lanes either.
    const names = Array.from({ length: 200 }, (_, i) => basename(scratch.file(i % 3)));
    expect(new Set([basename(a), basename(b), basename(here), ...names]).size).toBe(203);
    // The lanes take files, and closing removes everything.
    await writeFile(a, 'x');
    await writeFile(here, 'y');
    await scratch.close();
    expect(await readdir(root)).toEqual([]);
  });

  it('clears what a dead restore left, lanes included, and keeps a live one', async () => {
    const dead = join(root, '.strata-restore-999999999');
    await mkdir(join(dead, 'w0'), { recursive: true });
    await writeFile(join(dead, 'w0', 'half'), 'half-written');
    const live = join(root, `.strata-restore-${process.ppid}`);
    await mkdir(live);
    const scratch = await Scratch.open(root, 1);
    expect((await readdir(root)).sort()).toEqual([`.strata-restore-${process.ppid}`, basename(scratch.dir)].sort());
    await scratch.close();
    await rm(live, { recursive: true });
  });

  it('gives two restores of one process into one folder a folder each, and neither removes the other', async () => {
    const first = await Scratch.open(root, 1);
    await writeFile(first.file(0), 'first');
    const second = await Scratch.open(root, 1);
    expect(second.dir).not.toBe(first.dir);
    expect(await readdir(join(first.dir, 'w0'))).toHaveLength(1);
    await second.close();
    expect(await readdir(root)).toEqual([basename(first.dir)]);
    await first.close();
    expect(await readdir(root)).toEqual([]);
  });

  it('knows its folders by name, in the old form too', () => {
    expect(isRestoreScratch('.strata-restore-123')).toBe(true);
    expect(isRestoreScratch('.strata-restore-123-4')).toBe(true);
    expect(isRestoreScratch('.strata-restore-x')).toBe(false);
    expect(isRestoreScratch('strata-restore-123')).toBe(false);
  });
});
