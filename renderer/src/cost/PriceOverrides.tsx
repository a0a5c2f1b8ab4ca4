/**
 * Settings' price table (`cost.prices`): pick a row (grouped by provider), see where its figures
 * come from, and change any of them; changed figures are marked and can be reset. Self-hosted
 * stores are free until priced here (a paid VPS, say).
 */
import { useCallback, useEffect, useId, useState } from 'react';
import type { PriceProvider, PriceRowInfo, PriceTable } from '../../../shared/api/cost.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { sentence } from '../format.js';
import { useRevision } from '../store/changes.js';
import { formatUnitPrice } from './money.js';
import { PriceFieldInput } from './PriceFieldInput.js';
import { fieldMeta, PRICE_FIELD_META, PROVIDER_NAMES } from './price-fields.js';

const PROVIDER_ORDER: PriceProvider[] = ['aws', 'r2', 'b2', 'wasabi', 'self-hosted', 'local'];

export function PriceOverrides() {
  const id = useId();
  const [table, setTable] = useState<PriceTable | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const rev = useRevision(['settings']);

  const load = useCallback(async () => {
    try {
      setTable(await api().call('cost.prices', {}));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load, rev]);

  const rows = table?.rows ?? [];
  // First a row the user changed (that is what they come back for), else the first.
  const row = rows.find((r) => r.id === picked) ?? rows.find((r) => r.overridden.length > 0) ?? rows[0];
  const changedRows = rows.filter((r) => r.overridden.length > 0);
  const saved = (next: PriceRowInfo) =>
    setTable((t) => (t ? { ...t, rows: t.rows.map((r) => (r.id === next.id ? next : r)) } : t));

  return (
    <section className="panel prices" aria-labelledby={`${id}-heading`}>
      <div>
        <h2 id={`${id}-heading`}>Prices</h2>
        <p className="muted">
          Cost estimates use this table
          {table ? ` (dated ${table.tableDate}; each row names its price page)` : ''}. Change a figure to match your
          plan or a new price; Reset puts back the table’s. Self-hosted stores cost nothing until you price them here.
        </p>
      </div>
      <ErrorBanner error={error} title="Could not load the prices" onRetry={() => void load()} />
      {table && row ? (
        <>
          <div className="prices-pick">
            <div className="field">
              <label htmlFor={`${id}-row`}>Price row</label>
              <select id={`${id}-row`} className="input" value={row.id} onChange={(e) => setPicked(e.target.value)}>
                {PROVIDER_ORDER.filter((p) => rows.some((r) => r.provider === p)).map((p) => (
                  <optgroup key={p} label={PROVIDER_NAMES[p]}>
                    {rows
                      .filter((r) => r.provider === p)
                      .map((r) => (
                        <option key={r.id} value={r.id}>
                          {optionLabel(r)}
                        </option>
                      ))}
                  </optgroup>
                ))}
              </select>
            </div>
            {changedRows.length > 0 ? (
              <p className="price-changed-list">
                <span className="muted">Changed by you: </span>
                {changedRows.map((r, i) => (
                  <span key={r.id}>
                    {i > 0 ? '; ' : ''}
                    {r.name} ({r.overridden.map((f) => fieldMeta(f).label.toLowerCase()).join(', ')})
                  </span>
                ))}
              </p>
            ) : null}
          </div>
          <PriceRowForm key={row.id} row={row} onSaved={saved} />
        </>
      ) : null}
    </section>
  );
}

function optionLabel(r: PriceRowInfo): string {
  const storage = r.values.storagePerGbMonth ?? 0;
  return `${r.name} — ${formatUnitPrice(storage)}/GB-month${r.overridden.length > 0 ? ' (changed)' : ''}`;
}

function PriceRowForm({ row, onSaved }: { row: PriceRowInfo; onSaved: (row: PriceRowInfo) => void }) {
  const id = useId();
  return (
    <div className="price-row" role="group" aria-labelledby={`${id}-name`}>
      <div className="price-row-head">
        <h3 id={`${id}-name`}>
          {row.name}
          {row.storageClass ? <span className="muted mono"> · {row.storageClass}</span> : null}
        </h3>
        <p className="price-row-source">
          {row.source ? (
            <>
              <a href={row.source} target="_blank" rel="noopener noreferrer">
                Price page <span className="visually-hidden">of {row.name} (opens outside Strata)</span> ↗
              </a>
              {' · '}
            </>
          ) : null}
          as of {row.asOf}
        </p>
      </div>
      {row.notes.length > 0 ? (
        <ul className="price-notes">
          {row.notes.map((n) => (
            <li key={n}>{sentence(n)}</li>
          ))}
        </ul>
      ) : null}
      <div className="price-grid">
        {PRICE_FIELD_META.map((m) => (
          <PriceFieldInput key={m.field} row={row} meta={m} onSaved={onSaved} />
        ))}
      </div>
    </div>
  );
}
