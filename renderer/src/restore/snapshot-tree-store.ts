/**
 * The pages of one snapshot's tree as the wizard loaded them (`snapshots.browse`), in the shape the
 * Sources tree's pure helpers (flatten.ts) work on, so both trees page, flatten and move the same way.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SnapshotEntry, TreeEntry } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import {
  applyPage,
  applyPageError,
  PAGE_SIZE,
  type Expanded,
  type Folders,
  type PageRequest,
} from '../tree/flatten.js';
import { describe } from '../tree/store.js';

export interface SnapshotTreeState {
  folders: Folders;
  expanded: Expanded;
  /** Per loaded folder: files and bytes below it, at every depth. */
  totals: Record<string, { files: number; bytes: number }>;
  focusKey: string;
  focusIndex: number;
  expand(path: string): void;
  collapse(path: string): void;
  toggle(path: string): void;
  setFocus(key: string, index: number): void;
  load(requests: readonly PageRequest[]): void;
}

export type SnapshotTreeStore = StoreApi<SnapshotTreeState>;

function asTreeEntry(e: SnapshotEntry): TreeEntry {
  return {
    name: e.name,
    path: e.path,
    type: e.type,
    size: e.size,
    mtimeMs: e.mtime || null,
    excluded: false,
    selection: {},
    badges: {},
  };
}

export function createSnapshotTreeStore(destination: string, snapshot: string, rootName: string): SnapshotTreeStore {
  const inflight = new Set<string>();
  return createStore<SnapshotTreeState>()((set, get) => ({
    folders: {},
    expanded: { '': true },
    totals: {},
    focusKey: '',
    focusIndex: 0,
    expand(path) {
      if (!get().expanded[path]) set((s) => ({ expanded: { ...s.expanded, [path]: true } }));
    },
    collapse(path) {
      if (!get().expanded[path]) return;
      set((s) => {
        const expanded = { ...s.expanded };
        delete expanded[path];
        return { expanded };
      });
    },
    toggle(path) {
      if (get().expanded[path]) get().collapse(path);
      else get().expand(path);
    },
    setFocus(focusKey, focusIndex) {
      const s = get();
      if (s.focusKey !== focusKey || s.focusIndex !== focusIndex) set({ focusKey, focusIndex });
    },
    load(requests) {
      for (const { folder, page } of requests) {
        const k = `${folder}\0${page}`;
        // A snapshot never changes: a page is fetched once.
        if (inflight.has(k) || get().folders[folder]?.pages[page]) continue;
        inflight.add(k);
        api()
          .call('snapshots.browse', { destination, snapshot, folder, offset: page * PAGE_SIZE, limit: PAGE_SIZE })
          .then(
            (answer) => {
              inflight.delete(k);
              const totals = { ...get().totals, [folder]: answer.self };
              for (const e of answer.entries) {
                if (e.type === 'dir') totals[e.path] = { files: e.files ?? 0, bytes: e.bytes ?? 0 };
              }
              const self: TreeEntry = {
                ...asTreeEntry({
                  name: folder === '' ? rootName : folder,
                  path: folder,
                  type: 'dir',
                  size: null,
                  mtime: 0,
                }),
              };
              set({
                totals,
                folders: applyPage(
                  get().folders,
                  folder,
                  page,
                  { ...answer, entries: answer.entries.map(asTreeEntry), self },
                  1,
                ),
              });
            },
            (err: unknown) => {
              inflight.delete(k);
              const e = describe(err);
              set({
                folders: applyPageError(get().folders, folder, page, e.hint ? `${e.message}: ${e.hint}` : e.message, 1),
              });
            },
          );
      }
    },
  }));
}
