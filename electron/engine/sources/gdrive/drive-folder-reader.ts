/** How the folder tree reads a Drive: the same names as a backup's paths, listed when first opened. */
import { StrataError } from '../../../../shared/errors.js';
import { cachedChildren, type FolderReader } from '../../browse/folder-reader.js';
import { exportFor, SHORTCUT_MIME } from './drive-names.js';
import { isDirLike, type DriveTree } from './drive-tree.js';

/** How stale the tree may be before it asks Drive for changes again. */
const SYNC_EVERY_MS = 15_000;

export function driveFolderReader(tree: DriveTree, sourceId: string, sourceName: string): FolderReader {
  return {
    async children(folder) {
      await tree.sync(SYNC_EVERY_MS);
      let ref = await tree.resolveFolder(folder);
      if (!ref) {
        // Perhaps new since the last look: ask Drive for the changes now rather than in a while.
        await tree.sync();
        ref = await tree.resolveFolder(folder);
      }
      if (!ref) {
        throw new StrataError(
          'not-found',
          `/${folder} is not in the Google Drive of '${sourceName}'`,
          'it may have been moved, renamed or trashed; reload the tree',
        );
      }
      // The names depend on the export formats chosen for this folder: part of the cache key.
      const formatsHere = tree.formatsIn(folder);
      const formats = JSON.stringify(formatsHere);
      return cachedChildren(`gdrive:${sourceId}/${folder}#${formats}`, () =>
        Promise.resolve(
          tree.namedChildren(ref.id, folder).map((c) =>
            isDirLike(c)
              ? { name: c.segment, type: 'dir' as const, mtimeMs: c.modifiedMs }
              : c.mime === SHORTCUT_MIME
                ? { name: c.segment, type: 'symlink' as const, mtimeMs: c.modifiedMs }
                : // A Google Doc's size is its export's, known only once exported: none shown.
                  {
                    name: c.segment,
                    type: 'file' as const,
                    mtimeMs: c.modifiedMs,
                    ...(exportFor(c.mime, formatsHere) ? {} : { size: c.size ?? 0 }),
                  },
          ),
        ),
      );
    },
    stat: (_folder, child) =>
      Promise.resolve(
        child.type === 'file' && child.size !== undefined
          ? { size: child.size, mtimeMs: child.mtimeMs ?? 0 }
          : undefined,
      ),
  };
}
