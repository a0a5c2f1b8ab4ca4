/**
 * The folder tree of one source: a virtualized treegrid whose rows load page by page as they come
 * into view, one checkbox + badge column per destination, keyboard navigation with roving focus, and
 * the exclusion rules of the focused folder beside it. Ticks wait in a save bar that says what they
 * would cost until "Save changes".
 */
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
  type RefObject,
} from 'react';
import { useStore } from 'zustand';
import type { Topic } from '../../../shared/api/contract.js';
import type { DestinationInfo, SourceInfo, TreeEntry } from '../../../shared/api/entities.js';
import { parentOf } from '../../../shared/paths.js';
import { api } from '../api/client.js';
import { flattenTree, isFolder, navigate, pagesNeeded, resolveFocus, type Row } from './flatten.js';
import { BADGE_WORDS } from './format.js';
import { RulesEditor } from './RulesEditor.js';
import { SaveBar } from './SaveBar.js';
import { shownSelection, stagedView } from './staging.js';
import { createTreeStore, describe, type TreeStore } from './store.js';
import { FileMenu } from './FileMenu.js';
import { TreeRow } from './TreeRow.js';
import { useFileRestore } from './useFileRestore.js';
import { useWhatIf } from './useWhatIf.js';
import { VersionsDialog } from './VersionsDialog.js';
import './tree.css';

/** What the screen around the tree can do with its unsaved ticks (before leaving the source or screen). */
export interface UnsavedTicks {
  /** How many ticks wait to be saved. */
  count(): number;
  /** Sends them; throws what failed (the failed one and those after it stay staged). */
  save(): Promise<void>;
  discard(): void;
}

export interface SourceTreeProps {
  source: SourceInfo;
  destinations: DestinationInfo[];
  /** Given the tree's unsaved ticks while it is mounted (null after). */
  unsavedRef?: RefObject<UnsavedTicks | null> | undefined;
  /** Told when the number of unsaved ticks changes. */
  onUnsavedChange?: ((count: number) => void) | undefined;
}

/** Rows beyond the visible window whose pages are fetched ahead, so scrolling rarely meets a placeholder. */
const PREFETCH_ROWS = 200;
/** Event topics after which the visible rows are re-fetched. */
const RELOAD_TOPICS: ReadonlySet<Topic> = new Set<Topic>(['policies', 'status', 'runs', 'destinations']);
const RELOAD_DELAY_MS = 300;
const LEGEND = ['synced', 'pending', 'failed', 'excluded', 'none'] as const;

export function SourceTree(props: SourceTreeProps) {
  // A new source is a new tree: nothing of the old one's expansion, pages or ticks carries over.
  return <SourceTreeView key={`${props.source.id}\0${props.source.name}`} {...props} />;
}

/** The row height from the --row-h token (32 px when styles are absent, as in tests). */
function useRowHeight(ref: RefObject<HTMLElement | null>): number {
  const [height, setHeight] = useState(32);
  useLayoutEffect(() => {
    if (!ref.current) return;
    const value = parseFloat(getComputedStyle(ref.current).getPropertyValue('--row-h'));
    if (Number.isFinite(value) && value > 0) setHeight(value);
  }, [ref]);
  return height;
}

function SourceTreeView({ source, destinations, unsavedRef, onUnsavedChange }: SourceTreeProps) {
  const [store] = useState<TreeStore>(() => createTreeStore(source.name));
  const folders = useStore(store, (s) => s.folders);
  const expanded = useStore(store, (s) => s.expanded);
  const generation = useStore(store, (s) => s.generation);
  const focusKey = useStore(store, (s) => s.focusKey);
  const focusIndex = useStore(store, (s) => s.focusIndex);
  const actionError = useStore(store, (s) => s.actionError);
  const saved = useStore(store, (s) => s.saved);
  const staged = useStore(store, (s) => s.staged);
  const saving = useStore(store, (s) => s.saving);
  const view = useMemo(() => (saved ? stagedView(saved, staged) : null), [saved, staged]);
  const whatIf = useWhatIf(source.name, staged);

  useEffect(() => {
    if (!unsavedRef) return;
    unsavedRef.current = {
      count: () => store.getState().staged.length,
      save: async () => {
        if (await store.getState().save()) return;
        const e = store.getState().actionError;
        throw new Error(e ? [e.message, e.hint].filter(Boolean).join(': ') : 'not every change could be saved');
      },
      discard: () => store.getState().discard(),
    };
    return () => {
      unsavedRef.current = null;
    };
  }, [unsavedRef, store]);
  useEffect(() => {
    onUnsavedChange?.(staged.length);
  }, [onUnsavedChange, staged.length]);
  // Gone with the tree: the screen must not think ticks still wait.
  useEffect(() => () => onUnsavedChange?.(0), [onUnsavedChange]);

  const rows = useMemo(() => flattenTree(folders, expanded, source.name), [folders, expanded, source.name]);
  const focus = useMemo(() => resolveFocus(rows, focusKey, focusIndex), [rows, focusKey, focusIndex]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const rowH = useRowHeight(scrollRef);
  // The focused row stays mounted while scrolled away, so DOM focus (and the keyboard) is not lost.
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      if (focus < rows.length && !indexes.includes(focus)) {
        indexes.push(focus);
        indexes.sort((a, b) => a - b);
      }
      return indexes;
    },
    [focus, rows.length],
  );
  const virtualizer = useVirtualizer({
    rangeExtractor,
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowH,
    overscan: 10,
    // The header row sits above the rows inside the scroller.
    scrollMargin: rowH,
    scrollPaddingStart: rowH,
    // React 19 warns when the virtualizer flushes synchronously from a layout effect; batched renders keep up.
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();
  // The visible window (not the extra focused row): what to fetch around.
  const first = virtualizer.range?.startIndex ?? 0;
  const last = virtualizer.range?.endIndex ?? 0;

  // Fetch what the window (and a margin around it) shows but is missing or stale.
  useEffect(() => {
    const need = pagesNeeded(rows, folders, first - PREFETCH_ROWS, last + PREFETCH_ROWS, generation);
    if (need.length) store.getState().load(need);
  }, [rows, folders, first, last, generation, store]);

  // Keep the focus key on the row actually focused (a placeholder that became an entry, a row that moved).
  useEffect(() => {
    const row = rows.at(focus);
    if (row) store.getState().setFocus(row.key, focus);
  }, [rows, focus, store]);

  // Live updates: coalesce bursts of events into one reload.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = (): void => {
      timer ??= setTimeout(() => {
        timer = undefined;
        store.getState().reload();
      }, RELOAD_DELAY_MS);
    };
    const offChanged = api().on('changed', ({ topics }) => {
      if (topics.some((t) => RELOAD_TOPICS.has(t))) schedule();
    });
    const offFinished = api().on('run.finished', schedule);
    return () => {
      offChanged();
      offFinished();
      if (timer) clearTimeout(timer);
    };
  }, [store]);

  // New or removed destinations: the columns change, and so do the checkboxes and badges.
  const destKey = destinations.map((d) => d.id).join('\0');
  const seenDestKey = useRef(destKey);
  useEffect(() => {
    if (seenDestKey.current === destKey) return;
    seenDestKey.current = destKey;
    store.getState().keepDestinations(destKey.split('\0'));
    store.getState().reload();
  }, [destKey, store]);

  // Keyboard moves ask for DOM focus on a row that may only exist after the virtualizer scrolls to it.
  const pendingFocus = useRef(false);
  useLayoutEffect(() => {
    const root = scrollRef.current;
    if (!root) return;
    const active = document.activeElement;
    const activeIsRow = active instanceof HTMLElement && root.contains(active) && active.dataset.rowIndex !== undefined;
    if (!pendingFocus.current && !(activeIsRow && Number(active.dataset.rowIndex) !== focus)) return;
    const el = root.querySelector<HTMLElement>(`[data-row-index="${focus}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      pendingFocus.current = false;
    }
  });

  const moveFocus = useCallback(
    (index: number) => {
      const row = rows.at(index);
      if (!row) return;
      store.getState().setFocus(row.key, index);
      pendingFocus.current = true;
      virtualizer.scrollToIndex(index, { align: 'auto' });
    },
    [rows, store, virtualizer],
  );

  const onSelect = useCallback(
    (entry: TreeEntry, destination: DestinationInfo, include: boolean) => {
      void store.getState().select(entry, destination, include);
    },
    [store],
  );
  const onToggleExpand = useCallback(
    (path: string, index: number) => {
      store.getState().toggle(path);
      store.getState().setFocus(path, index);
    },
    [store],
  );
  const onFocusRow = useCallback((key: string, index: number) => store.getState().setFocus(key, index), [store]);
  const onRulesSaved = useCallback(() => store.getState().reload(), [store]);

  // A file's menu: restore the version the latest backup holds, or choose among every stored version.
  const [menu, setMenu] = useState<{ entry: TreeEntry; x: number; y: number } | null>(null);
  const onMenu = useCallback((entry: TreeEntry, x: number, y: number) => setMenu({ entry, x, y }), []);
  const onRestoreError = useCallback((err: unknown) => store.getState().setActionError(describe(err)), [store]);
  const files = useFileRestore(source, destinations, onRestoreError);
  const closeMenu = (refocus: boolean): void => {
    setMenu(null);
    if (refocus) scrollRef.current?.querySelector<HTMLElement>(`[data-row-index="${focus}"]`)?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const target = e.target as HTMLElement;
    const onRow = target.dataset.rowIndex !== undefined;
    if (!onRow && target !== scrollRef.current) {
      // Inside a row (a checkbox): Space is the checkbox's own; Up/Down leave for the neighbouring rows.
      if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    }
    const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? rowH * 10) / rowH) - 2);
    const result = navigate(rows, focus, e.key, expanded, pageRows);
    if (!result.handled) return;
    e.preventDefault();
    const state = store.getState();
    if (result.expand !== undefined) state.expand(result.expand);
    if (result.collapse !== undefined) state.collapse(result.collapse);
    if (result.focus !== undefined) moveFocus(result.focus);
    else if (!onRow) moveFocus(focus);
    if (result.toggleFirst) {
      const row = rows.at(focus);
      const dest = destinations[0];
      const shown =
        row?.kind === 'entry' && dest
          ? shownSelection(view, row.entry.path, dest.id, row.entry.selection[dest.id])
          : undefined;
      if (row?.kind === 'entry' && dest && shown !== undefined) onSelect(row.entry, dest, shown !== 'on');
    }
  };

  const focusedRendered = items.some((it) => it.index === focus);
  const focusedRow: Row | undefined = rows.at(focus);
  const rulesFolder =
    focusedRow === undefined
      ? ''
      : focusedRow.kind === 'entry'
        ? isFolder(focusedRow.entry)
          ? focusedRow.entry.path
          : parentOf(focusedRow.entry.path)
        : focusedRow.kind === 'placeholder'
          ? focusedRow.parent
          : focusedRow.folder;

  const gridStyle = {
    '--tree-cols': `minmax(16rem, 1fr) repeat(${destinations.length}, var(--tree-dest-w))`,
    '--tree-dests': destinations.length,
  } as CSSProperties;

  return (
    <div className="source-tree">
      <div className="tree-head">
        <p className="tree-source-path">
          <span className="tree-source-name">{source.name}</span>
          <span className="tree-source-dir" title={source.path}>
            {source.path}
          </span>
        </p>
        <ul className="tree-legend" aria-label="Badge legend">
          {LEGEND.map((s) => (
            <li key={s} data-badge-state={s} data-tone={s}>
              <span className="tree-badge-dot" aria-hidden="true" />
              {BADGE_WORDS[s]}
            </li>
          ))}
        </ul>
      </div>
      {actionError && (
        <div role="alert" className="tree-alert">
          <span>
            <strong>{actionError.message}</strong>
            {actionError.hint && <> {actionError.hint}</>}
          </span>
          <button type="button" className="tree-alert-close" onClick={() => store.getState().setActionError(null)}>
            Dismiss
          </button>
        </div>
      )}
      {destinations.length === 0 && (
        <p className="tree-note">Add a destination to choose what goes where; the tree shows its folders meanwhile.</p>
      )}
      <div className="tree-body">
        <div
          ref={scrollRef}
          role="treegrid"
          aria-label={`Folders of ${source.name}`}
          aria-rowcount={rows.length + 1}
          aria-colcount={destinations.length + 1}
          className="tree-scroll"
          style={gridStyle}
          tabIndex={focusedRendered ? -1 : 0}
          onKeyDown={onKeyDown}
          onFocus={(e) => {
            if (e.target === scrollRef.current && !focusedRendered) moveFocus(focus);
          }}
        >
          <div role="row" aria-rowindex={1} className="tree-row tree-header">
            <div role="columnheader" className="tree-cell tree-name">
              Name
            </div>
            {destinations.map((d) => (
              <div role="columnheader" className="tree-cell tree-dest" key={d.id} title={d.label}>
                <span className="tree-dest-name">{d.name}</span>
              </div>
            ))}
          </div>
          <div className="tree-rows" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const row = rows.at(item.index)!;
              return (
                <TreeRow
                  key={item.key}
                  row={row}
                  index={item.index}
                  top={item.start - rowH}
                  focused={item.index === focus}
                  expanded={row.kind === 'entry' && !!expanded[row.entry.path]}
                  destinations={destinations}
                  staged={view}
                  onToggleExpand={onToggleExpand}
                  onSelect={onSelect}
                  onFocusRow={onFocusRow}
                  onMenu={onMenu}
                />
              );
            })}
          </div>
        </div>
        {menu ? (
          <FileMenu
            x={menu.x}
            y={menu.y}
            label={`Actions for ${menu.entry.path}`}
            onClose={closeMenu}
            items={[
              { label: 'Restore this version…', onSelect: () => void files.restoreLatest(menu.entry) },
              { label: 'Previous versions…', onSelect: () => files.showVersions(menu.entry.path) },
            ]}
          />
        ) : null}
        {files.versionsOf !== null ? (
          <VersionsDialog
            source={source.name}
            path={files.versionsOf}
            onRestore={(v) => files.restoreVersion(files.versionsOf!, v)}
            onClose={() => files.showVersions(null)}
          />
        ) : null}
        <RulesEditor source={source.name} folder={rulesFolder} onSaved={onRulesSaved} kind={source.kind} />
      </div>
      {staged.length > 0 ? (
        <SaveBar
          changes={staged}
          destinations={destinations}
          whatIf={whatIf}
          saving={saving}
          onSave={() => void store.getState().save()}
          onDiscard={() => store.getState().discard()}
        />
      ) : null}
    </div>
  );
}
