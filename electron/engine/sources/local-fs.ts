import * as fs from 'node:fs';
import type { Dirent, PathLike, Stats } from 'node:fs';
import { promisify } from 'node:util';

/** The file-system calls a LocalSource makes; tests swap some for failing ones. */
export interface LocalFs {
  stat(path: PathLike): Promise<Stats>;
  lstat(path: PathLike): Promise<Stats>;
  readdir(path: PathLike, options: { withFileTypes: true; encoding: 'buffer' }): Promise<Dirent<Buffer>[]>;
  readlink(path: PathLike, options: { encoding: 'buffer' }): Promise<Buffer>;
  open(path: PathLike, flags: number): Promise<number>;
  /** Bytes read into buffer[offset…] from the file at `position`; 0 at the end of the file. */
  read(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  fstat(fd: number): Promise<Stats>;
  close(fd: number): Promise<void>;
  /** Blocking twins, used while they stay fast (see SyncGovernor); absent: always asynchronous. */
  sync?: SyncFs | undefined;
}

export interface SyncFs {
  lstat(path: PathLike): Stats;
  readdir(path: PathLike, options: { withFileTypes: true; encoding: 'buffer' }): Dirent<Buffer>[];
  open(path: PathLike, flags: number): number;
  read(fd: number, buffer: Buffer, offset: number, length: number, position: number): number;
  fstat(fd: number): Stats;
  close(fd: number): void;
}

// The callback API, promisified, on plain descriptors: per call it costs a fraction of what
// node:fs/promises and its FileHandles do (measured on node 20), and a backup makes several
// calls per file.
const read = promisify(fs.read);

export const nodeFs: LocalFs = {
  stat: promisify(fs.stat),
  lstat: promisify(fs.lstat),
  readdir: promisify(fs.readdir) as LocalFs['readdir'],
  readlink: promisify(fs.readlink) as LocalFs['readlink'],
  open: promisify(fs.open) as LocalFs['open'],
  read: async (fd, buffer, offset, length, position) => (await read(fd, buffer, offset, length, position)).bytesRead,
  fstat: promisify(fs.fstat) as LocalFs['fstat'],
  close: promisify(fs.close),
  sync: {
    lstat: (path) => fs.lstatSync(path),
    readdir: (path, options) => fs.readdirSync(path, options),
    open: (path, flags) => fs.openSync(path, flags),
    read: (fd, buffer, offset, length, position) => fs.readSync(fd, buffer, offset, length, position),
    fstat: (fd) => fs.fstatSync(fd),
    close: (fd) => fs.closeSync(fd),
  },
};

/**
 * nodeFs with some calls replaced. Replacing any call without supplying `sync` also drops the
 * blocking twins, so an injected failure is never bypassed by them.
 */
export function withOverrides(overrides: Partial<LocalFs> = {}): LocalFs {
  const replacesAsync = Object.keys(overrides).some((key) => key !== 'sync');
  const sync = 'sync' in overrides ? overrides.sync : replacesAsync ? undefined : nodeFs.sync;
  return { ...nodeFs, ...overrides, sync };
}
