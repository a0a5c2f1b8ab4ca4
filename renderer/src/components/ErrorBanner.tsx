/** A failed call, in plain words: what happened and what to do. Announced to screen readers. */
import { errorWords } from './errors.js';

interface Props {
  error: unknown;
  /** Short context, e.g. "Could not save". */
  title?: string;
  onDismiss?: () => void;
  onRetry?: () => void;
}

export function ErrorBanner({ error, title, onDismiss, onRetry }: Props) {
  if (error === null || error === undefined) return null;
  const { message, hint } = errorWords(error);
  return (
    <div role="alert" className="banner banner-err">
      <div className="banner-text">
        <p className="banner-message">
          {title ? <strong>{title}: </strong> : null}
          {message}
        </p>
        {hint ? <p className="banner-hint">{capitalizeHint(hint)}</p> : null}
      </div>
      <div className="banner-actions">
        {onRetry ? (
          <button type="button" className="btn btn-secondary btn-sm" onClick={onRetry}>
            Try again
          </button>
        ) : null}
        {onDismiss ? (
          <button type="button" className="btn btn-ghost btn-sm" onClick={onDismiss} aria-label="Dismiss">
            ×
          </button>
        ) : null}
      </div>
    </div>
  );
}

function capitalizeHint(hint: string): string {
  const h = hint[0]!.toUpperCase() + hint.slice(1);
  return /[.!?]$/.test(h) ? h : `${h}.`;
}
