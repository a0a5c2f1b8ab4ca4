import type { ManifestEntry } from '../repository/manifest-schema.js';
import { baseName, isSameOrUnder, normalizeFolder, parentOf } from '../../../shared/paths.js';

export interface RestoreFilter {
  /** Only this folder or file (relative to the source root). */
  pathPrefix?: string | undefined;
  /**
   * Ticked files and folders (everything below a ticked folder comes along); none ticked = all.
   * `exclude` unticks paths below a ticked folder again: the deepest decision on a path wins.
   */
  paths?: string[] | undefined;
  exclude?: string[] | undefined;
  /** Only files with these extensions ('.jpg', case-insensitive). */
  extensions?: string[] | undefined;
  /** Only files whose name (not folder) contains this, case-insensitive. */
  nameContains?: string | undefined;
  /** Only files modified at or after / before these instants. */
  since?: Date | undefined;
  until?: Date | undefined;
}

/** The part of an entry a filter looks at (manifest entries and snapshot-index rows alike). */
export type Filterable = Pick<ManifestEntry, 'path' | 'type' | 'mtime'>;

/** Compiles a filter into a predicate over entries (folders pass when they are selected, whatever the file rules). */
export function compileRestoreFilter(f: RestoreFilter): (e: Filterable) => boolean {
  const prefix = f.pathPrefix ? normalizeFolder(f.pathPrefix) : '';
  const picked = compileSelection(f.paths, f.exclude);
  const exts = f.extensions?.length
    ? f.extensions.map((x) => (x.startsWith('.') ? x : `.${x}`).toLowerCase())
    : undefined;
  const name = f.nameContains?.trim().toLowerCase() || undefined;
  const since = f.since?.getTime();
  const until = f.until?.getTime();
  return (e) => {
    if (prefix && !isSameOrUnder(e.path, prefix)) return false;
    if (!picked(e.path)) return false;
    if (e.type === 'dir') return true;
    if (exts && !exts.some((x) => e.path.toLowerCase().endsWith(x))) return false;
    if (name && !baseName(e.path).toLowerCase().includes(name)) return false;
    if (since !== undefined && e.mtime < since) return false;
    if (until !== undefined && e.mtime > until) return false;
    return true;
  };
}

/** True when the filter narrows anything down (a restore of everything needs no predicate). */
export function isFiltered(f: RestoreFilter): boolean {
  return Boolean(
    f.pathPrefix ||
    f.paths?.length ||
    f.exclude?.length ||
    f.extensions?.length ||
    f.nameContains?.trim() ||
    f.since ||
    f.until,
  );
}

/**
 * Ticks and unticks as a predicate: a path takes the decision of its nearest ticked or unticked
 * ancestor (itself included). With nothing ticked, everything is in unless unticked.
 */
function compileSelection(paths: string[] | undefined, exclude: string[] | undefined): (path: string) => boolean {
  const decisions = new Map<string, boolean>();
  for (const p of paths ?? []) decisions.set(normalizeFolder(p), true);
  // An untick beats a tick of the very same path.
  for (const p of exclude ?? []) decisions.set(normalizeFolder(p), false);
  if (decisions.size === 0) return () => true;
  const fallback = !(paths ?? []).length;
  return (path) => {
    let p = path;
    for (;;) {
      const d = decisions.get(p);
      if (d !== undefined) return d;
      if (p === '') return fallback;
      p = parentOf(p);
    }
  };
}
