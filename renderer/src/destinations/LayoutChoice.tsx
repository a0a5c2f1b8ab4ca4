/**
 * Adding a destination: how it stores backups. A vault asks for its passphrase twice and says
 * plainly that the passphrase is the only way back to the data.
 */
import type { DestinationLayout } from '../../../shared/api/entities.js';
import { LAYOUTS, LAYOUT_HELP, LAYOUT_TITLE } from './layout-words.js';
import type { PassphrasePair, PassphraseProblems } from './passphrase-form.js';
import { PassphraseFields } from './PassphraseFields.js';

interface Props {
  /** Prefix for the controls' ids. */
  id: string;
  layout: DestinationLayout;
  onLayout: (layout: DestinationLayout) => void;
  pair: PassphrasePair;
  problems: PassphraseProblems;
  onPair: (patch: Partial<PassphrasePair>) => void;
}

export function LayoutChoice({ id, layout, onLayout, pair, problems, onPair }: Props) {
  return (
    <>
      <fieldset className="field">
        <legend>Layout</legend>
        <div className="kind-picker">
          {LAYOUTS.map((l) => (
            <label key={l} className="kind-option">
              <input type="radio" name={`${id}-layout`} checked={layout === l} onChange={() => onLayout(l)} />
              {/* The help is part of the label, so each radio's name says what it means. */}
              <span className="kind-text">
                <span className="kind-title">{LAYOUT_TITLE[l]}</span>
                {/* The dash is for screen readers, where title and help run on as one name. */}
                <span className="visually-hidden"> — </span>
                <span className="kind-help">{LAYOUT_HELP[l]}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {layout === 'vault' ? (
        <div className="vault-fields">
          <div className="vault-warning" role="note" aria-label="Keep the passphrase safe">
            <strong>Keep the passphrase somewhere safe.</strong> Without it nothing in this vault can be restored: not
            by Strata, not by anyone. Strata keeps it on this computer with its other secrets.
          </div>
          <PassphraseFields
            id={`${id}-vault`}
            label="Passphrase"
            value={pair}
            problems={problems}
            onChange={onPair}
            help="When the folder or bucket already holds a vault (another computer’s), enter its passphrase to share it."
          />
        </div>
      ) : null}
    </>
  );
}
