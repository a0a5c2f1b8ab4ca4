/**
 * State of one source's tree: loaded pages per folder, what is expanded, which row has focus, the
 * ticks waiting for "Save changes", and the calls that change them. One store per mounted SourceTree
 * (a source's tree is not shared).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { ApiError } from '../../../shared/api/client.js';
import type { DestinationInfo, TreeEntry } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import {
  applyPage,
  applyPageError,
  PAGE_SIZE,
  reselect,
  type Expanded,
  type Folders,
  type PageRequest,
} from './flatten.js';
import { decisions, stage, type Decisions, type StagedChange } from './staging.js';

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
  /** The last failed save, shown in the alert area. */
  actionError: ActionError | null;
  /** The source's saved folder policies (destination decisions only); null until loaded. */
  saved: Decisions[] | null;
  /** Ticks not saved yet, in the order they were made (what "Save changes" sends). */
  staged: StagedChange[];
  saving: boolean;

  expand(path: string): void;
  collapse(path: string): void;
  toggle(path: string): void;
  setFocus(key: string, index: number): void;
  /** Fetches the pages asked for, skipping those already on their way in this generation. */
  load(requests: readonly PageRequest[]): void;
  /** Everything loaded becomes stale; what is visible is re-fetched at once by the view. */
  reload(): void;
  /** Stages a tick or untick (nothing is sent until save). */
  select(entry: TreeEntry, destination: DestinationInfo, include: boolean): Promise<void>;
  /** Sends the staged ticks in order; true when all were saved. A failure keeps the rest staged. */
  save(): Promise<boolean>;
  /** Forgets the staged ticks and shows the saved state again. */
  discard(): void;
  /** Drops staged ticks of destinations that no longer exist. */
  keepDestinations(ids: readonly string[]): void;
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
  /** Only the newest policies answer is kept (a reload can overtake an earlier one). */
  let policiesAsked = 0;
  let policiesReady: Promise<void> = Promise.resolve();

  function loadPolicies(): void {
    const asked = ++policiesAsked;
    policiesReady = api()
      .call('policies.list', { source })
      .then(
        (list) => {
          if (asked === policiesAsked) store.setState({ saved: decisions(list) });
        },
        // Without the saved policies a tick cannot be staged; the tree still shows what it loaded.
        (err: unknown) => {
          if (asked === policiesAsked && store.getState().saved === null) {
            store.setState({ actionError: describe(err) });
          }
        },
      );
  }

  const store: TreeStore = createStore<TreeState>()((set, get) => ({
    source,
    folders: {},
    expanded: { '': true },
    generation: 1,
    focusKey: '',
    focusIndex: 0,
    actionError: null,
    saved: null,
    staged: [],
    saving: false,

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
      loadPolicies();
    },

    async select(entry, destination, include) {
      if (get().saved === null) await policiesReady;
      const saved = get().saved;
      // While saving, the staged list is being sent: a tick now could not be placed among them.
      if (saved === null || get().saving) return;
      const change = { path: entry.path, destId: destination.id, destination: destination.name, include };
      set((s) => ({ staged: stage(saved, s.staged, change) }));
    },

    async save() {
      if (get().saving) return false;
      set({ saving: true, actionError: null });
      try {
        // One at a time, in order: each tick is decided against the ones before it, as it was staged.
        for (;;) {
          const next = get().staged[0];
          if (!next) break;
          const list = await api().call('policies.select', {
            source,
            path: next.path,
            destination: next.destination,
            include: next.include,
          });
          // The host's answer is the saved state: the rows show it at once, before they are fetched again.
          const saved = decisions(list);
          set((s) => ({
            saved,
            staged: s.staged.slice(1),
            folders: reselect(s.folders, saved, new Set([next.destId])),
          }));
        }
        return true;
      } catch (err) {
        set({ actionError: describe(err) });
        return false;
      } finally {
        set({ saving: false });
        get().reload();
      }
    },

    discard() {
      if (get().saving) return;
      set({ staged: [], actionError: null });
      get().reload();
    },

    keepDestinations(ids) {
      const keep = new Set(ids);
      if (get().staged.every((c) => keep.has(c.destId))) return;
      set((s) => ({ staged: s.staged.filter((c) => keep.has(c.destId)) }));
    },

    setActionError(actionError) {
      set({ actionError });
    },
  }));
  loadPolicies();
  return store;
}
