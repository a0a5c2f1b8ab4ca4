/**
 * Relative paths inside a source: '/'-separated, no leading or trailing slash, '' is the
 * source's root. Pure string helpers, usable in Node and in the renderer.
 */
import { StrataError } from './errors.js';

const SLASH = 47; // '/'

/**
 * Canonical form of a folder the user typed: '' for the root ('/', '', '.'), else 'a/b'
 * (no leading/trailing slash, no empty or '.' segments). '..' is refused: a policy folder
 * must stay inside its source.
 */
export function normalizeFolder(input: string): string {
  if (input.includes('\0')) {
    throw new StrataError(
      'usage',
      `folder "${input.replace(/\0/g, '\\0')}" contains a NUL character`,
      'type the folder path without it',
    );
  }
  const parts: string[] = [];
  for (const segment of input.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      throw new StrataError(
        'usage',
        `folder "${input}" contains "..", which would leave the source`,
        'give the folder relative to the source root, e.g. "photos/2024" (or "/" for all of it)',
      );
    }
    parts.push(segment);
  }
  return parts.join('/');
}

/**
 * True when `p` can be joined under a target directory without leaving it, on POSIX and on
 * Windows: non-empty, relative, no empty, '.' or '..' segments, no NUL. Backslashes are
 * legal in POSIX names, but '..' between backslashes and drive or UNC prefixes would escape
 * on Windows, so those are refused everywhere. The root ('') is not a file path: false.
 */
export function isSafeRelativePath(p: string): boolean {
  if (p.length === 0 || p.includes('\0')) return false;
  const first = p.charCodeAt(0);
  if (first === SLASH || first === 92 /* '\' */) return false;
  // 'C:', 'C:foo' (drive-relative on Windows).
  if (/^[A-Za-z]:/.test(p)) return false;
  for (const segment of p.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return false;
    if (segment.includes('\\')) {
      for (const piece of segment.split('\\')) {
        if (piece === '.' || piece === '..') return false;
      }
    }
  }
  return true;
}

/** 'a/b/c' → 'a/b'; 'a' → ''; '' → '' (the root has no parent; callers check for it). */
export function parentOf(p: string): string {
  const cut = p.lastIndexOf('/');
  return cut < 0 ? '' : p.slice(0, cut);
}

/** 'a/b/c' → 'c'; 'a' → 'a'; '' → ''. */
export function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Joins a canonical folder and a name: ('', 'x') → 'x', ('a', 'x') → 'a/x'. */
export function joinPath(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

/** True when `p` is `folder` itself or anything below it; every path is under the root (''). */
export function isSameOrUnder(p: string, folder: string): boolean {
  const n = folder.length;
  if (n === 0) return true;
  if (p.length === n) return p === folder;
  return p.length > n && p.charCodeAt(n) === SLASH && p.startsWith(folder);
}
