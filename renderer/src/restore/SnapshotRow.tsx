/** One row of the snapshot tree: chevron, checkbox, icon, name, and a file's size and date (a folder's totals). */
import { memo } from 'react';
import type { Selection } from '../../../shared/api/entities.js';
import { formatBytes, formatDateTime, plural } from '../format.js';
import { isFolder, type Row } from '../tree/flatten.js';
import { Chevron, EntryIcon, TriCheckbox } from '../tree/parts.js';

interface Props {
  row: Row;
  index: number;
  top: number;
  focused: boolean;
  expanded: boolean;
  tick: Selection;
  totals: { files: number; bytes: number } | undefined;
  onTick: (path: string) => void;
  onToggleExpand: (path: string, index: number) => void;
  onFocusRow: (key: string, index: number) => void;
}

export const SnapshotRow = memo(function SnapshotRow(p: Props) {
  const { row, index, top, focused } = p;
  const indent = { paddingInlineStart: `calc(var(--sp-2) + ${row.depth} * var(--sp-4))` };
  const common = {
    role: 'row',
    'aria-rowindex': index + 1,
    'aria-level': row.depth + 1,
    'data-row-index': index,
    style: { transform: `translateY(${top}px)` },
  } as const;
  if (row.kind !== 'entry') {
    return (
      <div {...common} className="snap-row snap-row-note">
        <div role="gridcell" className="snap-cell" style={indent}>
          <span className="tree-chevron-slot" />
          <span className="muted">{row.kind === 'message' ? row.text : 'Loading…'}</span>
        </div>
      </div>
    );
  }
  const { entry } = row;
  const folder = isFolder(entry);
  const name = entry.path === '' ? `${entry.name} (whole snapshot)` : entry.name;
  return (
    <div
      {...common}
      className="snap-row"
      data-path={entry.path}
      tabIndex={focused ? 0 : -1}
      aria-selected={focused}
      aria-expanded={folder ? p.expanded : undefined}
      onFocus={() => p.onFocusRow(row.key, index)}
      onClick={() => p.onFocusRow(row.key, index)}
      onDoubleClick={() => folder && p.onToggleExpand(entry.path, index)}
    >
      <div role="gridcell" className="snap-cell snap-name" style={indent}>
        {folder ? (
          <span
            className="tree-chevron"
            aria-hidden="true"
            onClick={(e) => {
              e.stopPropagation();
              p.onToggleExpand(entry.path, index);
            }}
          >
            <Chevron open={p.expanded} />
          </span>
        ) : (
          <span className="tree-chevron-slot" />
        )}
        <TriCheckbox
          selection={p.tick}
          label={`Restore ${entry.path === '' ? 'the whole snapshot' : `/${entry.path}`}`}
          tabIndex={focused ? 0 : -1}
          onToggle={() => p.onTick(entry.path)}
        />
        <EntryIcon type={entry.type} />
        <span className="snap-label" title={`/${entry.path}`}>
          {name}
        </span>
      </div>
      <div role="gridcell" className="snap-cell snap-meta">
        {folder && p.totals ? `${plural(p.totals.files, 'file')} · ${formatBytes(p.totals.bytes)}` : null}
        {entry.type === 'file' && entry.size !== null ? formatBytes(entry.size) : null}
      </div>
      <div role="gridcell" className="snap-cell snap-date">
        {entry.type !== 'dir' && entry.mtimeMs ? formatDateTime(entry.mtimeMs) : null}
      </div>
    </div>
  );
});
