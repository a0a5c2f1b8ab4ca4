import { resolve } from 'node:path';
import { openChecked, readWhole } from './file-read.js';
import { withOverrides, type LocalFs } from './local-fs.js';
import { absolutePathOf, walkLocal } from './local-walk.js';
import { SyncGovernor } from './sync-governor.js';
import type { ReadHandle, Source, SourceEntry, WalkItem, WalkOptions } from './types.js';

export interface LocalSourceOptions {
  /** Shown to the user; defaults to the folder's path. */
  label?: string;
  /** File-system calls to use (tests inject failures); defaults to node:fs. */
  fs?: Partial<LocalFs>;
}

/** A folder on this machine (or a mounted share) as a backup source. */
export class LocalSource implements Source {
  readonly kind = 'local' as const;
  readonly label: string;
  readonly root: string;
  private readonly fs: LocalFs;
  /** Small reads block while the disk answers fast (see SyncGovernor). */
  private readonly readGovernor: SyncGovernor;
  /** True when files are read with node:fs itself, so another thread may read them the same way. */
  readonly readsDirectly: boolean;

  constructor(root: string, options: LocalSourceOptions = {}) {
    this.root = resolve(root);
    this.label = options.label ?? this.root;
    this.fs = withOverrides(options.fs);
    this.readsDirectly = options.fs === undefined;
    this.readGovernor = new SyncGovernor(this.fs.sync !== undefined);
  }

  walk(opts: WalkOptions = {}): AsyncIterable<WalkItem> {
    return walkLocal(this.root, this.fs, opts);
  }

  readSmall(entry: SourceEntry): Promise<Buffer> {
    return readWhole(this.fs, this.readGovernor, this.pathOf(entry), entry);
  }

  openStream(entry: SourceEntry): Promise<ReadHandle> {
    return openChecked(this.fs, this.pathOf(entry), entry);
  }

  /** Where an entry lives on disk: a Buffer when its name is not valid UTF-8. */
  pathOf(entry: Pick<SourceEntry, 'path' | 'rawPath'>): string | Buffer {
    return absolutePathOf(this.root, entry);
  }
}
