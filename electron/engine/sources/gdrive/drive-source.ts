/**
 * A Google Drive as a backup source. The walk applies the changes since the last run to the
 * mirror (or lists afresh), then goes depth-first through the folders a policy wants, listing
 * new folders in groups. Binary files stream with alt=media and are checked against Drive's MD5;
 * Docs Editors files are exported in the chosen format. Shortcuts are recorded as links, or,
 * when asked, followed (a shortcut back into its own ancestry stays a link).
 */
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import type { DriveExportFormats } from '../../../../shared/api/entities.js';
import { changedWhileReading } from '../file-read.js';
import { readAllChecked } from '../read-handle.js';
import type { ReadHandle, Source, SourceEntry, WalkItem, WalkOptions } from '../types.js';
import { itemError } from './drive-errors.js';
import { SHARED_DRIVE_MIME, TOP } from './drive-mirror.js';
import { exportFor, SHORTCUT_MIME } from './drive-names.js';
import { isDirLike, type DriveTree, type FolderRef, type NamedChild } from './drive-tree.js';

interface Pending extends FolderRef {
  path: string;
  /** Real folder ids from the top down to here: a followed shortcut into one of them is a cycle. */
  ancestors: string[];
}

const joinPath = (a: string, b: string): string => (a ? `${a}/${b}` : b);

/** A relative link from the folder holding a shortcut to its target's path. */
function relativeLink(fromFolder: string, to: string): string {
  const from = fromFolder.split('/').filter(Boolean);
  const target = to.split('/');
  let common = 0;
  while (common < from.length && common < target.length - 1 && from[common] === target[common]) common++;
  return [...Array<string>(from.length - common).fill('..'), ...target.slice(common)].join('/');
}

export class DriveSource implements Source {
  readonly kind = 'gdrive' as const;

  constructor(
    readonly label: string,
    private readonly tree: DriveTree,
    private readonly opts: { sourceName: string; followShortcuts?: boolean | undefined },
  ) {}

  async *walk(opts: WalkOptions = {}): AsyncIterable<WalkItem> {
    await this.tree.sync();
    yield { type: 'dir', path: '', size: 0, mtimeMs: 0 };
    const stack: Pending[] = [{ id: TOP, driveId: undefined, path: '', ancestors: [] }];
    while (stack.length) {
      const folder = stack.pop()!;
      if (this.tree.needsListing(folder.id)) {
        // List this folder with the others waiting, nearest first: one query for up to 50 of them.
        const batch = [
          folder,
          ...stack
            .slice(-49)
            .reverse()
            .filter((f) => this.tree.needsListing(f.id)),
        ];
        await this.tree.ensureListed(batch);
      }
      const subfolders: Pending[] = [];
      for (const child of this.tree.namedChildren(folder.id, folder.path)) {
        const path = joinPath(folder.path, child.segment);
        const item = await this.resolveShortcut(child, folder);
        if (item === 'link') {
          if (opts.isExcluded?.(path, false)) continue;
          yield this.linkEntry(child, folder.path, path);
        } else if (isDirLike(item)) {
          if (opts.isExcluded?.(path, true)) continue;
          yield { type: 'dir', path, size: 0, mtimeMs: child.modifiedMs };
          subfolders.push({
            id: item.id,
            driveId: item.mime === SHARED_DRIVE_MIME ? item.id : item === child ? folder.driveId : '*',
            path,
            ancestors: folder.id === TOP ? [] : [...folder.ancestors, folder.id],
          });
        } else {
          if (opts.isExcluded?.(path, false)) continue;
          yield this.fileEntry(item, path, this.tree.formatsIn(folder.path));
        }
      }
      for (let i = subfolders.length - 1; i >= 0; i--) stack.push(subfolders[i]!);
    }
  }

  /** A shortcut followed when asked: its target (fetched if the mirror lacks it), or 'link'. */
  private async resolveShortcut(child: NamedChild, folder: Pending): Promise<NamedChild | 'link'> {
    if (child.mime !== SHORTCUT_MIME) return child;
    if (!this.opts.followShortcuts || !child.targetId) return 'link';
    if (child.targetId === folder.id || folder.ancestors.includes(child.targetId)) return 'link';
    let target = this.tree.mirror.get(child.targetId);
    if (!target) {
      const fetched = await this.tree.api.item(child.targetId).catch(() => undefined);
      if (!fetched || fetched.mime === SHORTCUT_MIME) return 'link';
      this.tree.mirror.upsert(fetched);
      target = this.tree.mirror.get(child.targetId);
    }
    return target ? { ...target, segment: child.segment } : 'link';
  }

  private linkEntry(child: NamedChild, folderPath: string, path: string): SourceEntry {
    const targetPath = child.targetId ? this.tree.pathOf(child.targetId) : undefined;
    return {
      type: 'symlink',
      path,
      size: 0,
      mtimeMs: child.modifiedMs,
      linkTarget: targetPath ? relativeLink(folderPath, targetPath) : `gdrive-${child.targetId ?? 'missing'}`,
    };
  }

  private fileEntry(item: NamedChild, path: string, formats: DriveExportFormats): SourceEntry {
    const exp = exportFor(item.mime, formats);
    if (exp) {
      return {
        type: 'file',
        path,
        size: 0,
        sizeUnknown: true,
        mtimeMs: item.modifiedMs,
        identity: `v${item.version ?? '0'}.${exp.extension}`,
        ref: `${item.id}|${exp.mimeType}`,
        details: { contentType: exp.mimeType },
      };
    }
    return {
      type: 'file',
      path,
      size: item.size ?? 0,
      mtimeMs: item.modifiedMs,
      identity: item.md5 ?? `v${item.version ?? '0'}`,
      ref: item.id,
      details: { contentType: item.mime },
    };
  }

  async readSmall(entry: SourceEntry): Promise<Buffer> {
    return readAllChecked(await this.openStream(entry));
  }

  async openStream(entry: SourceEntry): Promise<ReadHandle> {
    const [id, exportMime] = (entry.ref ?? '').split('|');
    if (!id) throw changedWhileReading(entry.path);
    try {
      if (exportMime) {
        const bytes = await this.tree.api.exportBytes(id, exportMime);
        entry.size = bytes.length;
        return { stream: Readable.from([bytes]), unchanged: () => Promise.resolve() };
      }
      return this.checked(entry, await this.tree.api.download(id));
    } catch (err) {
      throw itemError(entry.path, err, this.opts.sourceName);
    }
  }

  /** Bytes as listed: the same length and, where Drive keeps one, the same MD5. */
  private checked(entry: SourceEntry, body: Readable): ReadHandle {
    const md5 = /^[0-9a-f]{32}$/.test(entry.identity ?? '') ? createHash('md5') : undefined;
    let length = 0;
    let settle: (err?: unknown) => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      settle = (err) => (err ? reject(err) : resolve());
    });
    done.catch(() => undefined);
    const stream = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        length += chunk.length;
        md5?.update(chunk);
        cb(null, chunk);
      },
      flush(cb) {
        const same = length === entry.size && (!md5 || md5.digest('hex') === entry.identity);
        settle(same ? undefined : changedWhileReading(entry.path));
        cb();
      },
    });
    body.once('error', (err) => {
      const failure = itemError(entry.path, err, 'this Drive');
      settle(failure);
      stream.destroy(failure);
    });
    body.pipe(stream);
    return { stream, unchanged: () => done };
  }
}
