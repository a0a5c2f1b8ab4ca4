/**
 * Pure logic of the source tree: the loaded folders and the expanded set become one flat list of rows
 * (what the virtualizer renders), which pages a visible window still needs, and the keyboard moves.
 * No React, no API: unit-tested on its own.
 */
import type { TreeEntry } from '../../../shared/api/entities.js';
import type { FolderPolicy } from '../../../shared/policy.js';
import { selectionOf } from '../../../shared/selection.js';

/** Children fetched per `tree.list` call. */
export const PAGE_SIZE = 500;

export interface PageData {
  entries: TreeEntry[];
  /** The store generation the page was fetched in; older than the store's means stale (re-fetch when seen). */
  gen: number;
}

export interface FolderData {
  /** All children of the folder; null until its first page answered. */
  total: number | null;
  /** Loaded pages by index (page i holds children i*PAGE_SIZE ..). */
  pages: Record<number, PageData>;
  /** The folder itself as the host described it (used for the root row). */
  self?: TreeEntry;
  /** The folder could not be read, in plain words. */
  error?: string;
}

export type Folders = Record<string, FolderData>;
export type Expanded = Record<string, true>;

export type Row =
  | {
      kind: 'entry';
      key: string;
      entry: TreeEntry;
      /** 0 for the root row. */
      depth: number;
      /** The folder listing it; null for the root row. */
      parent: string | null;
      /** Position among the parent's children (0 for the root). */
      index: number;
      /** Number of siblings (1 for the root). */
      setSize: number;
    }
  | { kind: 'placeholder'; key: string; depth: number; parent: string; index: number; setSize: number }
  | { kind: 'message'; key: string; depth: number; folder: string; tone: 'loading' | 'empty' | 'error'; text: string };

/** The root row when its page has not answered yet (or could not be read). */
export function rootStandIn(sourceName: string): TreeEntry {
  return {
    name: sourceName,
    path: '',
    type: 'dir',
    size: null,
    mtimeMs: null,
    excluded: false,
    selection: {},
    badges: {},
  };
}

/** A folder's load error as the row says it. */
export function unreadable(error: string): string {
  return `Couldn't read this folder: ${error}`;
}

/** True for rows that can be expanded (real folders; links are not followed). */
export function isFolder(entry: TreeEntry): boolean {
  return entry.type === 'dir';
}

/** A run of consecutive rows: the root, a message, or children `from..from+size` of one folder. */
interface Segment {
  start: number;
  size: number;
  kind: 'root' | 'message' | 'children';
  folder: string;
  depth: number;
  from: number;
  message?: Row;
}

/**
 * The visible tree as a list of rows, built from segments so a folder of 100,000 children costs one
 * segment, not 100,000 objects: rows are made on demand (and cached) for the window being drawn.
 */
export class RowList {
  readonly length: number;
  private readonly cache = new Map<number, Row>();

  constructor(
    private readonly segments: readonly Segment[],
    private readonly folders: Folders,
    private readonly root: TreeEntry,
  ) {
    const last = segments[segments.length - 1];
    this.length = last ? last.start + last.size : 0;
  }

  at(i: number): Row | undefined {
    if (i < 0 || i >= this.length) return undefined;
    const hit = this.cache.get(i);
    if (hit) return hit;
    const seg = this.segmentAt(i);
    let row: Row;
    if (seg.kind === 'root') {
      row = { kind: 'entry', key: '', entry: this.root, depth: 0, parent: null, index: 0, setSize: 1 };
    } else if (seg.kind === 'message') {
      row = seg.message!;
    } else {
      const data = this.folders[seg.folder]!;
      const total = data.total ?? 0;
      const child = seg.from + (i - seg.start);
      const entry = data.pages[Math.floor(child / PAGE_SIZE)]?.entries[child % PAGE_SIZE];
      row = entry
        ? { kind: 'entry', key: entry.path, entry, depth: seg.depth, parent: seg.folder, index: child, setSize: total }
        : {
            kind: 'placeholder',
            key: `${seg.folder}\0#${child}`,
            depth: seg.depth,
            parent: seg.folder,
            index: child,
            setSize: total,
          };
    }
    this.cache.set(i, row);
    return row;
  }

  /** Row index of a key (a path for entries), or -1 when it is not shown. */
  indexOf(key: string): number {
    if (key === '') return this.length ? 0 : -1;
    const cut = key.indexOf('\0');
    if (cut >= 0) {
      const folder = key.slice(0, cut);
      const rest = key.slice(cut + 1);
      if (rest.startsWith('#')) return this.childRow(folder, Number(rest.slice(1)));
      for (const seg of this.segments) {
        if (seg.kind === 'message' && seg.message!.key === key) return seg.start;
      }
      return -1;
    }
    const parent = key.includes('/') ? key.slice(0, key.lastIndexOf('/')) : '';
    const data = this.folders[parent];
    if (!data) return -1;
    for (const [p, page] of Object.entries(data.pages)) {
      const j = page.entries.findIndex((e) => e.path === key);
      if (j >= 0) {
        const row = this.childRow(parent, Number(p) * PAGE_SIZE + j);
        return row >= 0 && this.at(row)?.key === key ? row : -1;
      }
    }
    return -1;
  }

  /** Every row (tests and small trees only). */
  toArray(): Row[] {
    const out: Row[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.at(i)!);
    return out;
  }

  private childRow(folder: string, child: number): number {
    for (const seg of this.segments) {
      if (seg.kind === 'children' && seg.folder === folder && child >= seg.from && child < seg.from + seg.size) {
        return seg.start + (child - seg.from);
      }
    }
    return -1;
  }

  private segmentAt(i: number): Segment {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid]!.start <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.segments[lo]!;
  }
}

/**
 * Where an expanded sub-folder sits among its parent's loaded children. Folders come first in a
 * listing, so the scan stops at the first non-folder.
 */
function childIndex(data: FolderData, path: string): number {
  const pageCount = Math.ceil((data.total ?? 0) / PAGE_SIZE);
  for (let p = 0; p < pageCount; p++) {
    const entries = data.pages[p]?.entries;
    if (!entries) continue;
    for (let j = 0; j < entries.length; j++) {
      const e = entries[j]!;
      if (e.path === path) return p * PAGE_SIZE + j;
      if (!isFolder(e)) return -1;
    }
  }
  return -1;
}

/** The root row, then the children of every expanded folder below it, depth first. */
export function flattenTree(folders: Folders, expanded: Expanded, sourceName: string): RowList {
  const segments: Segment[] = [];
  let next = 0;
  const push = (seg: Omit<Segment, 'start'>): void => {
    if (seg.size <= 0) return;
    segments.push({ ...seg, start: next });
    next += seg.size;
  };
  const message = (folder: string, depth: number, tone: 'loading' | 'empty' | 'error', text: string): void =>
    push({
      kind: 'message',
      size: 1,
      folder,
      depth,
      from: 0,
      message: { kind: 'message', key: `${folder}\0${tone}`, depth, folder, tone, text },
    });

  // Expanded folders by parent, so each folder finds its open children without scanning them all.
  const openBelow = new Map<string, string[]>();
  for (const path of Object.keys(expanded)) {
    if (path === '') continue;
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    const list = openBelow.get(parent);
    if (list) list.push(path);
    else openBelow.set(parent, [path]);
  }

  push({ kind: 'root', size: 1, folder: '', depth: 0, from: 0 });
  if (expanded['']) visit('', 1);
  return new RowList(segments, folders, folders['']?.self ?? rootStandIn(sourceName));

  function visit(folder: string, depth: number): void {
    const data = folders[folder];
    if (!data || data.total === null) {
      if (data?.error) message(folder, depth, 'error', unreadable(data.error));
      else message(folder, depth, 'loading', 'Loading…');
      return;
    }
    if (data.error) message(folder, depth, 'error', unreadable(data.error));
    const total = data.total;
    if (total === 0) {
      if (!data.error) message(folder, depth, 'empty', 'Empty folder');
      return;
    }
    const open = (openBelow.get(folder) ?? [])
      .map((path) => ({ path, at: childIndex(data, path) }))
      .filter((c) => c.at >= 0)
      .sort((x, y) => x.at - y.at);
    let from = 0;
    for (const child of open) {
      push({ kind: 'children', size: child.at + 1 - from, folder, depth, from });
      visit(child.path, depth + 1);
      from = child.at + 1;
    }
    push({ kind: 'children', size: total - from, folder, depth, from });
  }
}

export interface PageRequest {
  folder: string;
  page: number;
}

/**
 * Pages the rows `from..to` (inclusive, clamped) show or stand for that are missing or older than
 * `generation`: placeholders and stale entries need their page, the root row needs the root's first page
 * (its `self`), a loading message needs the folder's first page.
 */
export function pagesNeeded(
  rows: RowList,
  folders: Folders,
  from: number,
  to: number,
  generation: number,
): PageRequest[] {
  const out: PageRequest[] = [];
  const seen = new Set<string>();
  const want = (folder: string, page: number): void => {
    const k = `${folder}\0${page}`;
    if (seen.has(k)) return;
    seen.add(k);
    const data = folders[folder];
    const have = data?.pages[page];
    if (!have || have.gen < generation) out.push({ folder, page });
  };
  const lo = Math.max(0, from);
  const hi = Math.min(rows.length - 1, to);
  for (let i = lo; i <= hi; i++) {
    const row = rows.at(i)!;
    if (row.kind === 'message') {
      want(row.folder, 0);
    } else if (row.parent === null) {
      want('', 0);
    } else {
      want(row.parent, Math.floor(row.index / PAGE_SIZE));
    }
  }
  return out;
}

/** Applies one answered page to the folders (returns a new object; the page's total wins). */
export function applyPage(
  folders: Folders,
  folder: string,
  page: number,
  answer: { total: number; entries: TreeEntry[]; self: TreeEntry; error?: string | undefined },
  gen: number,
): Folders {
  const prev = folders[folder];
  const pages: Record<number, PageData> = {};
  const lastPage = Math.ceil(answer.total / PAGE_SIZE) - 1;
  if (prev && prev.total === answer.total) {
    for (const [k, v] of Object.entries(prev.pages)) if (Number(k) <= lastPage) pages[Number(k)] = v;
  } else if (prev) {
    // The folder grew or shrank: other pages may have shifted; keep them for display but mark them stale.
    for (const [k, v] of Object.entries(prev.pages)) {
      if (Number(k) <= lastPage) pages[Number(k)] = { entries: v.entries, gen: -1 };
    }
  }
  pages[page] = { entries: answer.entries, gen };
  const next: FolderData = { total: answer.total, pages, self: answer.self };
  if (answer.error) next.error = answer.error;
  return { ...folders, [folder]: next };
}

/** Records that a folder's page could not be fetched at all (the call failed). */
export function applyPageError(folders: Folders, folder: string, page: number, message: string, gen: number): Folders {
  const prev = folders[folder];
  const next: FolderData = {
    total: prev?.total ?? 0,
    pages: { ...(prev?.pages ?? {}), [page]: { entries: prev?.pages[page]?.entries ?? [], gen } },
    error: message,
  };
  if (prev?.self) next.self = prev.self;
  return { ...folders, [folder]: next };
}

/**
 * Recomputes some destinations' checkboxes of everything loaded from the saved policies (the host's
 * answer to a save), with the host's own rule, so the tree shows the saved state before it reloads.
 */
export function reselect(folders: Folders, policies: readonly FolderPolicy[], destIds: ReadonlySet<string>): Folders {
  if (destIds.size === 0) return folders;
  const touch = (e: TreeEntry): TreeEntry => {
    const selection = { ...e.selection };
    for (const id of destIds) if (selection[id] !== undefined) selection[id] = selectionOf(policies, e.path, id);
    return { ...e, selection };
  };
  const out: Folders = {};
  for (const [folder, data] of Object.entries(folders)) {
    const pages: Record<number, PageData> = {};
    for (const [k, v] of Object.entries(data.pages)) pages[Number(k)] = { ...v, entries: v.entries.map(touch) };
    const next: FolderData = { ...data, pages };
    if (data.self) next.self = touch(data.self);
    out[folder] = next;
  }
  return out;
}

/** What a key press on the focused row asks for. */
export interface NavResult {
  /** Row index to focus. */
  focus?: number;
  expand?: string;
  collapse?: string;
  /** Space: tick/untick the first destination of the focused row. */
  toggleFirst?: boolean;
  /** The key was used (prevent the browser's default). */
  handled: boolean;
}

function navigable(row: Row | undefined): boolean {
  return row !== undefined && row.kind !== 'message';
}

function step(rows: RowList, from: number, dir: 1 | -1, count = 1): number {
  let i = from;
  let moved = 0;
  let last = from;
  while (moved < count) {
    i += dir;
    if (i < 0 || i >= rows.length) break;
    if (navigable(rows.at(i))) {
      last = i;
      moved++;
    }
  }
  return last;
}

/**
 * The tree's keyboard: ArrowUp/Down move, ArrowRight expands or enters the first child, ArrowLeft
 * collapses or goes to the parent, Home/End, PageUp/PageDown by `pageRows`, Enter toggles a folder,
 * Space ticks the first destination.
 */
export function navigate(rows: RowList, focus: number, key: string, expanded: Expanded, pageRows = 10): NavResult {
  const row = rows.at(focus);
  if (!row) return rows.length ? { focus: 0, handled: true } : { handled: false };
  switch (key) {
    case 'ArrowDown':
      return { focus: step(rows, focus, 1), handled: true };
    case 'ArrowUp':
      return { focus: step(rows, focus, -1), handled: true };
    case 'PageDown':
      return { focus: step(rows, focus, 1, pageRows), handled: true };
    case 'PageUp':
      return { focus: step(rows, focus, -1, pageRows), handled: true };
    case 'Home':
      return { focus: 0, handled: true };
    case 'End': {
      let i = rows.length - 1;
      while (i > 0 && !navigable(rows.at(i))) i--;
      return { focus: i, handled: true };
    }
    case 'ArrowRight': {
      if (row.kind !== 'entry' || !isFolder(row.entry)) return { handled: true };
      if (!expanded[row.entry.path]) return { expand: row.entry.path, handled: true };
      const next = rows.at(focus + 1);
      if (next && next.depth === row.depth + 1 && navigable(next)) return { focus: focus + 1, handled: true };
      return { handled: true };
    }
    case 'ArrowLeft': {
      if (row.kind === 'entry' && isFolder(row.entry) && expanded[row.entry.path]) {
        return { collapse: row.entry.path, handled: true };
      }
      const parent = row.kind === 'message' ? row.folder : row.parent;
      if (parent === null) return { handled: true };
      const at = rows.indexOf(parent);
      return at >= 0 ? { focus: at, handled: true } : { handled: true };
    }
    case 'Enter':
      if (row.kind === 'entry' && isFolder(row.entry)) {
        return expanded[row.entry.path]
          ? { collapse: row.entry.path, handled: true }
          : { expand: row.entry.path, handled: true };
      }
      return { handled: false };
    case ' ':
    case 'Spacebar':
      return row.kind === 'entry' ? { toggleFirst: true, handled: true } : { handled: true };
    default:
      return { handled: false };
  }
}

/** Index of the row with `key`, or the row now at `hint` (a placeholder that became an entry). */
export function resolveFocus(rows: RowList, key: string, hint: number): number {
  if (rows.at(hint)?.key === key) return hint;
  const found = rows.indexOf(key);
  if (found >= 0) return found;
  return Math.max(0, Math.min(hint, rows.length - 1));
}
