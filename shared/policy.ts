/**
 * Folder policies: which destinations get which files of a source. Resolution is pure and
 * compiled once, then asked about every path of a walk (millions of calls), so the per-call
 * paths below avoid allocation and repeated work.
 */
import ignore from 'ignore';
import type { DriveExportFormats } from './api/entities.js';
import { StrataError } from './errors.js';
import { normalizeFolder, parentOf } from './paths.js';

export interface FolderPolicy {
  /** Canonical folder ('' = the source's root), see normalizeFolder. */
  folder: string;
  /** true sends this folder (and all below) to the destination; false stops it here. */
  destinations: Record<string, boolean>;
  /** gitignore patterns, relative to `folder`, inherited by everything below it. */
  excludes: string[];
  /** Files larger than this many bytes are left out (the deepest policy setting it wins). */
  maxSize?: number | undefined;
  /** Google Drive: how Docs are exported below this folder (per kind, the deepest setting wins). */
  exports?: DriveExportFormats | undefined;
}

export interface PolicyResolver {
  /**
   * Destinations a file (or, with isDir, a folder) goes to. Each destination is decided by the
   * deepest ancestor-or-self policy that mentions it; never mentioned means not sent. Excluded
   * paths and files over the size cap get none. The array is shared: do not modify it.
   */
  destinationsFor(path: string, size?: number, isDir?: boolean): readonly string[];
  /** gitignore semantics across nested policies; an excluded folder excludes all below it. */
  isExcluded(path: string, isDir: boolean): boolean;
  /** The size cap of the deepest ancestor-or-self policy that sets one. */
  maxSizeFor(path: string): number | undefined;
  /** False when nothing under dirPath can be sent anywhere, so a walk can skip it. */
  shouldDescend(dirPath: string): boolean;
}

export interface CompileOptions {
  /** Match exclusion patterns case-insensitively (as git does with core.ignorecase). Default false. */
  ignoreCase?: boolean;
}

interface ResolvedFolder {
  destinations: readonly string[];
  maxSize: number | undefined;
}

type Matcher = ReturnType<typeof ignore>;

const NONE: readonly string[] = Object.freeze([]);
/** Folder lookups are memoised; start afresh past this many folders. */
const FOLDER_CACHE_LIMIT = 50_000;
/** The `ignore` matcher memoises every path it sees, in a plain object that slows as it grows. */
const MATCHER_CACHE_LIMIT = 10_000;

export function compilePolicies(policies: readonly FolderPolicy[], options: CompileOptions = {}): PolicyResolver {
  const merged = mergeByFolder(policies);
  const byFolder = resolveFolders(merged);
  const includingBelow = foldersWithIncludesBelow(merged);
  const excluder = makeExcluder(merged, options.ignoreCase ?? false);

  // Deepest policy folder at or above a folder; a walk asks about siblings one after another.
  let dirCache = new Map<string, ResolvedFolder>();
  const forDir = (dir: string): ResolvedFolder => {
    const cached = dirCache.get(dir);
    if (cached) return cached;
    let found: ResolvedFolder | undefined;
    for (let at = dir; found === undefined; at = parentOf(at)) {
      found = byFolder.get(at) ?? (at === '' ? ROOT_DEFAULT : undefined);
    }
    if (dirCache.size >= FOLDER_CACHE_LIMIT) dirCache = new Map();
    dirCache.set(dir, found);
    return found;
  };
  const forPath = (path: string): ResolvedFolder => byFolder.get(path) ?? forDir(parentOf(path));

  return {
    destinationsFor(path, size, isDir = false) {
      const at = isDir ? forDir(path) : forPath(path);
      if (at.destinations.length === 0) return NONE;
      if (!isDir && size !== undefined && at.maxSize !== undefined && size > at.maxSize) return NONE;
      if (excluder.isExcluded(path, isDir)) return NONE;
      return at.destinations;
    },
    isExcluded: (path, isDir) => excluder.isExcluded(path, isDir),
    maxSizeFor: (path) => forPath(path).maxSize,
    shouldDescend(dirPath) {
      if (excluder.isExcluded(dirPath, true)) return false;
      return forDir(dirPath).destinations.length > 0 || includingBelow.has(dirPath);
    },
  };
}

const ROOT_DEFAULT: ResolvedFolder = { destinations: NONE, maxSize: undefined };

/** Canonical folders, one policy each (a later duplicate overrides an earlier one). */
function mergeByFolder(policies: readonly FolderPolicy[]): Map<string, FolderPolicy> {
  const out = new Map<string, FolderPolicy>();
  for (const p of policies) {
    const folder = normalizeFolder(p.folder);
    if (p.maxSize !== undefined && !(Number.isFinite(p.maxSize) && p.maxSize >= 0)) {
      throw new StrataError(
        'config',
        `the size cap of folder "/${folder}" is not a size (${p.maxSize})`,
        'set a number of bytes, 0 or more',
      );
    }
    const prev = out.get(folder);
    out.set(folder, {
      folder,
      destinations: { ...prev?.destinations, ...p.destinations },
      excludes: [...(prev?.excludes ?? []), ...p.excludes],
      maxSize: p.maxSize ?? prev?.maxSize,
    });
  }
  return out;
}

function depthOf(folder: string): number {
  if (folder === '') return 0;
  let n = 1;
  for (let i = 0; i < folder.length; i++) if (folder.charCodeAt(i) === 47) n++;
  return n;
}

/** Shallow first, so a folder's ancestors are resolved before it. */
function byDepth(policies: Map<string, FolderPolicy>): FolderPolicy[] {
  return [...policies.values()].sort((a, b) => depthOf(a.folder) - depthOf(b.folder));
}

/** For every policy folder: the destinations its files go to and its size cap, inherited. */
function resolveFolders(policies: Map<string, FolderPolicy>): Map<string, ResolvedFolder> {
  const decided = new Map<string, Map<string, boolean>>();
  const out = new Map<string, ResolvedFolder>();
  for (const p of byDepth(policies)) {
    let parent = p.folder === '' ? undefined : parentOf(p.folder);
    while (parent !== undefined && !policies.has(parent)) parent = parent === '' ? undefined : parentOf(parent);
    const inherited = parent === undefined ? undefined : decided.get(parent);
    const mine = new Map(inherited);
    for (const [dest, on] of Object.entries(p.destinations)) mine.set(dest, on);
    decided.set(p.folder, mine);
    const destinations = Object.freeze(
      [...mine]
        .filter(([, on]) => on)
        .map(([dest]) => dest)
        .sort(),
    );
    const maxSize = p.maxSize ?? (parent === undefined ? undefined : out.get(parent)?.maxSize);
    out.set(p.folder, { destinations, maxSize });
  }
  return out;
}

/** Every strict ancestor of a folder whose policy sends somewhere: a walk must go through them. */
function foldersWithIncludesBelow(policies: Map<string, FolderPolicy>): Set<string> {
  const out = new Set<string>();
  for (const p of policies.values()) {
    if (p.folder === '' || !Object.values(p.destinations).some(Boolean)) continue;
    for (let at = parentOf(p.folder); ; at = parentOf(at)) {
      out.add(at);
      if (at === '') break;
    }
  }
  return out;
}

interface Excluder {
  isExcluded(path: string, isDir: boolean): boolean;
}

/**
 * All policies' patterns in one gitignore matcher, each rewritten to be relative to the
 * source's root and ordered shallow to deep: git lets the deepest .gitignore that matches
 * decide, and here the last matching rule decides, which is the same thing. One matcher
 * rather than one per policy because the `ignore` package always applies a matcher's own
 * verdict on parent folders, which would let a shallow policy exclude what a deeper one
 * re-includes.
 */
function makeExcluder(policies: Map<string, FolderPolicy>, ignoreCase: boolean): Excluder {
  const rules: string[] = [];
  for (const p of byDepth(policies)) {
    for (const pattern of p.excludes) {
      const rule = rebase(pattern, p.folder);
      if (rule !== undefined) rules.push(rule);
    }
  }
  if (rules.length === 0) return { isExcluded: () => false };

  const template = ignore({ ignoreCase }).add(rules);
  // A fresh matcher (sharing the compiled rules) now and then bounds memory and keeps lookups fast.
  let matcher: Matcher = ignore({ ignoreCase }).add(template);
  let calls = 0;
  return {
    isExcluded(path, isDir) {
      if (path === '') return false;
      if (++calls > MATCHER_CACHE_LIMIT) {
        matcher = ignore({ ignoreCase }).add(template);
        calls = 0;
      }
      return matcher.ignores(isDir ? `${path}/` : path);
    },
  };
}

/**
 * A pattern of the policy at `folder`, as a pattern relative to the root. Like git: a pattern
 * with a '/' at its start or middle is anchored to the folder, one without matches at any
 * depth below it (hence '**'). Returns undefined for blank lines and comments.
 */
export function rebase(pattern: string, folder: string): string | undefined {
  if (pattern.trim() === '' || pattern.startsWith('#')) return undefined;
  if (folder === '') return pattern;
  const negated = pattern.startsWith('!');
  let body = negated ? pattern.slice(1) : pattern;
  if (body.trim() === '' || body === '/') return undefined;
  const anchored = body.startsWith('/') || body.trimEnd().replace(/\/+$/, '').includes('/');
  if (body.startsWith('/')) body = body.slice(1);
  return `${negated ? '!' : ''}${escapeLiteral(folder)}/${anchored ? '' : '**/'}${body}`;
}

/** A folder path as a literal in gitignore syntax: glob characters and leading '!'/'#' escaped. */
function escapeLiteral(folder: string): string {
  const escaped = folder.replace(/[\\*?[\]]/g, '\\$&');
  return escaped.startsWith('!') || escaped.startsWith('#') ? `\\${escaped}` : escaped;
}
