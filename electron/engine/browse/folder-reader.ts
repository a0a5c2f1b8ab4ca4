/**
 * How the tree reads one folder of a source: a local folder from disk, a bucket by listing
 * with a delimiter. Listings are sorted (folders first, then names as people read them) and
 * cached a few seconds, so paging through 100,000 entries reads the folder once.
 */
import { lstat, readdir, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { TreeEntry } from '../../../shared/api/entities.js';
import { StrataError } from '../../../shared/errors.js';

export interface FolderChild {
  name: string;
  type: TreeEntry['type'];
  /** Known from the listing itself (buckets); local files are stat'ed per page. */
  size?: number;
  mtimeMs?: number;
}

export interface FolderReader {
  /** The children of `folder` ('' = the root), sorted; throws when the folder is not there. */
  children(folder: string): Promise<FolderChild[]>;
  /** Size and modification time of a file shown on a page. */
  stat(folder: string, child: FolderChild): Promise<{ size: number; mtimeMs: number } | undefined>;
}

const cache = new Map<string, { at: number; children: FolderChild[] }>();
const TTL_MS = 5000;

/**
 * One collator for every comparison: building one per call makes sorting 100,000 names take
 * seconds. Built on first use: it loads ICU's collation data (~40 ms), which a CLI backup never needs.
 */
let byName: Intl.Collator | undefined;

export function sortChildren(children: FolderChild[]): FolderChild[] {
  const BY_NAME = (byName ??= new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }));
  return children.sort(
    (a, b) =>
      Number(b.type === 'dir') - Number(a.type === 'dir') ||
      BY_NAME.compare(a.name, b.name) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

/** Reads through the cache (key: where the folder is). */
export async function cachedChildren(key: string, read: () => Promise<FolderChild[]>): Promise<FolderChild[]> {
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.children;
  const children = sortChildren(await read());
  if (cache.size > 16) cache.delete(cache.keys().next().value!);
  cache.set(key, { at: Date.now(), children });
  return children;
}

/** Forgets cached listings (after a run, or when the user reloads). */
export function forgetListings(): void {
  cache.clear();
}

/** A local folder: a path through a symlink could lead outside the source, so the tree never follows links. */
export function localFolderReader(root: string, sourceName: string): FolderReader {
  let rootReal: Promise<string> | undefined;
  const base = (): Promise<string> =>
    (rootReal ??= realpath(root).catch(() => {
      throw new StrataError('not-found', `the folder ${root} of '${sourceName}' is not there`, 'mount or restore it');
    }));
  const resolveFolder = async (folder: string): Promise<string> => {
    const r = await base();
    const real = await realpath(join(r, ...folder.split('/').filter(Boolean)));
    if (real !== r && !real.startsWith(r + sep)) {
      throw new StrataError('unsafe-path', `/${folder} leads outside the source`, 'links are not followed');
    }
    return real;
  };
  return {
    async children(folder) {
      const abs = await resolveFolder(folder);
      return cachedChildren(abs, async () =>
        (await readdir(abs, { withFileTypes: true })).map((d) => ({
          name: d.name,
          type: d.isDirectory() ? 'dir' : d.isFile() ? 'file' : d.isSymbolicLink() ? 'symlink' : 'other',
        })),
      );
    },
    async stat(folder, child) {
      const st = await lstat(join(await base(), ...folder.split('/').filter(Boolean), child.name)).catch(
        () => undefined,
      );
      return st ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
    },
  };
}

/** What a bucket lists at one level: sub-folders (common prefixes) and objects. */
export interface ShallowLister {
  label: string;
  listShallow(folder: string): AsyncIterable<{ name: string; folder: boolean; size?: number; lastModified?: Date }>;
}

export function bucketFolderReader(lister: ShallowLister): FolderReader {
  return {
    async children(folder) {
      return cachedChildren(`bucket:${lister.label}/${folder}`, async () => {
        const out: FolderChild[] = [];
        for await (const c of lister.listShallow(folder)) {
          out.push(
            c.folder
              ? { name: c.name, type: 'dir' }
              : { name: c.name, type: 'file', size: c.size ?? 0, mtimeMs: c.lastModified?.getTime() ?? 0 },
          );
        }
        return out;
      });
    },
    stat: (_folder, child) =>
      Promise.resolve(child.type === 'file' ? { size: child.size ?? 0, mtimeMs: child.mtimeMs ?? 0 } : undefined),
  };
}
