/**
 * A snapshot's tree to tick what comes back: virtualized (only visible rows exist), folders loaded as
 * they open, a tri-state checkbox per row (a folder shows "mixed" when something below differs), and
 * the Sources tree's keyboard: arrows move and open folders, Space ticks the focused row.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import { flattenTree, navigate, pagesNeeded, resolveFocus } from '../tree/flatten.js';
import { createSnapshotTreeStore } from './snapshot-tree-store.js';
import { SnapshotRow } from './SnapshotRow.js';
import { setTick, tickState, type Decisions } from './selection.js';

const ROW_H = 32;
const PREFETCH_ROWS = 200;

interface Props {
  destination: string;
  snapshotId: string;
  sourceName: string;
  decisions: Decisions;
  onDecisions: (d: Decisions) => void;
}

export function SnapshotTree(props: Props) {
  return <SnapshotTreeView key={`${props.destination}\0${props.snapshotId}`} {...props} />;
}

function SnapshotTreeView({ destination, snapshotId, sourceName, decisions, onDecisions }: Props) {
  const [store] = useState(() => createSnapshotTreeStore(destination, snapshotId, sourceName));
  const folders = useStore(store, (s) => s.folders);
  const expanded = useStore(store, (s) => s.expanded);
  const totals = useStore(store, (s) => s.totals);
  const focusKey = useStore(store, (s) => s.focusKey);
  const focusIndex = useStore(store, (s) => s.focusIndex);
  const rows = useMemo(() => flattenTree(folders, expanded, sourceName), [folders, expanded, sourceName]);
  const focus = useMemo(() => resolveFocus(rows, focusKey, focusIndex), [rows, focusKey, focusIndex]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_H,
    overscan: 10,
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();
  const first = virtualizer.range?.startIndex ?? 0;
  const last = virtualizer.range?.endIndex ?? 0;

  useEffect(() => {
    const need = pagesNeeded(rows, folders, first - PREFETCH_ROWS, last + PREFETCH_ROWS, 1);
    if (need.length) store.getState().load(need);
  }, [rows, folders, first, last, store]);

  // Keyboard moves focus a row that may appear only once the virtualizer scrolled to it.
  const pendingFocus = useRef(false);
  useLayoutEffect(() => {
    if (!pendingFocus.current) return;
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-row-index="${focus}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      pendingFocus.current = false;
    }
  });

  const tick = useCallback(
    (path: string) => onDecisions(setTick(decisions, path, tickState(decisions, path) !== 'on')),
    [decisions, onDecisions],
  );
  const onFocusRow = useCallback((key: string, index: number) => store.getState().setFocus(key, index), [store]);
  const onToggleExpand = useCallback(
    (path: string, index: number) => {
      store.getState().toggle(path);
      store.getState().setFocus(path, index);
    },
    [store],
  );

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const target = e.target as HTMLElement;
    // Space on the checkbox itself is the checkbox's own.
    if (target.tagName === 'INPUT' && e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    const result = navigate(rows, focus, e.key, expanded, 10);
    if (!result.handled) return;
    e.preventDefault();
    const s = store.getState();
    if (result.expand !== undefined) s.expand(result.expand);
    if (result.collapse !== undefined) s.collapse(result.collapse);
    if (result.focus !== undefined) {
      const row = rows.at(result.focus);
      if (row) {
        s.setFocus(row.key, result.focus);
        pendingFocus.current = true;
        virtualizer.scrollToIndex(result.focus, { align: 'auto' });
      }
    }
    if (result.toggleFirst) {
      const row = rows.at(focus);
      if (row?.kind === 'entry') tick(row.entry.path);
    }
  };

  const focusedRendered = items.some((it) => it.index === focus);
  return (
    <div
      ref={scrollRef}
      role="treegrid"
      aria-label={`Files in the snapshot of ${sourceName}`}
      aria-rowcount={rows.length}
      className="snap-tree"
      tabIndex={focusedRendered ? -1 : 0}
      onKeyDown={onKeyDown}
    >
      <div className="snap-rows" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const row = rows.at(item.index)!;
          const path = row.kind === 'entry' ? row.entry.path : '';
          return (
            <SnapshotRow
              key={item.key}
              row={row}
              index={item.index}
              top={item.start}
              focused={item.index === focus}
              expanded={row.kind === 'entry' && !!expanded[row.entry.path]}
              tick={row.kind === 'entry' ? tickState(decisions, path) : 'off'}
              totals={row.kind === 'entry' ? totals[path] : undefined}
              onTick={tick}
              onToggleExpand={onToggleExpand}
              onFocusRow={onFocusRow}
            />
          );
        })}
      </div>
    </div>
  );
}
