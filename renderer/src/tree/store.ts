/**
 * State of one source's tree: loaded pages per folder, what is expanded, which row has focus, and the
 * calls that change them. One store per mounted SourceTree (a source's tree is not shared).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { ApiError } from '../../../shared/api/client.js';
import type { DestinationInfo, TreeEntry } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import {
  applyPage,
  applyPageError,
  applySelection,
  PAGE_SIZE,
  type Expanded,
  type Folders,
  type PageRequest,
} from './flatten.js';

export interface ActionError {
  message: string;
  hint?: string | undefined;
}

export interface TreeState {
  source: string;
  folders: Folders;
  expanded: Expanded;
  /** Bumped to reload: pages fetched in an older generation are re-fetched as they are seen. */
  generation: number;
  /** Key of the focused row (a path for entries) and where it was, for rows that change key. */
  focusKey: string;
  focusIndex: number;
  /** The last failed tick or save, shown in the alert area. */
  actionError: ActionError | null;

  expand(path: string): void;
  collapse(path: string): void;
  toggle(path: string): void;
  setFocus(key: string, index: number): void;
  /** Fetches the pages asked for, skipping those already on their way in this generation. */
  load(requests: readonly PageRequest[]): void;
  /** Everything loaded becomes stale; what is visible is re-fetched at once by the view. */
  reload(): void;
  select(entry: TreeEntry, destination: DestinationInfo, include: boolean): Promise<void>;
  setActionError(err: ActionError | null): void;
}

export type TreeStore = StoreApi<TreeState>;

export function describe(err: unknown): ActionError {
  if (err instanceof ApiError) return { message: err.message, hint: err.hint };
  if (err instanceof Error) return { message: err.message };
  return { message: String(err) };
}

export function createTreeStore(source: string): TreeStore {
  /** folder\0page → generation of the request in flight. */
  const inflight = new Map<string, number>();

  return createStore<TreeState>()((set, get) => ({
    source,
    folders: {},
    expanded: { '': true },
    generation: 1,
    focusKey: '',
    focusIndex: 0,
    actionError: null,

    expand(path) {
      if (get().expanded[path]) return;
      set((s) => ({ expanded: { ...s.expanded, [path]: true } }));
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
      const gen = get().generation;
      for (const { folder, page } of requests) {
        const k = `${folder}\0${page}`;
        if ((inflight.get(k) ?? 0) >= gen) continue;
        inflight.set(k, gen);
        api()
          .call('tree.list', { source, folder, offset: page * PAGE_SIZE, limit: PAGE_SIZE })
          .then(
            (answer) => {
              if (inflight.get(k) === gen) inflight.delete(k);
              const s = get();
              const have = s.folders[folder]?.pages[page];
              // An answer from before a reload still beats an empty row, but never newer data.
              if (have && have.gen > gen) return;
              if (gen < s.generation && have) return;
              set({ folders: applyPage(s.folders, folder, page, answer, gen) });
            },
            (err: unknown) => {
              if (inflight.get(k) === gen) inflight.delete(k);
              const s = get();
              if (gen < s.generation && s.folders[folder]) return;
              const e = describe(err);
              const text = e.hint ? `${e.message}: ${e.hint}` : e.message;
              set({ folders: applyPageError(s.folders, folder, page, text, gen) });
            },
          );
      }
    },

    reload() {
      set((s) => ({ generation: s.generation + 1 }));
    },

    async select(entry, destination, include) {
      set((s) => ({ folders: applySelection(s.folders, entry.path, destination.id, include), actionError: null }));
      try {
        await api().call('policies.select', { source, path: entry.path, destination: destination.name, include });
      } catch (err) {
        set({ actionError: describe(err) });
      } finally {
        get().reload();
      }
    },

    setActionError(actionError) {
      set({ actionError });
    },
  }));
}
