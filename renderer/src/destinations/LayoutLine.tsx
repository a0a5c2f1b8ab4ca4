/** Editing a destination: its layout, read-only (it decides how stored backups are read), and for a vault the way to a new passphrase. */
import type { DestinationLayout } from '../../../shared/api/entities.js';
import { Button } from '../components/Button.js';
import { LAYOUT_HELP, LAYOUT_TITLE } from './layout-words.js';

export function LayoutLine({
  id,
  layout,
  onChangePassphrase,
}: {
  id: string;
  layout: DestinationLayout;
  onChangePassphrase: () => void;
}) {
  return (
    <div className="field" role="group" aria-labelledby={`${id}-layout-label`} aria-describedby={`${id}-layout-help`}>
      <span id={`${id}-layout-label`} className="field-label">
        Layout
      </span>
      <div className="layout-line">
        <span>
          <strong>{LAYOUT_TITLE[layout]}</strong> <span className="muted">— {LAYOUT_HELP[layout]}</span>
        </span>
        {layout === 'vault' ? (
          <Button size="sm" onClick={onChangePassphrase}>
            Change passphrase…
          </Button>
        ) : null}
      </div>
      <p id={`${id}-layout-help`} className="field-help">
        Chosen when the destination was added; it cannot be changed.
      </p>
    </div>
  );
}
