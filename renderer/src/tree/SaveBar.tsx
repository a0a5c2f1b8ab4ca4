/**
 * The bar under the tree while ticks are unsaved: what they would add to (or take from) each
 * destination and its monthly estimate, with Save changes and Discard.
 */
import type { DestinationInfo } from '../../../shared/api/entities.js';
import { Button } from '../components/Button.js';
import { errorWords } from '../components/errors.js';
import { plural } from '../format.js';
import type { StagedChange } from './staging.js';
import type { WhatIf } from './useWhatIf.js';
import { effectDetail, effectText, type WhatIfRow } from './whatif-text.js';

interface Props {
  changes: readonly StagedChange[];
  destinations: readonly DestinationInfo[];
  whatIf: WhatIf;
  saving: boolean;
  onSave: () => void;
  onDiscard: () => void;
}

export function SaveBar({ changes, destinations, whatIf, saving, onSave, onDiscard }: Props) {
  // In the tree's column order, so the bar reads like the header above it.
  const order = new Map(destinations.map((d, i) => [d.name, i]));
  const rows: WhatIfRow[] = [...(whatIf.result?.destinations ?? [])].sort(
    (a, b) => (order.get(a.destination) ?? 1e9) - (order.get(b.destination) ?? 1e9),
  );
  return (
    <section className="tree-savebar" aria-label="Unsaved changes">
      <div className="tree-savebar-text">
        <p className="tree-savebar-title">
          <span className="tree-unsaved-dot" aria-hidden="true" />
          {plural(changes.length, 'unsaved change')}
        </p>
        <p className="tree-savebar-effects" aria-live="polite" data-stale={whatIf.loading || undefined}>
          {rows.length > 0
            ? rows.map((r, i) => (
                <span key={r.destination} className="tree-savebar-effect" title={effectDetail(r)}>
                  {i > 0 ? <span className="tree-savebar-sep"> · </span> : null}
                  <span className="tree-savebar-amount">{effectText(r)}</span> on{' '}
                  <span className="tree-savebar-dest">{r.destination}</span>
                </span>
              ))
            : whatIf.error
              ? null
              : 'Working out what this changes…'}
          {whatIf.error ? (
            <span className="tree-savebar-error">Could not estimate the cost: {errorWords(whatIf.error).message}</span>
          ) : null}
        </p>
        {whatIf.loading ? <span className="tree-spinner" role="status" aria-label="Estimating the cost" /> : null}
      </div>
      <div className="tree-savebar-actions">
        <Button onClick={onDiscard} disabled={saving}>
          Discard
        </Button>
        <Button variant="primary" busy={saving} onClick={onSave}>
          Save changes
        </Button>
      </div>
    </section>
  );
}
