/**
 * How Google Docs are exported below a folder: each kind (document, spreadsheet, presentation,
 * drawing) is decided by the deepest folder policy that sets it, else by the source's setting.
 * A Doc's path carries the extension, so the tree and a backup must ask the same question.
 */
import type { DriveExportFormats } from './api/entities.js';
import type { FolderPolicy } from './policy.js';
import { normalizeFolder, parentOf } from './paths.js';

export type ExportFormatsFor = (folder: string) => DriveExportFormats;

export function exportFormatsResolver(
  policies: readonly FolderPolicy[],
  base: DriveExportFormats | undefined,
): ExportFormatsFor {
  const byFolder = new Map<string, DriveExportFormats>();
  for (const p of policies) {
    if (p.exports && Object.keys(p.exports).length) byFolder.set(normalizeFolder(p.folder), p.exports);
  }
  const cache = new Map<string, DriveExportFormats>();
  const resolve = (folder: string): DriveExportFormats => {
    const hit = cache.get(folder);
    if (hit) return hit;
    const above = folder === '' ? { ...base } : resolve(parentOf(folder));
    const mine = byFolder.get(folder);
    const out = mine ? { ...above, ...mine } : above;
    if (cache.size > 10_000) cache.clear();
    cache.set(folder, out);
    return out;
  };
  return resolve;
}
