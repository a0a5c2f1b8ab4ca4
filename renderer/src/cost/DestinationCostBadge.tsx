/**
 * A destination card's monthly cost ("≈ $1.23/month", "Free") as a button whose breakdown opens
 * on hover and on keyboard focus, and stays open while the pointer or focus is inside it (so
 * "Count now" can be reached), closes on Escape or when both leave (WCAG 1.4.13). A click pins
 * it open, for touch screens.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { DestinationCost } from '../../../shared/api/cost.js';
import { CostBreakdown } from './CostBreakdown.js';
import { formatMonthly } from './money.js';

interface Props {
  cost: DestinationCost;
  tableDate: string;
  counting: boolean;
  countError: unknown;
  onCount: () => void;
}

/** Time to move the pointer from the button into the popover before it closes. */
const CLOSE_DELAY_MS = 200;

export function DestinationCostBadge({ cost, tableDate, counting, countError, onCount }: Props) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [pinned, setPinned] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const closeTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const hovering = useRef(false);
  // Escape moves focus back to the button: that focus must not open it again.
  const quietFocus = useRef(false);

  useEffect(() => () => clearTimeout(closeTimer.current), []);

  const close = () => {
    clearTimeout(closeTimer.current);
    setOpen(false);
    setPinned(false);
  };
  const focusInside = () => Boolean(wrap.current?.contains(document.activeElement));

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || !open) return;
    e.stopPropagation();
    close();
    if (focusInside() && document.activeElement !== trigger.current) {
      quietFocus.current = true;
      trigger.current?.focus();
    }
  };

  const label = cost.monthly.total === 0 ? 'Free' : `≈ ${formatMonthly(cost.monthly.total)}`;
  return (
    <div
      ref={wrap}
      className="cost-badge"
      onMouseEnter={() => {
        hovering.current = true;
        clearTimeout(closeTimer.current);
        setOpen(true);
      }}
      onMouseLeave={() => {
        hovering.current = false;
        if (pinned || focusInside()) return;
        closeTimer.current = setTimeout(() => setOpen(false), CLOSE_DELAY_MS);
      }}
      onFocus={() => {
        if (quietFocus.current) quietFocus.current = false;
        else setOpen(true);
      }}
      onBlur={(e) => {
        // Focus leaving while the pointer is still over it: hover keeps it open.
        if (!wrap.current?.contains(e.relatedTarget as Node | null) && !hovering.current) close();
      }}
      onKeyDown={onKeyDown}
    >
      <button
        ref={trigger}
        type="button"
        className="cost-badge-button num"
        aria-expanded={open}
        aria-controls={`${id}-breakdown`}
        onClick={() => {
          if (pinned) close();
          else {
            setPinned(true);
            setOpen(true);
          }
        }}
      >
        {label}
        <span className="visually-hidden">, cost breakdown</span>
        <span className="cost-badge-chevron" aria-hidden="true" />
      </button>
      <div
        id={`${id}-breakdown`}
        role="group"
        aria-label={`Cost breakdown of ${cost.destination}`}
        className="cost-popover"
        hidden={!open}
      >
        <CostBreakdown
          cost={cost}
          tableDate={tableDate}
          counting={counting}
          countError={countError}
          onCount={onCount}
        />
      </div>
    </div>
  );
}
