import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StrataError } from '../../shared/errors.js';
import { LocalSource } from '../../electron/engine/sources/local-source.js';
import { escapeInvalidUtf8, unescapeToBytes } from '../../electron/engine/sources/raw-names.js';
import { nodeFs, type LocalFs } from '../../electron/engine/sources/local-fs.js';
import type { SourceEntry, WalkItem, WalkOptions } from '../../electron/engine/sources/types.js';

let dir: string;

beforeEach(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'strata-local-'));
});

afterEach(async () => {
  await restorePermissions(dir);
  await fsp.rm(dir, { recursive: true, force: true });
});

async function restorePermissions(path: string): Promise<void> {
  const st = await fsp.lstat(path).catch(() => undefined);
  if (!st?.isDirectory()) {
    if (st?.isFile()) await fsp.chmod(path, 0o644);
    return;
  }
  await fsp.chmod(path, 0o755);
  for (const name of await fsp.readdir(path)) await restorePermissions(join(path, name));
}

async function collect(source: LocalSource, opts?: WalkOptions): Promise<WalkItem[]> {
  const out: WalkItem[] = [];
  for await (const item of source.walk(opts)) out.push(item);
  return out;
}

async function entryAt(source: LocalSource, path: string): Promise<SourceEntry> {
  for await (const item of source.walk()) {
    if (item.path === path && item.type !== 'error') return item;
  }
  throw new Error(`no entry ${path}`);
}

function write(rel: string, content: string | Buffer = ''): void {
  const abs = join(dir, rel);
  fs.mkdirSync(join(abs, '..'), { recursive: true });
  fs.writeFileSync(abs, content);
}

async function expectStrataError(promise: Promise<unknown>, code: string): Promise<StrataError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(StrataError);
    expect((err as StrataError).code).toBe(code);
    return err as StrataError;
  }
  throw new Error(`expected a ${code} error`);
}

describe('walk', () => {
  it('yields the root first, then a depth-first walk with names sorted bytewise', async () => {
    write('b.txt', 'bbb');
    write('a/z', 'z');
    write('a/b/c', 'c');
    write('A', 'upper');
    write('a.txt', 'x');
    write('empty');
    fs.mkdirSync(join(dir, 'emptydir'));

    const items = await collect(new LocalSource(dir));
    expect(items.map((i) => i.path)).toEqual([
      '',
      'A',
      'a',
      'a/b',
      'a/b/c',
      'a/z',
      'a.txt',
      'b.txt',
      'empty',
      'emptydir',
    ]);
    expect(items.map((i) => i.type)).toEqual([
      'dir',
      'file',
      'dir',
      'dir',
      'file',
      'file',
      'file',
      'file',
      'file',
      'dir',
    ]);

    const byPath = new Map(items.map((i) => [i.path, i as SourceEntry]));
    const b = byPath.get('b.txt')!;
    const st = fs.lstatSync(join(dir, 'b.txt'));
    expect(b).toMatchObject({ type: 'file', size: 3, mtimeMs: st.mtimeMs, inode: st.ino, mode: st.mode & 0o7777 });
    expect(b.rawPath).toBeUndefined();
    expect(byPath.get('empty')!.size).toBe(0);
    expect(byPath.get('')!.size).toBe(0);
    expect(byPath.get('a')!.size).toBe(0);
  });

  it('walks a tree 50 levels deep', async () => {
    const segments = Array.from({ length: 50 }, (_, i) => `level${i}`);
    write(join(...segments, 'leaf.txt'), 'deep');
    const items = await collect(new LocalSource(dir));
    expect(items).toHaveLength(52);
    expect(items[50]!.path).toBe(segments.join('/'));
    const leaf = items[51] as SourceEntry;
    expect(leaf.path).toBe(`${segments.join('/')}/leaf.txt`);
    expect((await new LocalSource(dir).readSmall(leaf)).toString()).toBe('deep');
  });

  it('records symlinks (to a file, to a folder, dangling) without following them', async () => {
    write('target.txt', 'target');
    write('realdir/inside.txt', 'inside');
    fs.symlinkSync('target.txt', join(dir, 'link-file'));
    fs.symlinkSync('realdir', join(dir, 'link-dir'));
    fs.symlinkSync('does/not/exist', join(dir, 'link-dangling'));
    fs.symlinkSync('/etc', join(dir, 'link-abs'));

    const items = await collect(new LocalSource(dir));
    expect(items.map((i) => i.path)).toEqual([
      '',
      'link-abs',
      'link-dangling',
      'link-dir',
      'link-file',
      'realdir',
      'realdir/inside.txt',
      'target.txt',
    ]);
    const links = items.filter((i) => i.type === 'symlink') as SourceEntry[];
    expect(links.map((l) => [l.path, l.linkTarget])).toEqual([
      ['link-abs', '/etc'],
      ['link-dangling', 'does/not/exist'],
      ['link-dir', 'realdir'],
      ['link-file', 'target.txt'],
    ]);
    expect(links.find((l) => l.path === 'link-file')!.size).toBe('target.txt'.length);
  });

  it('skips sockets and fifos', async () => {
    write('regular.txt', 'r');
    const socketPath = join(dir, 'sock');
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const fifo = spawnSync('mkfifo', [join(dir, 'fifo')]);
      const items = await collect(new LocalSource(dir));
      expect(items.map((i) => i.path)).toEqual(['', 'regular.txt']);
      if (fifo.status === 0) expect(fs.lstatSync(join(dir, 'fifo')).isFIFO()).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('does not descend excluded folders and leaves out excluded files', async () => {
    write('keep/a.txt', 'a');
    write('skip/deep/b.txt', 'b');
    write('keep/c.log', 'c');
    const asked: Array<[string, boolean]> = [];
    const listed: string[] = [];
    const spyFs: Partial<LocalFs> = {
      readdir: (path, options) => {
        listed.push(String(path));
        return fsp.readdir(path, options);
      },
    };
    const items = await collect(new LocalSource(dir, { fs: spyFs }), {
      isExcluded: (path, isDir) => {
        asked.push([path, isDir]);
        return (path === 'skip' && isDir) || path.endsWith('.log');
      },
    });
    expect(items.map((i) => i.path)).toEqual(['', 'keep', 'keep/a.txt']);
    expect(asked).toContainEqual(['skip', true]);
    expect(asked).toContainEqual(['keep/a.txt', false]);
    expect(asked.some(([p]) => p.startsWith('skip/'))).toBe(false);
    expect(listed.some((p) => p.includes('skip'))).toBe(false);
  });

  it('round-trips names that are not valid UTF-8', async () => {
    const badDir = Buffer.from([0x66, 0x6f, 0xff, 0x25, 0x6f]); // 'fo', 0xFF, '%', 'o'
    const badFile = Buffer.from('caf\xe9.txt', 'latin1');
    const root = Buffer.from(`${dir}/`);
    fs.mkdirSync(Buffer.concat([root, badDir]));
    fs.writeFileSync(Buffer.concat([root, badDir, Buffer.from('/inner.txt')]), 'inner');
    fs.writeFileSync(Buffer.concat([root, badFile]), 'latin');
    write('100%.txt', 'percent');
    write('ünïcødé.txt', 'fine');

    const source = new LocalSource(dir);
    const items = (await collect(source)) as SourceEntry[];
    expect(items.map((i) => i.path)).toEqual([
      '',
      '100%.txt',
      'caf%E9.txt',
      'fo%FF%25o',
      'fo%FF%25o/inner.txt',
      'ünïcødé.txt',
    ]);
    const byPath = new Map(items.map((i) => [i.path, i]));
    expect(byPath.get('100%.txt')!.rawPath).toBeUndefined();
    expect(byPath.get('ünïcødé.txt')!.rawPath).toBeUndefined();
    expect(byPath.get('caf%E9.txt')!.rawPath).toEqual(badFile);
    expect(byPath.get('fo%FF%25o')!.rawPath).toEqual(badDir);
    expect(byPath.get('fo%FF%25o/inner.txt')!.rawPath).toEqual(Buffer.concat([badDir, Buffer.from('/inner.txt')]));
    expect(unescapeToBytes('fo%FF%25o')).toEqual(badDir);

    expect((await source.readSmall(byPath.get('caf%E9.txt')!)).toString()).toBe('latin');
    const inner = await source.openStream(byPath.get('fo%FF%25o/inner.txt')!);
    expect((await inner.stream.toArray()).join('')).toBe('inner');
    await inner.unchanged();
  });

  it('escapes only invalid bytes and percent signs, keeping valid multi-byte text', () => {
    const name = Buffer.concat([
      Buffer.from('日本'),
      Buffer.from([0xc3]),
      Buffer.from('%x'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('é'),
    ]);
    const escaped = escapeInvalidUtf8(name);
    expect(escaped).toBe('日本%C3%25x%ED%A0%80é');
    expect(unescapeToBytes(escaped)).toEqual(name);
  });

  it('handles 255-byte names', async () => {
    const ascii = `${'x'.repeat(251)}.txt`;
    const wide = '日'.repeat(85); // 3 bytes each
    expect(Buffer.byteLength(ascii)).toBe(255);
    expect(Buffer.byteLength(wide)).toBe(255);
    write(ascii, 'long');
    write(join(wide, ascii), 'longer');
    const source = new LocalSource(dir);
    const items = (await collect(source)) as SourceEntry[];
    expect(items.map((i) => i.path)).toEqual(['', ascii, wide, `${wide}/${ascii}`]);
    expect((await source.readSmall(items[3]!)).toString()).toBe('longer');
  });

  it('fails clearly when the root is missing or not a folder', async () => {
    const missing = new LocalSource(join(dir, 'nope'));
    await expectStrataError(collect(missing), 'not-found');
    write('file.txt', 'f');
    await expectStrataError(collect(new LocalSource(join(dir, 'file.txt'))), 'config');
  });

  it('stops blocking on lstat once it is slow, with the same result', async () => {
    const names = Array.from({ length: 300 }, (_, i) => `f${String(i).padStart(3, '0')}`);
    for (const name of names) write(name, 'x');
    const slowDisk = (ms: number) => {
      const calls = { sync: 0, async: 0 };
      const fsOverrides: Partial<LocalFs> = {
        sync: {
          ...nodeFs.sync!,
          lstat: (path) => {
            calls.sync++;
            const until = performance.now() + ms;
            while (performance.now() < until); // a network share answering slowly
            return fs.lstatSync(path);
          },
        },
        lstat: (path) => {
          calls.async++;
          return fsp.lstat(path);
        },
      };
      return { calls, fsOverrides };
    };

    const stalled = slowDisk(60); // one call this slow is enough
    const items = await collect(new LocalSource(dir, { fs: stalled.fsOverrides }));
    expect(stalled.calls).toEqual({ sync: 1, async: 299 });
    expect(items.map((i) => i.path)).toEqual(['', ...names]);

    const sluggish = slowDisk(0.5); // a whole window of these is enough
    const again = await collect(new LocalSource(dir, { fs: sluggish.fsOverrides }));
    // One window (256 calls) at most; fewer if the machine's load stretches one call past 50 ms.
    expect(sluggish.calls.sync).toBeLessThanOrEqual(256);
    expect(sluggish.calls.sync + sluggish.calls.async).toBe(300);
    expect(again.map((i) => i.path)).toEqual(['', ...names]);
  });

  it('lets the event loop run while the walk and its consumer keep busy', async () => {
    for (let i = 0; i < 300; i++) write(`f${String(i).padStart(3, '0')}`);
    let ticked = false;
    let tickedBeforeEnd = false;
    let n = 0;
    for await (const item of new LocalSource(dir).walk()) {
      if (++n === 10) setImmediate(() => (ticked = true));
      const until = performance.now() + 0.2; // a consumer that never awaits anything
      while (performance.now() < until);
      if (item.path === 'f299') tickedBeforeEnd = ticked;
    }
    expect(n).toBe(301);
    expect(tickedBeforeEnd).toBe(true);
  });

  it('walks 20,000 files as a stream', async () => {
    for (let d = 0; d < 20; d++) {
      const sub = join(dir, `d${String(d).padStart(2, '0')}`);
      fs.mkdirSync(sub);
      for (let f = 0; f < 1000; f++) fs.writeFileSync(join(sub, `f${String(f).padStart(4, '0')}`), '');
    }
    let files = 0;
    let dirs = 0;
    let last = '';
    for await (const item of new LocalSource(dir).walk()) {
      if (item.type === 'file') files++;
      else if (item.type === 'dir') dirs++;
      else if (item.type === 'error') throw new Error(item.error);
      expect(item.path > last || item.path === '').toBe(true);
      last = item.path;
    }
    expect(files).toBe(20_000);
    expect(dirs).toBe(21);
  });
});

describe('unreadable files and folders', () => {
  it('records them as failures and goes on, on a real disk', async () => {
    // As root, chmod 000 does not stop reads; the same check then runs as 'nobody'.
    write('probe', 'p');
    fs.chmodSync(join(dir, 'probe'), 0o000);
    const privileged = (() => {
      try {
        fs.readFileSync(join(dir, 'probe'));
        return true;
      } catch {
        return false;
      }
    })();
    fs.rmSync(join(dir, 'probe'));

    const tree = join(dir, 'tree');
    write('tree/ok.txt', 'ok');
    write('tree/locked.txt', 'secret');
    write('tree/closed/inner.txt', 'inner');
    write('tree/noexec/f.txt', 'f');
    write('tree/z-after.txt', 'z');
    fs.chmodSync(join(tree, 'locked.txt'), 0o000);
    fs.chmodSync(join(tree, 'closed'), 0o000);
    fs.chmodSync(join(tree, 'noexec'), 0o644); // listable, but its entries cannot be looked at
    fs.chmodSync(dir, 0o755);

    const report = await runAsUnprivileged(tree, privileged);
    expect(report.items).toEqual([
      { type: 'dir', path: '' },
      { type: 'error', path: 'closed', error: expect.stringContaining('permission denied') },
      { type: 'file', path: 'locked.txt' },
      { type: 'dir', path: 'noexec' },
      { type: 'error', path: 'noexec/f.txt', error: expect.stringContaining('permission denied') },
      { type: 'file', path: 'ok.txt' },
      { type: 'file', path: 'z-after.txt' },
    ]);
    expect(report.readSmall).toEqual({ code: 'permission', message: 'locked.txt cannot be read: permission denied' });
    expect(report.openStream).toEqual({ code: 'permission', message: 'locked.txt cannot be read: permission denied' });
    expect(report.okContent).toBe('ok');
  });

  it('turns injected permission errors into failures (readdir, lstat, open)', async () => {
    write('a/x.txt', 'x');
    write('b.txt', 'b');
    write('c/y.txt', 'y');
    const denied = (path: unknown): NodeJS.ErrnoException =>
      Object.assign(new Error(`EACCES: permission denied, '${String(path)}'`), { code: 'EACCES', path: String(path) });
    const injected: Partial<LocalFs> = {
      readdir: (path, options) =>
        String(path).endsWith('/a') ? Promise.reject(denied(path)) : fsp.readdir(path, options),
      lstat: (path) => (String(path).endsWith('/c/y.txt') ? Promise.reject(denied(path)) : fsp.lstat(path)),
      open: (path, flags) =>
        String(path).endsWith('/b.txt') ? Promise.reject(denied(path)) : nodeFs.open(path, flags),
    };
    const source = new LocalSource(dir, { fs: injected });
    const items = await collect(source);
    expect(items.map((i) => [i.type, i.path])).toEqual([
      ['dir', ''],
      ['error', 'a'],
      ['file', 'b.txt'],
      ['dir', 'c'],
      ['error', 'c/y.txt'],
    ]);
    expect((items[1] as { error: string }).error).toMatch(
      /^permission denied .*: give Strata read access or exclude the path$/,
    );
    const b = items[2] as SourceEntry;
    const err = await expectStrataError(source.readSmall(b), 'permission');
    expect(err.oneLine()).toBe('b.txt cannot be read: permission denied; give Strata read access to it or exclude it');
    await expectStrataError(source.openStream(b), 'permission');
  });

  it('skips an entry that vanished between listing and looking', async () => {
    write('gone.txt', 'g');
    write('here.txt', 'h');
    const injected: Partial<LocalFs> = {
      lstat: async (path) => {
        if (String(path).endsWith('gone.txt')) await fsp.rm(path as string);
        return fsp.lstat(path);
      },
    };
    const items = await collect(new LocalSource(dir, { fs: injected }));
    expect(items.map((i) => i.path)).toEqual(['', 'here.txt']);
  });

  it('reports a root it cannot list as one failure', async () => {
    const source = new LocalSource(dir, {
      fs: { readdir: () => Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })) },
    });
    const items = await collect(source);
    expect(items).toEqual([{ type: 'error', path: '', error: expect.stringContaining('permission denied') }]);
  });
});

describe('reading', () => {
  it('reads a small file whole and streams a large one in chunks of at most 1 MiB', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 5);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    write('big.bin', big);
    write('small.txt', 'hello');
    write('empty');
    const source = new LocalSource(dir);

    expect((await source.readSmall(await entryAt(source, 'small.txt'))).toString()).toBe('hello');
    expect((await source.readSmall(await entryAt(source, 'empty'))).length).toBe(0);

    const handle = await source.openStream(await entryAt(source, 'big.bin'));
    const chunks: Buffer[] = [];
    for await (const chunk of handle.stream) chunks.push(chunk as Buffer);
    await handle.unchanged();
    expect(Buffer.concat(chunks).equals(big)).toBe(true);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(1024 * 1024);

    const empty = await source.openStream(await entryAt(source, 'empty'));
    expect(await empty.stream.toArray()).toEqual([]);
    await empty.unchanged();
  });

  it('readSmall blocks while the disk is fast and stops once it is slow', async () => {
    for (const name of ['a', 'b', 'c']) write(name, `content ${name}`);
    const calls = { sync: 0, async: 0 };
    const slowDisk: Partial<LocalFs> = {
      open: (path, flags) => {
        calls.async++;
        return nodeFs.open(path, flags);
      },
      sync: {
        ...nodeFs.sync!,
        open: (path, flags) => {
          calls.sync++;
          const until = performance.now() + 60;
          while (performance.now() < until); // a disk spinning up
          return fs.openSync(path, flags);
        },
      },
    };
    const source = new LocalSource(dir, { fs: slowDisk });
    const contents: string[] = [];
    for (const name of ['a', 'b', 'c']) contents.push((await source.readSmall(await entryAt(source, name))).toString());
    expect(contents).toEqual(['content a', 'content b', 'content c']);
    expect(calls).toEqual({ sync: 1, async: 2 });
  });

  it('readSmall retries once, then reports a file that keeps changing', async () => {
    write('busy.log', 'line 1\n');
    let opens = 0;
    const appending: Partial<LocalFs> = {
      open: async (path, flags) => {
        const fd = await nodeFs.open(path, flags);
        opens++;
        await fsp.appendFile(path as string, `line ${opens + 1}\n`);
        return fd;
      },
    };
    const plain = new LocalSource(dir);
    const entry = await entryAt(plain, 'busy.log');
    const err = await expectStrataError(
      new LocalSource(dir, { fs: appending }).readSmall(entry),
      'changed-while-reading',
    );
    expect(opens).toBe(2);
    expect(err.message).toBe('busy.log changed while it was being read');
    expect(err.hint).toBe('it will be retried on the next run; pause whatever is writing it or exclude it');
  });

  it('readSmall succeeds when the retry finds the file as listed', async () => {
    write('flaky.txt', 'stable content');
    const abs = join(dir, 'flaky.txt');
    // Whole seconds, so setting the time back restores it exactly.
    const listedAt = 1_700_000_000;
    fs.utimesSync(abs, listedAt, listedAt);
    const entry = await entryAt(new LocalSource(dir), 'flaky.txt');
    let opens = 0;
    const touchOnce: Partial<LocalFs> = {
      open: async (path, flags) => {
        opens++;
        const mtime = opens === 1 ? listedAt + 5 : listedAt;
        await fsp.utimes(abs, mtime, mtime);
        return nodeFs.open(path, flags);
      },
    };
    expect((await new LocalSource(dir, { fs: touchOnce }).readSmall(entry)).toString()).toBe('stable content');
    expect(opens).toBe(2);
  });

  it('readSmall notices a file that shrank since the walk', async () => {
    write('shrink.txt', 'long content here');
    const source = new LocalSource(dir);
    const entry = await entryAt(source, 'shrink.txt');
    fs.truncateSync(join(dir, 'shrink.txt'), 4);
    await expectStrataError(source.readSmall(entry), 'changed-while-reading');
  });

  it('a stream of a file appended to while read errors before its end, aborting the consumer', async () => {
    const size = 4 * 1024 * 1024;
    write('growing.bin', Buffer.alloc(size, 7));
    const source = new LocalSource(dir);
    const entry = await entryAt(source, 'growing.bin');
    const handle = await source.openStream(entry);

    let received = 0;
    let completed = false;
    let appended = false;
    const upload = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _enc, callback) {
        received += chunk.length;
        if (appended) return callback();
        appended = true;
        fsp.appendFile(join(dir, 'growing.bin'), 'more').then(() => callback(), callback);
      },
      final(callback) {
        completed = true;
        callback();
      },
    });
    const piped = pipeline(handle.stream, upload);
    await expectStrataError(piped, 'changed-while-reading');
    await expectStrataError(handle.unchanged(), 'changed-while-reading');
    expect(completed).toBe(false);
    expect(received).toBe(size);
  });

  it('a stream of a file modified in place while read errors too', async () => {
    write('edited.bin', Buffer.alloc(2 * 1024 * 1024, 1));
    const source = new LocalSource(dir);
    const entry = await entryAt(source, 'edited.bin');
    const handle = await source.openStream(entry);
    const first = await new Promise<Buffer>((resolve) => handle.stream.once('data', resolve));
    expect(first.length).toBe(1024 * 1024);
    handle.stream.pause();
    const fd = fs.openSync(join(dir, 'edited.bin'), 'r+');
    fs.writeSync(fd, Buffer.from('changed'), 0, 7, 1_500_000);
    fs.futimesSync(fd, new Date(), new Date(entry.mtimeMs + 10_000));
    fs.closeSync(fd);
    handle.stream.resume();
    await expectStrataError(handle.unchanged(), 'changed-while-reading');
  });

  it('a stream of a file that shrank errors instead of ending short', async () => {
    write('short.bin', Buffer.alloc(3 * 1024 * 1024, 2));
    const source = new LocalSource(dir);
    const entry = await entryAt(source, 'short.bin');
    fs.truncateSync(join(dir, 'short.bin'), 1024);
    const handle = await source.openStream(entry);
    await expectStrataError(handle.stream.toArray(), 'changed-while-reading');
    await expectStrataError(handle.unchanged(), 'changed-while-reading');
  });

  it('does not follow a symlink that replaced a file after the walk', async () => {
    write('swap.txt', 'original');
    write('other.txt', 'other!!!');
    const source = new LocalSource(dir);
    const entry = await entryAt(source, 'swap.txt');
    fs.rmSync(join(dir, 'swap.txt'));
    fs.symlinkSync('other.txt', join(dir, 'swap.txt'));
    await expectStrataError(source.readSmall(entry), 'changed-while-reading');
    await expectStrataError(source.openStream(entry), 'changed-while-reading');
  });

  it('never closes the descriptor under a read in flight', async () => {
    write('slow.bin', Buffer.alloc(3 * 1024 * 1024));
    let inFlight = 0;
    let closedDuringRead = false;
    let closed = false;
    const slowReads: Partial<LocalFs> = {
      read: async (...args) => {
        inFlight++;
        await new Promise((resolve) => setTimeout(resolve, 30));
        try {
          return await nodeFs.read(...args);
        } finally {
          inFlight--;
        }
      },
      close: (fd) => {
        closedDuringRead ||= inFlight > 0;
        closed = true;
        return nodeFs.close(fd);
      },
    };
    const source = new LocalSource(dir, { fs: slowReads });
    const handle = await source.openStream(await entryAt(source, 'slow.bin'));
    handle.stream.resume();
    await new Promise((resolve) => setTimeout(resolve, 5));
    handle.stream.destroy();
    await expect(handle.unchanged()).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(closed).toBe(true);
    expect(closedDuringRead).toBe(false);
  });

  it('a stream destroyed by its consumer rejects unchanged() and closes the file', async () => {
    write('big.bin', Buffer.alloc(3 * 1024 * 1024));
    const source = new LocalSource(dir);
    const handle = await source.openStream(await entryAt(source, 'big.bin'));
    await new Promise((resolve) => handle.stream.once('data', resolve));
    handle.stream.destroy();
    await expectStrataError(handle.unchanged(), 'io');
  });
});

interface UnprivilegedReport {
  items: Array<{ type: string; path: string; error?: string }>;
  readSmall: { code: string; message: string } | null;
  openStream: { code: string; message: string } | null;
  okContent: string;
}

/**
 * Walks `tree` and reads its files in a child process: as 'nobody' when this process is
 * privileged (so chmod 000 bites), else as this user. The source is bundled into the temp
 * folder so the child needs no access to the checkout.
 */
async function runAsUnprivileged(tree: string, privileged: boolean): Promise<UnprivilegedReport> {
  const bundle = join(dir, 'local-source.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('../../electron/engine/sources/local-source.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'silent',
  });
  const script = join(dir, 'probe.mjs');
  fs.writeFileSync(
    script,
    `
import { LocalSource } from './local-source.mjs';
const source = new LocalSource(process.argv[2]);
const entries = [];
const items = [];
for await (const item of source.walk()) {
  entries.push(item);
  items.push(item.type === 'error' ? { type: item.type, path: item.path, error: item.error } : { type: item.type, path: item.path });
}
const attempt = async (fn) => { try { await fn(); return null; } catch (e) { return { code: e.code, message: e.message }; } };
const locked = entries.find((e) => e.path === 'locked.txt');
const ok = entries.find((e) => e.path === 'ok.txt');
const report = {
  items,
  readSmall: await attempt(() => source.readSmall(locked)),
  openStream: await attempt(() => source.openStream(locked)),
  okContent: (await source.readSmall(ok)).toString(),
};
process.stdout.write(JSON.stringify(report));
`,
  );
  fs.chmodSync(bundle, 0o644);
  fs.chmodSync(script, 0o644);
  const ids = privileged ? { uid: 65534, gid: 65534 } : {};
  const child = spawnSync(process.execPath, [script, tree], { cwd: dir, encoding: 'utf8', ...ids });
  if (child.status !== 0) throw new Error(`probe failed: ${child.error?.message ?? child.stderr}`);
  return JSON.parse(child.stdout) as UnprivilegedReport;
}
