/**
 * One figure of a price row in Settings: typed, checked, and saved as the user's override when
 * the field is left or Enter is pressed (`cost.setPrice`); Escape puts back the saved figure.
 * A changed figure is marked, shows the table's, and has a Reset back to it.
 */
import { useId, useRef, useState } from 'react';
import type { PriceRowInfo } from '../../../shared/api/cost.js';
import { api } from '../api/client.js';
import { errorWords } from '../components/errors.js';
import { parsePrice, formatPriceValue, type PriceFieldMeta } from './price-fields.js';

interface Props {
  row: PriceRowInfo;
  meta: PriceFieldMeta;
  onSaved: (row: PriceRowInfo) => void;
}

/** The input's text for a figure: plain digits, no exponent ("0.00099", not "9.9e-4"). */
function asText(n: number): string {
  return Math.abs(n) > 0 && Math.abs(n) < 1e-6 ? n.toFixed(10).replace(/0+$/, '') : String(n);
}

export function PriceFieldInput({ row, meta, onSaved }: Props) {
  const id = useId();
  const { field } = meta;
  const value = row.values[field] ?? 0;
  const tableValue = row.defaults[field] ?? 0;
  const changed = row.overridden.includes(field);
  const [draft, setDraft] = useState(asText(value));
  // A new saved figure (this field's save, a reset, another window) replaces what is typed.
  const [shownValue, setShownValue] = useState(value);
  if (shownValue !== value) {
    setShownValue(value);
    setDraft(asText(value));
  }
  const [problem, setProblem] = useState<string | undefined>();
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const save = async (next: number | null, words: string) => {
    setBusy(true);
    setStatus('');
    try {
      onSaved(await api().call('cost.setPrice', { id: row.id, field, value: next }));
      setProblem(undefined);
      setStatus(words);
    } catch (err) {
      setProblem(`Could not save: ${errorWords(err).message}`);
    } finally {
      setBusy(false);
    }
  };

  const commit = async () => {
    const parsed = parsePrice(draft);
    if ('problem' in parsed) {
      setProblem(parsed.problem);
      setStatus('');
      return;
    }
    setProblem(undefined);
    if (parsed.value === value) return;
    // The table's own figure is no override: saving it resets.
    await save(parsed.value === tableValue ? null : parsed.value, 'Saved');
  };

  const reset = async () => {
    await save(null, 'Table’s figure restored');
    input.current?.focus();
  };

  const describedBy = [`${id}-unit`, changed ? `${id}-note` : '', problem ? `${id}-problem` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={changed ? 'price-field price-field-changed' : 'price-field'}>
      <label htmlFor={`${id}-input`}>{meta.label}</label>
      <div className="price-input-row">
        <input
          ref={input}
          id={`${id}-input`}
          className="input num"
          type="text"
          inputMode="decimal"
          autoComplete="off"
          value={draft}
          aria-invalid={problem ? true : undefined}
          aria-describedby={describedBy}
          onChange={(e) => {
            setDraft(e.target.value);
            setStatus('');
          }}
          onBlur={() => void commit()}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void commit();
            } else if (e.key === 'Escape') {
              setDraft(asText(value));
              setProblem(undefined);
            }
          }}
        />
        <span id={`${id}-unit`} className="price-unit">
          {meta.unit.replace('GB', row.gbUnit)}
        </span>
        <span role="status" className="price-saved">
          {busy ? 'Saving…' : status}
        </span>
      </div>
      {changed ? (
        <div id={`${id}-note`} className="price-field-note">
          <span className="tag tag-warn">Changed</span>
          <span>table: {formatPriceValue(field, tableValue)}</span>
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            disabled={busy}
            aria-label={`Reset ${meta.label} to the table’s ${formatPriceValue(field, tableValue)}`}
            onClick={() => void reset()}
          >
            Reset
          </button>
        </div>
      ) : null}
      {problem ? (
        <p id={`${id}-problem`} className="field-problem price-problem">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
