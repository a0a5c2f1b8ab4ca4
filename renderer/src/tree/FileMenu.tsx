/**
 * The menu of a file row (its "⋯" button, a right-click, or the Menu key / Shift+F10 on the row):
 * restore the version the latest backup holds, or list every stored version. Arrow keys move,
 * Escape closes and gives focus back to the row.
 */
import { useEffect, useRef } from 'react';

export interface MenuItem {
  label: string;
  onSelect: () => void;
}

interface Props {
  /** Where to open (viewport pixels). */
  x: number;
  y: number;
  label: string;
  items: MenuItem[];
  onClose: (restoreFocus: boolean) => void;
}

export function FileMenu({ x, y, label, items, onClose }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  });
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const away = (e: MouseEvent): void => {
      if (!ref.current?.contains(e.target as Node)) onCloseRef.current(false);
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, []);

  const onKeyDown = (e: React.KeyboardEvent): void => {
    const buttons = Array.from(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
    const at = buttons.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (at + (e.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length;
      buttons[next]?.focus();
    } else if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      onClose(true);
    }
  };

  // Kept inside the window, whatever row it opened on.
  const style = { left: Math.min(x, window.innerWidth - 240), top: Math.min(y, window.innerHeight - 100) };
  return (
    <div ref={ref} role="menu" aria-label={label} className="file-menu" style={style} onKeyDown={onKeyDown}>
      {items.map((item) => (
        <button
          key={item.label}
          type="button"
          role="menuitem"
          className="file-menu-item"
          tabIndex={-1}
          onClick={() => {
            onClose(false);
            item.onSelect();
          }}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}
