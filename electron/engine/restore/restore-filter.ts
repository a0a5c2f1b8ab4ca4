import type { ManifestEntry } from '../repository/manifest-schema.js';
import { isSameOrUnder, normalizeFolder } from '../../../shared/paths.js';

export interface RestoreFilter {
  /** Only this folder or file (relative to the source root). */
  pathPrefix?: string | undefined;
  /** Only files with these extensions ('.jpg', case-insensitive). */
  extensions?: string[] | undefined;
  /** Only files modified at or after / before these instants. */
  since?: Date | undefined;
  until?: Date | undefined;
}

/** Compiles a filter into a predicate over manifest entries (folders pass when they could hold a match). */
export function compileRestoreFilter(f: RestoreFilter): (e: ManifestEntry) => boolean {
  const prefix = f.pathPrefix ? normalizeFolder(f.pathPrefix) : '';
  const exts = f.extensions?.map((x) => (x.startsWith('.') ? x : `.${x}`).toLowerCase());
  const since = f.since?.getTime();
  const until = f.until?.getTime();
  return (e) => {
    if (prefix && !isSameOrUnder(e.path, prefix)) return false;
    if (e.type === 'dir') return true;
    if (exts && !exts.some((x) => e.path.toLowerCase().endsWith(x))) return false;
    if (since !== undefined && e.mtime < since) return false;
    if (until !== undefined && e.mtime > until) return false;
    return true;
  };
}
