/** How the folder tree reads a Drive: the same names as a backup's paths, listed when first opened. */
import { StrataError } from '../../../../shared/errors.js';
import { cachedChildren, type FolderReader } from '../../browse/folder-reader.js';
import { SHORTCUT_MIME } from './drive-names.js';
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
      const formats = JSON.stringify(tree.formatsIn(folder));
      return cachedChildren(`gdrive:${sourceId}/${folder}#${formats}`, () =>
        Promise.resolve(
          tree
            .namedChildren(ref.id, folder)
            .map((c) =>
              isDirLike(c)
                ? { name: c.segment, type: 'dir' as const, mtimeMs: c.modifiedMs }
                : c.mime === SHORTCUT_MIME
                  ? { name: c.segment, type: 'symlink' as const, mtimeMs: c.modifiedMs }
                  : { name: c.segment, type: 'file' as const, size: c.size ?? 0, mtimeMs: c.modifiedMs },
            ),
        ),
      );
    },
    stat: (_folder, child) =>
      Promise.resolve(child.type === 'file' ? { size: child.size ?? 0, mtimeMs: child.mtimeMs ?? 0 } : undefined),
  };
}
