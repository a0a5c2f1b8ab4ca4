/** Small pieces of a tree row: the tri-state checkbox, the badge, the entry icons. */
import { useLayoutEffect, useRef } from 'react';
import type { Badge, Selection, TreeEntry } from '../../../shared/api/entities.js';
import { badgeText, badgeTone, badgeTooltip, BADGE_WORDS } from './format.js';

export function TriCheckbox(props: {
  selection: Selection | undefined;
  label: string;
  /** Differs from the saved state: said in the tooltip (and the description screen readers read). */
  unsaved?: boolean;
  tabIndex: number;
  onToggle: () => void;
}) {
  const { selection, label, unsaved = false, tabIndex, onToggle } = props;
  const ref = useRef<HTMLInputElement>(null);
  const mixed = selection === 'mixed';
  useLayoutEffect(() => {
    if (ref.current) ref.current.indeterminate = mixed;
  });
  return (
    <input
      ref={ref}
      type="checkbox"
      className="tree-check"
      aria-label={label}
      title={unsaved ? `${label} (not saved yet)` : label}
      checked={selection === 'on'}
      aria-checked={mixed ? 'mixed' : undefined}
      disabled={selection === undefined}
      tabIndex={tabIndex}
      onChange={onToggle}
    />
  );
}

const NONE: Badge = { state: 'none' };

export function StateBadge(props: { destName: string; badge: Badge | undefined; isFolder: boolean }) {
  const badge = props.badge ?? NONE;
  return (
    <span
      role="img"
      className="tree-badge"
      data-badge-state={badge.state}
      data-tone={badgeTone(badge, props.isFolder)}
      aria-label={`${props.destName}: ${BADGE_WORDS[badge.state]}`}
      title={badgeTooltip(props.destName, badge, props.isFolder)}
    >
      <span className="tree-badge-dot" aria-hidden="true" />
      <span className="tree-badge-text" aria-hidden="true">
        {badgeText(badge, props.isFolder)}
      </span>
    </span>
  );
}

/** Folder, file, link or other, drawn in the text colour. */
export function EntryIcon({ type }: { type: TreeEntry['type'] }) {
  const common = {
    className: 'tree-icon',
    width: 16,
    height: 16,
    viewBox: '0 0 16 16',
    'aria-hidden': true,
    focusable: false,
  } as const;
  switch (type) {
    case 'dir':
      return (
        <svg {...common}>
          <path d="M1.5 3.5h4.2l1.5 1.5h7.3v8.5h-13z" fill="none" stroke="currentColor" strokeLinejoin="round" />
        </svg>
      );
    case 'file':
      return (
        <svg {...common}>
          <path d="M3.5 1.5h6l3 3v10h-9z M9.5 1.5v3h3" fill="none" stroke="currentColor" strokeLinejoin="round" />
        </svg>
      );
    case 'symlink':
      return (
        <svg {...common}>
          <path
            d="M6.5 9.5l3-3 M5 7.5l-1.5 1.5a2.1 2.1 0 0 0 3 3l1.5-1.5 M11 8.5l1.5-1.5a2.1 2.1 0 0 0-3-3l-1.5 1.5"
            fill="none"
            stroke="currentColor"
            strokeLinecap="round"
          />
        </svg>
      );
    default:
      return (
        <svg {...common}>
          <circle cx="8" cy="8" r="5.5" fill="none" stroke="currentColor" />
        </svg>
      );
  }
}

export function Chevron({ open }: { open: boolean }) {
  return (
    <svg className="tree-chevron-icon" data-open={open} width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">
      <path d="M4 2.5l3.5 3.5-3.5 3.5" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
    </svg>
  );
}
