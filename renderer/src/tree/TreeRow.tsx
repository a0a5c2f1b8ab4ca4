/** One row of the tree: name column, then a checkbox and a badge per destination. */
import { memo } from 'react';
import type { DestinationInfo, TreeEntry } from '../../../shared/api/entities.js';
import { displayPath, formatBytes } from './format.js';
import { isFolder, type Row } from './flatten.js';
import { Chevron, EntryIcon, StateBadge, TriCheckbox } from './parts.js';
import { shownSelection, type StagedView } from './staging.js';

export interface TreeRowProps {
  row: Row;
  index: number;
  /** Pixels from the top of the rows area. */
  top: number;
  focused: boolean;
  expanded: boolean;
  destinations: DestinationInfo[];
  /** Unsaved ticks: the checkboxes show them, and mark what differs from the saved state. */
  staged: StagedView | null;
  onToggleExpand: (path: string, index: number) => void;
  /** Ticks (include) or unticks a destination for the entry. */
  onSelect: (entry: TreeEntry, destination: DestinationInfo, include: boolean) => void;
  onFocusRow: (key: string, index: number) => void;
  /** Opens a file's menu (restore this version, previous versions) at a point of the window. */
  onMenu?: ((entry: TreeEntry, x: number, y: number) => void) | undefined;
}

export const TreeRow = memo(function TreeRow(props: TreeRowProps) {
  const { row, index, top, focused, expanded, destinations, staged, onToggleExpand, onSelect, onFocusRow, onMenu } =
    props;
  const style = { transform: `translateY(${top}px)` };
  const indent = { paddingInlineStart: `calc(var(--sp-2) + ${row.depth} * var(--sp-4))` };
  const common = {
    role: 'row',
    'aria-rowindex': index + 2,
    'aria-level': row.depth + 1,
    'data-row-index': index,
    style,
  } as const;

  if (row.kind === 'message') {
    return (
      <div {...common} className="tree-row tree-row-message" data-tone={row.tone}>
        <div role="gridcell" className="tree-cell tree-message" style={indent} aria-colspan={destinations.length + 1}>
          <span className="tree-chevron-slot" />
          {/* One line per row (the list is virtualized): a long reason ends in "…", whole on hover. */}
          <span className="tree-message-text" title={row.text}>
            {row.text}
          </span>
        </div>
      </div>
    );
  }

  const focusHandlers = {
    tabIndex: focused ? 0 : -1,
    'aria-selected': focused,
    onFocus: () => onFocusRow(row.key, index),
  };

  if (row.kind === 'placeholder') {
    return (
      <div
        {...common}
        {...focusHandlers}
        className="tree-row tree-row-placeholder"
        aria-posinset={row.index + 1}
        aria-setsize={row.setSize}
      >
        <div role="gridcell" className="tree-cell tree-name" style={indent}>
          <span className="tree-chevron-slot" />
          <span className="tree-skeleton">Loading…</span>
        </div>
        {destinations.map((d) => (
          <div role="gridcell" className="tree-cell tree-dest" key={d.id} />
        ))}
      </div>
    );
  }

  const { entry } = row;
  const folder = isFolder(entry);
  const path = displayPath(entry.path);
  const menu = entry.type === 'file' && onMenu ? onMenu : undefined;
  const cells = destinations.map((d) => {
    const loaded = entry.selection[d.id];
    const shown = shownSelection(staged, entry.path, d.id, loaded);
    return { d, shown, unsaved: shown !== loaded };
  });
  const unsaved = cells.some((c) => c.unsaved);
  return (
    <div
      {...common}
      {...focusHandlers}
      className="tree-row"
      onContextMenu={
        menu
          ? (e) => {
              e.preventDefault();
              menu(entry, e.clientX, e.clientY);
            }
          : undefined
      }
      onKeyDown={
        menu
          ? (e) => {
              // Enter (a file has nothing to open), the Menu key or Shift+F10 open the file's menu.
              if (e.target !== e.currentTarget) return;
              if (e.key === 'Enter' || e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10')) {
                e.preventDefault();
                e.stopPropagation();
                const r = e.currentTarget.getBoundingClientRect();
                menu(entry, r.left + 48, r.bottom);
              }
            }
          : undefined
      }
      data-path={entry.path}
      data-excluded={entry.excluded || undefined}
      data-unsaved={unsaved || undefined}
      aria-expanded={folder ? expanded : undefined}
      aria-posinset={row.index + 1}
      aria-setsize={row.setSize}
    >
      <div role="gridcell" className="tree-cell tree-name" style={indent}>
        {folder ? (
          <span
            className="tree-chevron"
            aria-hidden="true"
            onClick={(e) => {
              e.stopPropagation();
              onToggleExpand(entry.path, index);
            }}
          >
            <Chevron open={expanded} />
          </span>
        ) : (
          <span className="tree-chevron-slot" />
        )}
        <EntryIcon type={entry.type} />
        <span className="tree-label" title={path}>
          {entry.name}
        </span>
        {unsaved && <span className="tree-unsaved-dot" aria-hidden="true" title="Changed, not saved yet" />}
        {entry.type === 'symlink' && <span className="tree-tag">link</span>}
        {entry.excluded && <span className="tree-tag tree-tag-excluded">excluded</span>}
        {entry.type === 'file' && entry.size !== null && <span className="tree-size">{formatBytes(entry.size)}</span>}
        {menu && (
          // Mouse only: the keyboard opens the same menu with Enter on the row (Tab stays for the checkboxes).
          <button
            type="button"
            className="tree-menu-btn"
            tabIndex={-1}
            aria-haspopup="menu"
            aria-label={`Restore options for ${path}`}
            title="Restore this version, previous versions (Enter)"
            onClick={(e) => {
              e.stopPropagation();
              const r = e.currentTarget.getBoundingClientRect();
              menu(entry, r.left, r.bottom);
            }}
          >
            <span aria-hidden="true">⋯</span>
          </button>
        )}
      </div>
      {cells.map(({ d, shown, unsaved: changed }) => (
        <div role="gridcell" className="tree-cell tree-dest" key={d.id} data-unsaved={changed || undefined}>
          <TriCheckbox
            selection={shown}
            label={`Back up ${path} to ${d.name}`}
            unsaved={changed}
            tabIndex={focused ? 0 : -1}
            onToggle={() => onSelect(entry, d, shown !== 'on')}
          />
          <StateBadge destName={d.name} badge={entry.badges[d.id]} isFolder={folder} />
        </div>
      ))}
    </div>
  );
});
