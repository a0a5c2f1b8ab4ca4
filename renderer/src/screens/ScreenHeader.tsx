/** A screen's title row: the h1 (focused when the screen opens, for screen readers) and its actions. */
import { useEffect, useRef, type ReactNode } from 'react';

interface Props {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
}

export function ScreenHeader({ title, subtitle, actions }: Props) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // Only when the user moved here from the navigation, not on first load.
    if (document.activeElement?.closest('nav[aria-label="Main"]')) ref.current?.focus();
  }, []);
  return (
    <header className="screen-header">
      <div>
        <h1 ref={ref} tabIndex={-1}>
          {title}
        </h1>
        {subtitle ? <p className="screen-subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="screen-actions">{actions}</div> : null}
    </header>
  );
}
